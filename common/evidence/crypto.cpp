#include "common/evidence/crypto.h"

#include <cstdio>
#include <memory>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <vector>

#include <fmt/format.h>

#include "common/files.h"
#include "common/text.h"

namespace df::evidence {
namespace {

struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxFree>;

// Reads a PEM key; `public_key` reads SubjectPublicKeyInfo, else a private key.
Result<Key> read_key(const std::string& file, bool public_key) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> fp(std::fopen(file.c_str(), "r"), &std::fclose);
    if (!fp)
        return Error{ExitCode::no_input,
                     fmt::format("cannot read the key '{}': {}", file, errno_text(errno))};
    Key key(public_key ? PEM_read_PUBKEY(fp.get(), nullptr, nullptr, nullptr)
                       : PEM_read_PrivateKey(fp.get(), nullptr, nullptr, nullptr));
    if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
        return Error{
            ExitCode::data_error,
            fmt::format("'{}' is not a PEM Ed25519 {} key (openssl genpkey -algorithm ed25519{})", file,
                        public_key ? "public" : "private", public_key ? " | openssl pkey -pubout" : "")};
    }
    return key;
}

}  // namespace

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    std::string in(text);
    for (char& c : in) c = c == '-' ? '+' : c == '_' ? '/' : c;
    while (in.size() % 4) in += '=';
    std::string out(in.size() / 4 * 3 + 1, '\0');
    const int n =
        EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    if (n < 0) return std::nullopt;
    std::size_t size = static_cast<std::size_t>(n);
    // EVP_DecodeBlock counts the padding as zero bytes.
    for (std::size_t i = in.size(); i > 0 && in[i - 1] == '=' && size > 0; --i) --size;
    out.resize(size);
    return out;
}

std::string pae(std::string_view type, std::string_view body) {
    return fmt::format("DSSEv1 {} {} {} {}", type.size(), type, body.size(), body);
}

Result<std::string> sign(const std::string& key_file, std::string_view message) {
    auto key = read_key(key_file, false);
    if (!key) return key.error();
    Ctx ctx(EVP_MD_CTX_new());
    std::size_t size = 0;
    // Ed25519 is one-shot only, and takes no digest (EVP_SIGNATURE-ED25519(7)).
    const auto* data = reinterpret_cast<const unsigned char*>(message.data());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key->get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &size, data, message.size()) != 1) {
        return Error{ExitCode::config, fmt::format("cannot sign with '{}'", key_file)};
    }
    std::string sig(size, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &size, data,
                       message.size()) != 1)
        return Error{ExitCode::config, fmt::format("cannot sign with '{}'", key_file)};
    sig.resize(size);
    return sig;
}

Result<std::string> key_id(const std::string& key_file, bool public_key) {
    auto key = read_key(key_file, public_key);
    if (!key) return key.error();
    unsigned char* der = nullptr;
    const int n = i2d_PUBKEY(key->get(), &der);
    if (n <= 0)
        return Error{ExitCode::data_error, fmt::format("cannot encode the public key of '{}'", key_file)};
    std::string id =
        sha256_hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n)));
    OPENSSL_free(der);
    return id;
}

Result<bool> verify(const std::string& key_file, std::string_view message, std::string_view signature) {
    auto key = read_key(key_file, true);
    if (!key) return key.error();
    Ctx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key->get()) != 1)
        return Error{ExitCode::config, "cannot set up an Ed25519 verification"};
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                            message.size()) == 1;
}

}  // namespace df::evidence
