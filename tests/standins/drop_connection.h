// Test servers (cpp-httplib) use this to act on a request and then lose the answer: the server side of the
// request's connection is shut down before a single byte of the response is written, which is what a
// crashed proxy or a dying server looks like to the client. cpp-httplib does not expose the socket, so it
// is found among the process's descriptors by its two ports.
#pragma once

#include <arpa/inet.h>
#include <cstdlib>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <httplib.h>

namespace df::testing {

inline int port_of(const sockaddr_storage& a) {
    if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
    if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
    return -1;
}

// True when the connection was found and shut down; the response httplib then writes goes nowhere.
inline bool drop_connection(const httplib::Request& req) {
    DIR* dir = ::opendir("/proc/self/fd");
    if (!dir) return false;
    bool dropped = false;
    while (const dirent* e = ::readdir(dir)) {
        if (e->d_name[0] == '.') continue;
        const int fd = std::atoi(e->d_name);
        sockaddr_storage peer{}, local{};
        socklen_t peer_len = sizeof peer, local_len = sizeof local;
        if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) continue;
        // The server's end: its peer is the client's port and its own port is the listening one.
        if (port_of(peer) == req.remote_port && port_of(local) == req.local_port) {
            ::shutdown(fd, SHUT_RDWR);
            dropped = true;
        }
    }
    ::closedir(dir);
    return dropped;
}

}  // namespace df::testing
