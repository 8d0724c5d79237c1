#include "labels/Anonymizer.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>

#include "common/Text.h"

namespace netflow {
namespace {

constexpr size_t kCacheLimit = 1 << 20;

int hexValue(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

EVP_CIPHER_CTX *cipher(void *ctx) {
    return static_cast<EVP_CIPHER_CTX *>(ctx);
}

}  // namespace

std::optional<AnonymizeKey> anonymizeKey(std::string_view text, std::string *error) {
    std::string from_file;
    if (!text.empty() && text[0] == '@') {
        std::string path(text.substr(1));
        std::ifstream in(path);
        if (!in || !std::getline(in, from_file)) {
            *error = "--anonymize: cannot read a key from " + path;
            return std::nullopt;
        }
        if (!from_file.empty() && from_file.back() == '\r')
            from_file.pop_back();
        text = withoutByteOrderMark(from_file);
    }
    if (text.empty()) {
        *error = "--anonymize: the key is empty";
        return std::nullopt;
    }
    AnonymizeKey key{};
    bool hex = text.size() == 64;
    for (size_t i = 0; hex && i < 32; i++) {
        int hi = hexValue(text[2 * i]), lo = hexValue(text[2 * i + 1]);
        hex = hi >= 0 && lo >= 0;
        key[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
    if (!hex)
        SHA256(reinterpret_cast<const unsigned char *>(text.data()), text.size(), key.data());
    return key;
}

void Anonymizer::CipherDeleter::operator()(void *ctx) const {
    EVP_CIPHER_CTX_free(cipher(ctx));
}

size_t Anonymizer::Key16Hash::operator()(const std::array<uint8_t, 17> &k) const {
    uint64_t a, b;
    std::memcpy(&a, k.data(), 8);
    std::memcpy(&b, k.data() + 8, 8);
    uint64_t h = (a ^ (b * 0x9e3779b97f4a7c15ULL) ^ k[16]) * 0xbf58476d1ce4e5b9ULL;
    return static_cast<size_t>(h ^ (h >> 29));
}

Anonymizer::Anonymizer(const AnonymizeKey &key) : ctx_(EVP_CIPHER_CTX_new()) {
    if (!ctx_ ||
        EVP_EncryptInit_ex(cipher(ctx_.get()), EVP_aes_128_ecb(), nullptr, key.data(), nullptr) !=
            1 ||
        EVP_CIPHER_CTX_set_padding(cipher(ctx_.get()), 0) != 1)
        throw std::runtime_error("--anonymize: cannot set up AES-128 (libcrypto)");
    int len = 0;
    if (EVP_EncryptUpdate(cipher(ctx_.get()), pad_.data(), &len, key.data() + 16, 16) != 1 ||
        len != 16)
        throw std::runtime_error("--anonymize: AES-128 failed (libcrypto)");
}

Anonymizer::~Anonymizer() = default;

void Anonymizer::compute(const uint8_t *in, uint8_t *out, int bits) {
    // One block per bit: the input's first i bits, then the pad's. ECB
    // encrypts them all in one call.
    uint8_t blocks[128 * 16];
    uint8_t encrypted[128 * 16];
    for (int i = 0; i < bits; i++) {
        uint8_t *block = blocks + i * 16;
        std::memcpy(block, pad_.data(), 16);
        int full = i / 8, rest = i % 8;
        std::memcpy(block, in, static_cast<size_t>(full));
        if (rest) {
            uint8_t keep = static_cast<uint8_t>(0xff00 >> rest);
            block[full] = static_cast<uint8_t>((in[full] & keep) | (pad_[full] & ~keep));
        }
    }
    int len = 0;
    if (EVP_EncryptUpdate(cipher(ctx_.get()), encrypted, &len, blocks, bits * 16) != 1 ||
        len != bits * 16)
        throw std::runtime_error("--anonymize: AES-128 failed (libcrypto)");
    const int bytes = bits / 8;
    std::memcpy(out, in, static_cast<size_t>(bytes));
    for (int i = 0; i < bits; i++) {
        if (encrypted[i * 16] & 0x80)
            out[i / 8] ^= static_cast<uint8_t>(0x80 >> (i % 8));
    }
}

void Anonymizer::anonymize(uint8_t *address, int family) {
    const size_t n = family == 6 ? 16 : 4;
    std::array<uint8_t, 17> key{};
    std::memcpy(key.data(), address, n);
    key[16] = static_cast<uint8_t>(family);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
        if (cache_.size() >= kCacheLimit)
            cache_.clear();
        std::array<uint8_t, 16> out{};
        compute(address, out.data(), static_cast<int>(n * 8));
        it = cache_.emplace(key, out).first;
    }
    std::memcpy(address, it->second.data(), n);
}

}  // namespace netflow
