// --anonymize: Crypto-PAn against the reference implementation's sample
// (IPv4) and the common IPv6 extension's vectors; prefix preservation on
// random pairs; the key's three forms.
#include <gtest/gtest.h>
#include <arpa/inet.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string>

#include "labels/Anonymizer.h"

namespace {

using netflow::AnonymizeKey;
using netflow::Anonymizer;

// The key of the Crypto-PAn source distribution's sample trace.
const AnonymizeKey kSampleKey = {21,  34, 23,  141, 51, 164, 207, 128, 19,  10,  91,
                                 22,  73, 144, 125, 16, 216, 152, 143, 131, 121, 121,
                                 101, 39, 98,  87,  76, 45,  42,  132, 34,  2};

std::string anonymize(Anonymizer &a, const std::string &text) {
    uint8_t addr[16] = {};
    const bool v6 = text.find(':') != std::string::npos;
    EXPECT_EQ(inet_pton(v6 ? AF_INET6 : AF_INET, text.c_str(), addr), 1) << text;
    a.anonymize(addr, v6 ? 6 : 4);
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(v6 ? AF_INET6 : AF_INET, addr, buf, sizeof(buf));
    return buf;
}

TEST(Anonymizer, ReferenceSampleIpv4) {
    Anonymizer a(kSampleKey);
    const char *vectors[][2] = {
        {"128.11.68.132", "135.242.180.132"},   {"129.118.74.4", "134.136.186.123"},
        {"130.132.252.244", "133.68.164.234"},  {"141.223.7.43", "141.167.8.160"},
        {"141.233.145.108", "141.129.237.235"}, {"152.163.225.39", "151.140.114.167"},
        {"156.29.3.236", "147.225.12.42"},      {"165.247.96.84", "162.9.99.234"},
        {"166.107.77.190", "160.132.178.185"},  {"192.102.249.13", "252.138.62.131"},
        {"24.0.250.221", "100.15.198.226"},     {"4.3.88.225", "124.60.155.63"},
        {"64.14.118.196", "0.255.183.58"},      {"10.185.25.118", "117.161.29.118"},
    };
    for (const auto &v : vectors) {
        EXPECT_EQ(anonymize(a, v[0]), v[1]) << v[0];
        EXPECT_EQ(anonymize(a, v[0]), v[1]) << v[0] << " (from the cache)";
    }
}

TEST(Anonymizer, Ipv6Extension) {
    Anonymizer a(kSampleKey);
    EXPECT_EQ(anonymize(a, "::1"), "78ff:f001:9fc0:20df:8380:b1f1:704:ed");
    EXPECT_EQ(anonymize(a, "::2"), "78ff:f001:9fc0:20df:8380:b1f1:704:ef");
    EXPECT_EQ(anonymize(a, "::ffff"), "78ff:f001:9fc0:20df:8380:b1f1:704:f838");
    EXPECT_EQ(anonymize(a, "2001:db8::1"), "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e");
    EXPECT_EQ(anonymize(a, "2001:db8::2"), "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1c");
}

int commonPrefix(const uint8_t *a, const uint8_t *b, int bits) {
    for (int i = 0; i < bits; i++) {
        uint8_t bit = 0x80 >> (i % 8);
        if ((a[i / 8] & bit) != (b[i / 8] & bit))
            return i;
    }
    return bits;
}

TEST(Anonymizer, PrefixPreservingOnRandomPairs) {
    std::string error;
    Anonymizer a(*netflow::anonymizeKey("a passphrase", &error));
    std::mt19937 rng(7);
    for (int family : {4, 6}) {
        const int bits = family == 4 ? 32 : 128;
        for (int i = 0; i < 2000; i++) {
            uint8_t x[16], y[16];
            for (int j = 0; j < 16; j++)
                x[j] = static_cast<uint8_t>(rng());
            std::copy(x, x + 16, y);
            // y shares a random prefix with x, then differs.
            int keep = static_cast<int>(rng() % static_cast<unsigned>(bits));
            y[keep / 8] ^= static_cast<uint8_t>(0x80 >> (keep % 8));
            for (int j = keep + 1; j < bits; j++) {
                if (rng() & 1)
                    y[j / 8] ^= static_cast<uint8_t>(0x80 >> (j % 8));
            }
            uint8_t ax[16], ay[16];
            std::copy(x, x + 16, ax);
            std::copy(y, y + 16, ay);
            a.anonymize(ax, family);
            a.anonymize(ay, family);
            ASSERT_EQ(commonPrefix(ax, ay, bits), keep) << "family " << family;
        }
    }
}

TEST(Anonymizer, KeyForms) {
    std::string error;
    // 64 hex digits are the key itself.
    std::string text;
    for (uint8_t b : kSampleKey) {
        char buf[3];
        std::snprintf(buf, sizeof(buf), "%02x", b);
        text += buf;
    }
    auto raw = netflow::anonymizeKey(text, &error);
    ASSERT_TRUE(raw);
    EXPECT_EQ(*raw, kSampleKey);
    Anonymizer a(*raw);
    EXPECT_EQ(anonymize(a, "128.11.68.132"), "135.242.180.132");
    // 63 hex digits are a passphrase.
    auto short_hex = netflow::anonymizeKey(text.substr(0, 63), &error);
    ASSERT_TRUE(short_hex);
    EXPECT_NE(*short_hex, kSampleKey);
    // A passphrase: its SHA-256; another passphrase, another mapping.
    auto p1 = netflow::anonymizeKey("secret", &error), p2 = netflow::anonymizeKey("Secret", &error);
    ASSERT_TRUE(p1 && p2);
    EXPECT_NE(*p1, *p2);
    Anonymizer b1(*p1), b2(*p2), b1again(*p1);
    EXPECT_NE(anonymize(b1, "10.0.0.1"), anonymize(b2, "10.0.0.1"));
    EXPECT_EQ(anonymize(b1, "10.0.0.1"), anonymize(b1again, "10.0.0.1"));
    // @FILE: the first line.
    const std::string path = testing::TempDir() + "/anonymize.key";
    std::ofstream(path) << text << "\nignored\n";
    auto from_file = netflow::anonymizeKey("@" + path, &error);
    ASSERT_TRUE(from_file);
    EXPECT_EQ(*from_file, kSampleKey);
    // An editor's byte order mark is not part of the key.
    std::ofstream(path) << "\xEF\xBB\xBF" << text << "\r\n";
    auto with_bom = netflow::anonymizeKey("@" + path, &error);
    ASSERT_TRUE(with_bom);
    EXPECT_EQ(*with_bom, kSampleKey);
    std::ofstream(path) << "\xEF\xBB\xBF"
                           "secret\n";
    auto passphrase = netflow::anonymizeKey("@" + path, &error);
    ASSERT_TRUE(passphrase);
    EXPECT_EQ(*passphrase, *p1);
    EXPECT_FALSE(netflow::anonymizeKey("@/nonexistent/key", &error));
    EXPECT_EQ(error, "--anonymize: cannot read a key from /nonexistent/key");
    EXPECT_FALSE(netflow::anonymizeKey("", &error));
    EXPECT_EQ(error, "--anonymize: the key is empty");
}

}  // namespace
