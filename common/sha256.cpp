// SHA-256 by OpenSSL's libcrypto (no hand-written crypto): the workflow source digest compile writes to
// skill.json, and every digest deploy and monitor compute (common/evidence/).
#include <iterator>
#include <new>
#include <openssl/evp.h>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/text.h"

namespace df {

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    // The digest is built into libcrypto's default provider: EVP_Digest fails only when it cannot
    // allocate, which is what bad_alloc says everywhere else.
    if (EVP_Digest(data.data(), data.size(), md, &size, EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
    std::string hex;
    hex.reserve(2 * size);
    for (unsigned int i = 0; i < size; ++i) fmt::format_to(std::back_inserter(hex), "{:02x}", md[i]);
    return hex;
}

}  // namespace df
