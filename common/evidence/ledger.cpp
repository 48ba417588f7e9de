#include "common/evidence/ledger.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include "common/evidence/crypto.h"
#include "common/files.h"
#include "common/text.h"

namespace df::evidence {
namespace {

constexpr std::string_view kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";
constexpr std::size_t kMaxLedger = 256u << 20;

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    for (std::size_t at = 0; at < text.size();) {
        const auto nl = text.find('\n', at);
        const auto end = nl == std::string_view::npos ? text.size() : nl;
        lines.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    return lines;
}

Status lock(const std::string& path, UniqueFd& fd) {
    fd = UniqueFd(::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd || ::flock(fd.get(), LOCK_EX) != 0)
        return Error{ExitCode::io_error, fmt::format("cannot lock '{}.lock': {}", path, errno_text(errno))};
    return ok();
}

}  // namespace

namespace {

bool all_of(std::string_view s, std::string_view allowed) {
    return s.find_first_not_of(allowed) == std::string_view::npos;
}

}  // namespace

// Parsed by hand, not with std::regex: an entry's body can be kilobytes long.
std::optional<Entry> parse_line(std::string_view line) {
    constexpr std::string_view head = "{\"entry\":{\"seq\":", keyid = ",\"keyid\":\"", sig = "\",\"sig\":\"",
                               prev = ",\"prev_sha256\":\"";
    constexpr std::string_view hex = "0123456789abcdef",
                               b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-";
    if (line.substr(0, head.size()) != head || line.size() < head.size() + 2 || line.back() != '}')
        return std::nullopt;
    const auto k = line.rfind(keyid);
    const auto g = line.rfind(sig);
    if (k == std::string_view::npos || g == std::string_view::npos || g < k) return std::nullopt;
    Entry e;
    e.keyid = std::string(line.substr(k + keyid.size(), g - k - keyid.size()));
    e.sig = std::string(line.substr(g + sig.size(), line.size() - 2 - g - sig.size()));
    if (line.substr(line.size() - 2) != "\"}" || !all_of(e.keyid, hex) || !all_of(e.sig, b64))
        return std::nullopt;
    e.body = std::string(line.substr(9, k - 9));
    const std::string_view body = e.body;
    if (body.size() < prev.size() + 66 || body.substr(body.size() - 66 - prev.size(), prev.size()) != prev ||
        body.substr(body.size() - 2) != "\"}")
        return std::nullopt;
    e.prev_sha256 = std::string(body.substr(body.size() - 66, 64));
    if (!all_of(e.prev_sha256, hex)) return std::nullopt;
    const auto digits = body.substr(head.size() - 9);
    const auto comma = digits.find(',');
    if (comma == 0 || comma > 18 || !all_of(digits.substr(0, comma), "0123456789")) return std::nullopt;
    e.seq = std::stoull(std::string(digits.substr(0, comma)));
    return e;
}

Result<Entry> append(const std::string& path,
                     const std::function<std::string(std::size_t, const std::string&)>& body_for,
                     const std::string& key_file) {
    UniqueFd guard;
    if (auto s = lock(path, guard); !s) return s.error();
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return Error{ExitCode::io_error, fmt::format("cannot open '{}': {}", path, errno_text(errno))};
    auto text = read_file(path, kMaxLedger);
    if (!text) return text.error();
    std::string last;
    std::size_t seq = 1;
    if (!text->empty()) {
        if (text->back() != '\n') {
            if (auto s = write_all(fd.get(), "\n", path); !s) return s.error();
            *text += '\n';
        }
        const auto lines = split_lines(*text);
        last = std::string(lines.back()) + "\n";
        const auto parsed = parse_line(lines.back());
        seq = parsed ? parsed->seq + 1 : lines.size() + 1;
    }
    Entry e;
    e.seq = seq;
    e.prev_sha256 = last.empty() ? std::string(kGenesis) : sha256_hex(last);
    e.body = body_for(seq, e.prev_sha256);
    if (!key_file.empty()) {
        auto sig = sign(key_file, pae(kEntryType, e.body));
        if (!sig) return sig.error();
        e.sig = base64(*sig);
    }
    const std::string line = fmt::format("{{\"entry\":{},\"keyid\":\"\",\"sig\":\"{}\"}}\n", e.body, e.sig);
    if (auto s = write_all(fd.get(), line, path); !s) return s.error();
    if (auto s = fsync_fd(fd.get(), path); !s) return s.error();
    return e;
}

std::string provenance_ledger_path(const std::string& registry) {
    const bool json = registry.size() > 5 && registry.ends_with(".json");
    return (json ? registry.substr(0, registry.size() - 5) : registry) + ".evidence.jsonl";
}

Result<Verification> verify_ledger(const std::string& path, const std::string& public_key) {
    auto text = read_file(path, kMaxLedger);
    if (!text) return text.error();
    Verification v;
    const auto lines = split_lines(*text);
    v.lines = lines.size();
    std::string prev(kGenesis);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::size_t no = i + 1;
        const std::string this_sha = sha256_hex(std::string(lines[i]) + "\n");
        auto e = parse_line(lines[i]);
        if (!e) {
            const bool cut = no == lines.size() && text->back() != '\n';
            v.problems.push_back(
                {no, cut ? fmt::format("line {} is cut short (no line end): a crash while "
                                       "appending, or the file was truncated",
                                       no)
                         : fmt::format("line {} is not a ledger entry: it was edited or cut short "
                                       "by a crash",
                                       no)});
            prev = this_sha;
            continue;
        }
        const std::string what = fmt::format("line {} (entry {})", no, e->seq);
        if (e->seq != no)
            v.problems.push_back({no, fmt::format("{}: holds entry {} where entry {} belongs: entries were "
                                                  "removed, inserted or reordered",
                                                  what, e->seq, no)});
        if (e->prev_sha256 != prev)
            v.problems.push_back(
                {no, fmt::format("{}: prev_sha256 {} is not the SHA-256 of line {} ({}): the "
                                 "line before was changed, removed or moved",
                                 what, e->prev_sha256, i, prev)});
        prev = this_sha;
        if (!public_key.empty()) {
            const auto sig = base64_decode(e->sig);
            if (e->sig.empty()) {
                v.problems.push_back({no, what + ": not signed (it was written without DF_EVIDENCE_KEY)"});
            } else {
                auto good = verify(public_key, pae(kEntryType, e->body), sig.value_or(""));
                if (!good) return good.error();
                if (*good && sig)
                    ++v.signed_entries;
                else
                    v.problems.push_back(
                        {no, fmt::format("{}: the signature does not verify with {}: the entry "
                                         "was changed, its signature replaced, or it was signed "
                                         "with another key",
                                         what, public_key)});
            }
        }
        v.entries.push_back(std::move(*e));
    }
    return v;
}

}  // namespace df::evidence
