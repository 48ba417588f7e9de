// SHA-256 by Nettle (no hand-written crypto): the workflow source digest compile writes to skill.json, and
// every digest deploy and monitor compute (common/evidence/). Nettle rather than libcrypto here: it is a
// small library with no configuration to read at start-up, so df-compile's start stays cheap (libcrypto
// doubled the time of a one-file `compile --check`; docs/performance.md). Signatures stay OpenSSL's.
#include <iterator>
#include <nettle/sha2.h>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/text.h"

namespace df {

std::string sha256_hex(std::string_view data) {
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, data.size(), reinterpret_cast<const uint8_t*>(data.data()));
    uint8_t md[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, SHA256_DIGEST_SIZE, md);
    std::string hex;
    hex.reserve(2 * SHA256_DIGEST_SIZE);
    for (const uint8_t byte : md) fmt::format_to(std::back_inserter(hex), "{:02x}", byte);
    return hex;
}

}  // namespace df
