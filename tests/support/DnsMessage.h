// Minimal DNS messages for end-to-end tests: a header, one question and
// answers whose names point back at the question (0xC00C).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nftest {

struct DnsAnswer {
    uint16_t type;  // 1 = A, 5 = CNAME, 28 = AAAA
    uint32_t ttl;
};

class DnsMessage {
  public:
    static std::vector<uint8_t> query(uint16_t id, uint16_t qtype, const std::string &name) {
        return build(id, 0x0100, qtype, name, {}, true);
    }
    static std::vector<uint8_t> response(uint16_t id, uint16_t qtype, const std::string &name,
                                         const std::vector<DnsAnswer> &answers) {
        return build(id, 0x8180, qtype, name, answers, true);
    }
    // A header with QDCOUNT 0 (a message without a question).
    static std::vector<uint8_t> headerOnly(uint16_t id) {
        return build(id, 0x0100, 0, "", {}, false);
    }

    // The TCP framing: a 2-byte length, then the message.
    static std::vector<uint8_t> overTcp(const std::vector<uint8_t> &msg) {
        std::vector<uint8_t> out = {static_cast<uint8_t>(msg.size() >> 8),
                                    static_cast<uint8_t>(msg.size())};
        out.insert(out.end(), msg.begin(), msg.end());
        return out;
    }

  private:
    static void put16(std::vector<uint8_t> &m, uint16_t v) {
        m.push_back(static_cast<uint8_t>(v >> 8));
        m.push_back(static_cast<uint8_t>(v));
    }
    static std::vector<uint8_t> build(uint16_t id, uint16_t flags, uint16_t qtype,
                                      const std::string &name,
                                      const std::vector<DnsAnswer> &answers, bool question) {
        std::vector<uint8_t> m;
        put16(m, id);
        put16(m, flags);
        put16(m, question ? 1 : 0);
        put16(m, static_cast<uint16_t>(answers.size()));
        put16(m, 0);
        put16(m, 0);
        if (!question)
            return m;
        size_t start = 0;
        while (start <= name.size()) {
            size_t dot = name.find('.', start);
            if (dot == std::string::npos)
                dot = name.size();
            m.push_back(static_cast<uint8_t>(dot - start));
            m.insert(m.end(), name.begin() + static_cast<long>(start),
                     name.begin() + static_cast<long>(dot));
            start = dot + 1;
        }
        m.push_back(0);
        put16(m, qtype);
        put16(m, 1);  // IN
        for (const DnsAnswer &a : answers) {
            put16(m, 0xC00C);
            put16(m, a.type);
            put16(m, 1);
            put16(m, static_cast<uint16_t>(a.ttl >> 16));
            put16(m, static_cast<uint16_t>(a.ttl));
            if (a.type == 1) {
                put16(m, 4);
                m.insert(m.end(), {192, 0, 2, 1});
            } else if (a.type == 28) {
                put16(m, 16);
                m.insert(m.end(), 16, 0x20);
            } else {
                put16(m, 2);
                put16(m, 0xC00C);
            }
        }
        return m;
    }
};

}  // namespace nftest
