// --anonymize KEY: Crypto-PAn (Xu, Fan, Ammar, Moon 2002), keyed
// prefix-preserving pseudonymisation of IPv4 and IPv6 addresses: two
// addresses that share their first k bits map to two that share exactly
// their first k bits, and one key gives one mapping in every run and file.
// Bit i of the output is bit i of the input XOR the first bit of
// AES-128(K1, input's first i bits followed by the pad's bits i..127), the
// pad being AES-128(K1, K2) for the 32-byte key K1 || K2. IPv4 uses 32 bits
// and agrees with the reference implementation's sample; IPv6 uses 128,
// as the common extension does. AES is OpenSSL's libcrypto.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace netflow {

using AnonymizeKey = std::array<uint8_t, 32>;

// The key from --anonymize's argument: 64 hex digits are the 32-byte
// Crypto-PAn key itself; "@PATH" reads the key (either form) from the
// first line of PATH, which keeps it out of the process list; any other
// text is a passphrase, and the key is its SHA-256. nullopt and *error on
// an empty text or an unreadable file.
std::optional<AnonymizeKey> anonymizeKey(std::string_view text, std::string *error);

class Anonymizer {
  public:
    explicit Anonymizer(const AnonymizeKey &key);
    ~Anonymizer();
    Anonymizer(const Anonymizer &) = delete;
    Anonymizer &operator=(const Anonymizer &) = delete;

    // Replaces the address in place: 4 bytes when family is 4, else 16.
    // Remembers up to a million addresses (cleared when full).
    void anonymize(uint8_t *address, int family);

  private:
    void compute(const uint8_t *in, uint8_t *out, int bits);

    struct CipherDeleter {
        void operator()(void *ctx) const;
    };
    std::unique_ptr<void, CipherDeleter> ctx_;
    std::array<uint8_t, 16> pad_{};

    struct Key16Hash {
        size_t operator()(const std::array<uint8_t, 17> &k) const;
    };
    std::unordered_map<std::array<uint8_t, 17>, std::array<uint8_t, 16>, Key16Hash> cache_;
};

}  // namespace netflow
