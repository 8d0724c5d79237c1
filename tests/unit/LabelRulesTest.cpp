// --labels FILE, the CIC-IDS style rules format: what each field accepts,
// and every error path as one "file:line:column: what" message.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/PipeWriter.h"
#include "support/RuleLinesSeen.h"
#include "common/UniqueFd.h"
#include "labels/AttackNames.h"
#include "labels/CsvLine.h"
#include "labels/LabelError.h"
#include "labels/LabelFields.h"
#include "labels/LabelRules.h"
#include "labels/LabelTime.h"

namespace {

using netflow::LabelError;
using netflow::LabelFormat;
using netflow::LabelRuleSet;

LabelRuleSet parse(const std::string &text, int32_t tz = 0) {
    std::istringstream in(text);
    return netflow::parseLabelRules(in, "r.csv", LabelFormat::CicIds, tz);
}

std::string errorOf(const std::string &text, int32_t tz = 0) {
    try {
        parse(text, tz);
    } catch (const LabelError &e) {
        return e.what();
    }
    return "(no error)";
}

const std::string kHeader = "attack,src,dst,sport,dport,proto,start,end\n";

// lineCount() counts 16 bytes a step in byte-wide counters summed every
// 255 steps: lengths around both, newlines in runs (a counter's worst case)
// and scattered, against a plain count.
TEST(RuleLines, LineCountAtEveryBoundary) {
    for (size_t length :
         {0, 1, 15, 16, 17, 255 * 16 - 1, 255 * 16, 255 * 16 + 1, 3 * 255 * 16 + 7}) {
        for (int pattern = 0; pattern < 3; pattern++) {
            std::string text(length, 'x');
            for (size_t i = 0; i < length; i++) {
                if (pattern == 1 || (pattern == 2 && i % 7 == 3))
                    text[i] = '\n';
            }
            const size_t want = 1 + static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
            EXPECT_EQ(netflow::RuleLines(text).lineCount(), want)
                << "length " << length << ", pattern " << pattern;
        }
    }
}

// next() with the line's commas (one pass, sixteen bytes a step) gives the
// lines next() gives and the commas and quotes findCommas finds in each:
// texts of lines of every length to 40 around the steps' edges, with
// commas, quotes and a '\r' before the newline, with and without a last
// newline, for several limits.
TEST(RuleLines, NextWithCommasAgreesWithNextAndFindCommas) {
    const std::string filler = "2017-07-05T09:26:00-03:00,10.0.0.1/8,\"x\",80-90 ";
    for (size_t first = 0; first <= 40; first++) {
        for (int variant = 0; variant < 4; variant++) {
            std::string text;
            for (size_t line = 0, length = first; line < 5;
                 line++, length = (length * 7 + 3) % 41) {
                for (size_t i = 0; i < length; i++)
                    text += filler[(i + line * 5) % filler.size()];
                if (variant & 1)
                    text += '\r';
                if (line < 4 || (variant & 2))
                    text += '\n';
            }
            for (size_t max : {size_t{0}, size_t{2}, size_t{9}}) {
                netflow::RuleLines plain(text), split(text);
                std::string_view want_line, got_line;
                size_t want_no = 0, got_no = 0;
                while (true) {
                    const bool want_more = plain.next(want_line, &want_no);
                    std::vector<uint32_t> got(max + 1, UINT32_MAX);
                    size_t found = SIZE_MAX;
                    bool quoted = false;
                    ASSERT_EQ(split.next(got_line, &got_no, got.data(), max, &found, &quoted),
                              want_more);
                    if (!want_more)
                        break;
                    ASSERT_EQ(got_line, want_line);
                    ASSERT_EQ(got_no, want_no);
                    std::vector<uint32_t> want(max + 1, UINT32_MAX);
                    bool want_quoted = false;
                    want.resize(netflow::findCommas(want_line, want.data(), max, &want_quoted));
                    ASSERT_LE(found, max);
                    got.resize(found);
                    EXPECT_EQ(got, want) << "'" << want_line << "' max " << max;
                    EXPECT_EQ(quoted, want_quoted) << "'" << want_line << "'";
                }
            }
        }
    }
}

// A rules file read a part at a time gives the lines, line numbers,
// commas and quotes the same text in memory gives: lines shorter and
// longer than a part (a buffer that grows), a byte order mark, '\r\n',
// no last newline, empty lines, an empty file; from a regular file and
// from a pipe (which read() fills a little at a time), for parts of
// several sizes.
TEST(RuleLines, ReadInPartsAgreesWithTextInMemory) {
    const std::string long_line = "a," + std::string(300, 'x') + ",\"q,\",b\n";
    const std::vector<std::string> texts = {
        "",
        "\n",
        "\xEF\xBB\xBF"
        "attack,src\nA,1.2.3.4\n",
        "one,two\r\nthree\r\n\r\nfour,five,six",
        "x\n" + long_line + "y,z\n" + long_line + long_line + "last,line",
        std::string(1000, ',') + "\n\n\n" + std::string(33, 'q'),
    };
    const std::string path = ::testing::TempDir() + "rule_lines_parts.csv";
    for (const std::string &text : texts) {
        netflow::RuleLines whole(text);
        const std::vector<LineSeen> want = linesOf(whole, 4);
        for (size_t part : {size_t{16}, size_t{17}, size_t{64}, size_t{1000}, size_t{1} << 18}) {
            {
                std::ofstream(path, std::ios::binary) << text;
                const netflow::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
                ASSERT_TRUE(fd);
                netflow::RuleLines file(fd.get(), path, part);
                EXPECT_EQ(file.head(), std::string_view(text).substr(0, 4));
                EXPECT_EQ(linesOf(file, 4), want) << "file, part " << part << ": " << text;
            }
            PipeWriter pipe(text, true);
            netflow::RuleLines stream(pipe.fd(), "pipe", part);
            EXPECT_EQ(linesOf(stream, 4), want) << "pipe, part " << part << ": " << text;
        }
    }
    std::remove(path.c_str());
}

// expectedLines(): exact for a text in memory and for a file within one
// part; for a larger file, its size over the first part's lines.
TEST(RuleLines, ExpectedLines) {
    std::string text;
    for (int i = 0; i < 5000; i++)
        text += "Attack-" + std::to_string(i % 13) + ",10.0.0." + std::to_string(i % 250) + "\n";
    EXPECT_EQ(netflow::RuleLines(text).expectedLines(), 5001u);  // the empty last line counts
    const std::string path = ::testing::TempDir() + "rule_lines_expected.csv";
    std::ofstream(path, std::ios::binary) << text;
    const netflow::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(fd);
    {
        netflow::RuleLines one_part(fd.get(), path);
        EXPECT_EQ(one_part.expectedLines(), 5001u);
    }
    ASSERT_EQ(::lseek(fd.get(), 0, SEEK_SET), 0);
    netflow::RuleLines parts(fd.get(), path, 4096);
    EXPECT_GE(parts.expectedLines(), 5000u);
    EXPECT_LE(parts.expectedLines(), 6000u);
    // A first part of empty lines, then long ones: at most a line for
    // each kMinLine bytes, not the first part's 4,096 a part.
    std::string skewed(4096, '\n');
    for (int i = 0; i < 2000; i++)
        skewed += std::string(109, 'x') + "\n";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << skewed;
    const netflow::UniqueFd skewed_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(skewed_fd);
    netflow::RuleLines few(skewed_fd.get(), path, 4096);
    EXPECT_LE(few.expectedLines(), skewed.size() / netflow::RuleLines::kMinLine + 64);
    EXPECT_GE(few.expectedLines(), 2000u);
    std::remove(path.c_str());
}

TEST(LabelRulesParse, TheIssuesExample) {
    auto set = parse(kHeader +
                     "DoS-Hulk,172.16.0.1,192.168.10.50,,80,tcp,2017-07-05T09:26:00-03:00,"
                     "2017-07-05T10:10:59-03:00\n"
                     "Recon,10.0.0.0/8,,,,,,\n");
    ASSERT_EQ(set.rules.size(), 2u);
    const auto &hulk = set.rules[0];
    EXPECT_EQ(set.attack(hulk), "DoS-Hulk");
    EXPECT_EQ(hulk.src.family, 4);
    EXPECT_EQ(hulk.src.length, 32);
    EXPECT_EQ(hulk.src.bytes[0], 172);
    EXPECT_TRUE(hulk.sport.any());
    EXPECT_EQ(hulk.dport.lo, 80);
    EXPECT_EQ(hulk.dport.hi, 80);
    EXPECT_EQ(hulk.proto, 6);
    // 09:26:00-03:00 = 12:26:00Z; the end second is inclusive.
    EXPECT_EQ(hulk.start_us, 1499257560LL * 1000000);
    EXPECT_EQ(hulk.end_us, 1499260259LL * 1000000 + 999999);
    EXPECT_FALSE(hulk.forward_only);
    EXPECT_EQ(hulk.line, 2u);
    const auto &recon = set.rules[1];
    EXPECT_EQ(recon.src.length, 8);
    EXPECT_TRUE(recon.dst.any());
    EXPECT_EQ(recon.proto, -1);
    EXPECT_EQ(recon.start_us, netflow::kLabelTimeMin);
    EXPECT_EQ(recon.end_us, netflow::kLabelTimeMax);
    EXPECT_EQ(recon.line, 3u);
}

TEST(LabelRulesParse, HeaderInAnyOrderCommentsBlankLinesCrlfQuotes) {
    auto set = parse(
        "# a comment\r\n\r\nDPort , Attack,SRC\r\n 443-444 , \"Bot, net\" , 2001:db8::/32 \r\n");
    ASSERT_EQ(set.rules.size(), 1u);
    EXPECT_EQ(set.attack(set.rules[0]), "Bot, net");
    EXPECT_EQ(set.rules[0].dport.lo, 443);
    EXPECT_EQ(set.rules[0].dport.hi, 444);
    EXPECT_EQ(set.rules[0].src.family, 6);
    EXPECT_EQ(set.rules[0].src.length, 32);
    EXPECT_EQ(set.rules[0].line, 4u);
}

TEST(LabelRulesParse, ProtocolsByNameAndNumber) {
    auto set = parse(
        "attack,proto\na,tcp\nb,UDP\nc,icmp\nd,icmpv6\ne,47\nf,\ng,TCP\nh,Udp\n"
        "i,ICMP\nj,iCmP\nk,006\n");
    ASSERT_EQ(set.rules.size(), 11u);
    EXPECT_EQ(set.rules[0].proto, 6);
    EXPECT_EQ(set.rules[1].proto, 17);
    EXPECT_EQ(set.rules[2].proto, 1);
    EXPECT_EQ(set.rules[3].proto, 58);
    EXPECT_EQ(set.rules[4].proto, 47);
    EXPECT_EQ(set.rules[5].proto, -1);
    EXPECT_EQ(set.rules[6].proto, 6);
    EXPECT_EQ(set.rules[7].proto, 17);
    EXPECT_EQ(set.rules[8].proto, 1);
    EXPECT_EQ(set.rules[9].proto, 1);
    EXPECT_EQ(set.rules[10].proto, 6);
    for (const char *bad : {"tcpp", "tc", "udp6", "256"})
        EXPECT_NE(errorOf("attack,proto\na," + std::string(bad) + "\n"), "(no error)") << bad;
}

TEST(LabelRulesParse, OptionsNinthColumnWithoutHeader) {
    auto set = parse(kHeader + "a,1.2.3.4,,,,,,,direction=forward\nb,,,,,,,,direction=both\n");
    ASSERT_EQ(set.rules.size(), 2u);
    EXPECT_TRUE(set.rules[0].forward_only);
    EXPECT_FALSE(set.rules[1].forward_only);
}

TEST(LabelRulesParse, TimesTimezoneAndEpoch) {
    // No offset: --labels-tz (here -03:00); an explicit offset wins.
    auto set = parse("attack,start,end\na,2017-07-05T09:26:00,2017-07-05 13:26:00Z\n", -3 * 3600);
    EXPECT_EQ(set.rules[0].start_us, 1499257560LL * 1000000);
    EXPECT_EQ(set.rules[0].end_us, (1499257560LL + 3600) * 1000000 + 999999);
    // Epoch seconds, with a fraction: the end is its last microsecond.
    set = parse("attack,start,end\na,1421927414,1421927416.5\n");
    EXPECT_EQ(set.rules[0].start_us, 1421927414LL * 1000000);
    EXPECT_EQ(set.rules[0].end_us, 1421927416LL * 1000000 + 599999);
    // A minute, a day.
    set = parse("attack,start,end\na,2017-07-05T09:26+0100,2017-07-05\n");
    EXPECT_EQ(set.rules[0].start_us, (1499212800LL + 8 * 3600 + 26 * 60) * 1000000);
    EXPECT_EQ(set.rules[0].end_us, (1499212800LL + 86400) * 1000000 - 1);
}

TEST(LabelTime, UtcOffsets) {
    EXPECT_EQ(netflow::parseUtcOffset("+05:30"), 5 * 3600 + 30 * 60);
    EXPECT_EQ(netflow::parseUtcOffset("-03:00"), -3 * 3600);
    EXPECT_EQ(netflow::parseUtcOffset("-0300"), -3 * 3600);
    EXPECT_EQ(netflow::parseUtcOffset("+02"), 2 * 3600);
    EXPECT_EQ(netflow::parseUtcOffset("Z"), 0);
    EXPECT_EQ(netflow::parseUtcOffset("UTC"), 0);
    EXPECT_FALSE(netflow::parseUtcOffset("3"));
    EXPECT_FALSE(netflow::parseUtcOffset("+25:00"));
    EXPECT_FALSE(netflow::parseUtcOffset("+03:60"));
    EXPECT_FALSE(netflow::parseUtcOffset(""));
}

TEST(LabelTime, LeapDayAndInvalidDates) {
    std::string error;
    auto t = netflow::parseLabelTime("2016-02-29T00:00:00Z", 0, &error);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->first_us, 1456704000LL * 1000000);
    EXPECT_FALSE(netflow::parseLabelTime("2017-02-29", 0, &error));
    EXPECT_FALSE(netflow::parseLabelTime("2017-13-01", 0, &error));
    EXPECT_FALSE(netflow::parseLabelTime("2017-07-05T24:00", 0, &error));
    EXPECT_FALSE(netflow::parseLabelTime("2017-07-05T09:26:00+", 0, &error));
    EXPECT_FALSE(netflow::parseLabelTime("5/7/2017 9:26", 0, &error));
    EXPECT_FALSE(netflow::parseLabelTime("1.2.3", 0, &error));
}

// Times of the usual fixed form (seconds, with +HH:MM, Z or no offset) are
// read by a shortcut: it must agree with the general reader (forms of the
// same instant it does not take: +HHMM, a fraction) and refuse what it does.
TEST(LabelTime, FixedFormAgreesWithTheGeneralReader) {
    std::string error;
    const int32_t tz = -3 * 3600;
    const std::pair<const char *, const char *> same[] = {
        {"2017-07-05T09:26:00-03:00", "2017-07-05T09:26:00.0-0300"},
        {"2017-07-05 23:59:59+05:30", "2017-07-05T23:59:59.0+0530"},
        {"2016-02-29T00:00:00Z", "2016-02-29T00:00:00.0+00"},
        {"1999-12-31T23:59:59", "1999-12-31T23:59:59.0"},  // --labels-tz
        {"2017-07-05T09:26:00+00:00", "1499246760.0"},
    };
    for (const auto &[fixed, general] : same) {
        auto a = netflow::parseLabelTime(fixed, tz, &error);
        auto b = netflow::parseLabelTime(general, tz, &error);
        ASSERT_TRUE(a && b) << fixed;
        EXPECT_EQ(a->first_us, b->first_us) << fixed;
        EXPECT_EQ(a->last_us, a->first_us + 999999) << fixed;  // the whole second
    }
    for (const char *bad :
         {"2017-02-29T00:00:00Z", "2017-07-05T24:00:00Z", "2017-07-05T09:60:00Z",
          "2017-07-05T09:26:60Z", "2017-07-05T09:26:00+24:00", "2017-07-05T09:26:00+03:60",
          "2017-07-05T09:26:00X", "2017-00-05T09:26:00", "2017-07-05X09:26:00",
          "2017-07-05T09:26:00+03-00", "2O17-07-05T09:26:00"})
        EXPECT_FALSE(netflow::parseLabelTime(bad, 0, &error)) << bad;
}

// Whole epoch seconds of up to 11 digits are read by a shortcut: it must
// agree with the general reader (the same instant with a fraction .0) and
// leave everything else to it.
TEST(LabelTime, EpochShortcutAgreesWithTheGeneralReader) {
    std::string error;
    for (const char *epoch : {"0", "7", "12345678", "123456789", "1421927414", "1700003605",
                              "99999999999", "100000000000", "00001421927414"}) {
        auto a = netflow::parseLabelTime(epoch, -3 * 3600, &error);
        auto b = netflow::parseLabelTime(std::string(epoch) + ".0", -3 * 3600, &error);
        ASSERT_TRUE(a && b) << epoch;
        EXPECT_EQ(a->first_us, b->first_us) << epoch;
        EXPECT_EQ(a->last_us, a->first_us + 999999) << epoch;  // the whole second
    }
    EXPECT_EQ(netflow::parseLabelTime("1421927414", 0, &error)->first_us, 1421927414LL * 1000000);
    EXPECT_EQ(netflow::parseLabelTime("90123456789", 0, &error)->first_us, 90123456789LL * 1000000);
    // The first eight digits are read as one word: a byte just past '9'
    // (':', '?') or before '0' ('/') in them is no digit.
    for (const char *bad :
         {"1421:27414", "14219?7414", "1/21927414", "142192741a", "1421927414 ", "-1421927414",
          "\xb1"
          "21927414",
          "1234567890123456", "14219/7414"})
        EXPECT_FALSE(netflow::parseLabelTime(bad, 0, &error)) << bad;
}

// Dotted quads are read by hand: exactly four numbers 0-255 without
// leading zeros; anything else is an IPv6 address or an error.
TEST(LabelFields, DottedQuads) {
    std::string error;
    const std::pair<const char *, std::array<uint8_t, 4>> good[] = {
        {"0.0.0.0", {0, 0, 0, 0}},
        {"255.255.255.255", {255, 255, 255, 255}},
        {"10.200.3.40", {10, 200, 3, 40}},
        {"192.168.0.0/16", {192, 168, 0, 0}},
        {"1.2.3.4", {1, 2, 3, 4}},
        {"1.22.3.4", {1, 22, 3, 4}},
        {"100.2.3.4", {100, 2, 3, 4}},
        {"1.2.3.199", {1, 2, 3, 199}},
        {"1.2.250.40", {1, 2, 250, 40}},
        {"10.20.30.255", {10, 20, 30, 255}},
        {"1.200.100.109", {1, 200, 100, 109}},
        {"200.100.10.100", {200, 100, 10, 100}},
    };
    for (const auto &[text, bytes] : good) {
        netflow::AddressPrefix p;
        ASSERT_TRUE(netflow::parseAddressPrefix(text, &p, &error)) << text;
        EXPECT_EQ(p.family, 4) << text;
        EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), p.bytes.begin())) << text;
    }
    netflow::AddressPrefix unused;
    for (const char *bad :
         {"1.2.3",      "1.2.3.4.5",  "01.2.3.4",   "1.2.3.256", "1.2.3.1234", "1..2.3",
          ".1.2.3",     "1.2.3.",     "1.2.3.4a",   "a.2.3.4",   "1.2.3.-4",   "1000.2.3.4",
          "1.2.3.4/33", "1.2.3.4/24", "1.2.3.\xb4", "1.2.3.00",  "1.2.00.4",   "1.2.3.4 ",
          " 1.2.3.4",   "1.2.3.2555", "1.2.3.4.",   "300.1.1.1", "1,2.3.4",    "1.2.3/4"})
        EXPECT_FALSE(netflow::parseAddressPrefix(bad, &unused, &error)) << bad;
}

// A UTF-8 byte order mark before the header (a spreadsheet's export) is
// not part of the first column's name.
TEST(LabelRules, ByteOrderMarkSkipped) {
    const LabelRuleSet set = parse("\xEF\xBB\xBF" + kHeader + "Scan,10.0.0.1,,,,,,\n");
    ASSERT_EQ(set.rules.size(), 1u);
    EXPECT_EQ(set.rules[0].line, 2u);
    // Columns count from the first character after it.
    EXPECT_EQ(errorOf("\xEF\xBB\xBF"
                      "attack,source\n"),
              "r.csv:1:8: unknown column 'source' "
              "(attack,src,dst,sport,dport,proto,start,end,options)");
}

// What a message quotes of the file is one readable line: bytes that are
// no text escaped, a long field cut with its length.
TEST(LabelRulesErrors, QuotedFieldsReadable) {
    EXPECT_EQ(errorOf(std::string("attack,src\na,\x01\x1b[2J\xff\n")),
              "r.csv:2:3: '\\x01\\x1b[2J\\xff' is not an IPv4 or IPv6 address or CIDR");
    EXPECT_EQ(errorOf("attack,src\na," + std::string(5000, '1') + "\n"),
              "r.csv:2:3: '" + std::string(64, '1') +
                  "'... (5000 bytes) is not an IPv4 or IPv6 address or CIDR");
    EXPECT_EQ(errorOf(std::string("attack,\x7f"
                                  "ELF\n",
                                  11)),
              "r.csv:1:8: unknown column '\\x7fELF' "
              "(attack,src,dst,sport,dport,proto,start,end,options)");
}

// A capture file given for the rules (-f's and --labels' arguments
// swapped) says so, in both formats, whichever byte order or format.
TEST(LabelRulesErrors, CaptureFileSaysSo) {
    for (const std::string &magic :
         {std::string("\xd4\xc3\xb2\xa1", 4), std::string("\xa1\xb2\xc3\xd4", 4),
          std::string("\x4d\x3c\xb2\xa1", 4), std::string("\xa1\xb2\x3c\x4d", 4)}) {
        EXPECT_EQ(errorOf(magic + std::string("\x02\x00\x04\x00", 4) + std::string(16, '\0')),
                  "r.csv: a packet capture, not rules (pcap): --labels reads a CSV of rules, "
                  "-f the capture");
    }
    const std::string pcapng("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00", 8);
    EXPECT_EQ(errorOf(pcapng),
              "r.csv: a packet capture, not rules (pcapng): --labels reads a CSV "
              "of rules, -f the capture");
    std::istringstream in(pcapng);
    EXPECT_THROW(netflow::parseLabelRules(in, "gt.csv", LabelFormat::UnswNb15, 0), LabelError);
    // And from a file, as --labels reads it: the golden capture.
    const std::string golden = std::string(NETFLOW_TEST_DATA) + "/golden/dns.pcap";
    try {
        netflow::loadLabelRules(golden, LabelFormat::CicIds, 0);
        ADD_FAILURE() << "no error";
    } catch (const LabelError &e) {
        EXPECT_EQ(std::string(e.what()),
                  golden +
                      ": a packet capture, not rules (pcap): --labels reads a CSV of rules, "
                      "-f the capture");
    }
}

// Every error names file:line:column; the column is where the bad field
// starts (1-based).
TEST(LabelRulesErrors, EachPathNamesLineAndColumn) {
    EXPECT_EQ(errorOf(""),
              "r.csv:1:1: no header line (attack,src,dst,sport,dport,proto,start,end)");
    EXPECT_EQ(errorOf("# only a comment\n"),
              "r.csv:2:1: no header line (attack,src,dst,sport,dport,proto,start,end)");
    EXPECT_EQ(errorOf("attack,source\n"),
              "r.csv:1:8: unknown column 'source' "
              "(attack,src,dst,sport,dport,proto,start,end,options)");
    EXPECT_EQ(errorOf("attack,src,src\n"), "r.csv:1:12: column 'src' appears twice");
    EXPECT_EQ(errorOf("src,dst\n"), "r.csv:1:1: the header has no 'attack' column");
    EXPECT_EQ(errorOf("attack,src\n\"a,1.2.3.4\n"), "r.csv:2:1: unbalanced quote");
    EXPECT_EQ(errorOf("attack,src\n\"a\"x,1.2.3.4\n"), "r.csv:2:4: unbalanced quote");
    EXPECT_EQ(errorOf("attack,src\na,1.2.3.4,direction=forward,extra\n"),
              "r.csv:2:29: more fields than the header names (3)");
    EXPECT_EQ(errorOf("attack,src\n,1.2.3.4\n"), "r.csv:2:1: the attack name is empty");
    EXPECT_EQ(errorOf("attack,src\n\"a\tb\",1.2.3.4\n"),
              "r.csv:2:1: the attack name holds a control character");
    EXPECT_EQ(errorOf(kHeader + "a,1.2.3.400\n"),
              "r.csv:2:3: '1.2.3.400' is not an IPv4 or IPv6 address or CIDR");
    EXPECT_EQ(errorOf(kHeader + "a,,10.0.0.0/33\n"),
              "r.csv:2:4: prefix length in '10.0.0.0/33' is not 0-32");
    EXPECT_EQ(errorOf(kHeader + "a,,2001:db8::/129\n"),
              "r.csv:2:4: prefix length in '2001:db8::/129' is not 0-128");
    // A negative length once indexed past the address (found by the fuzzer).
    EXPECT_EQ(errorOf(kHeader + "a,,10.77.0.0/-6\n"),
              "r.csv:2:4: prefix length in '10.77.0.0/-6' is not 0-32");
    EXPECT_EQ(errorOf(kHeader + "a,,,,,-1\n"),
              "r.csv:2:7: '-1' is not a protocol (tcp, udp, icmp, ... or 0-255)");
    EXPECT_EQ(errorOf(kHeader + "a,10.0.0.1/8\n"),
              "r.csv:2:3: '10.0.0.1/8' has bits set after the prefix length");
    EXPECT_EQ(errorOf(kHeader + "a,10.0.0.1,2001:db8::1\n"),
              "r.csv:2:12: src and dst are of different IP versions");
    EXPECT_EQ(errorOf(kHeader + "a,,,70000\n"),
              "r.csv:2:5: '70000' is not a port or a range a-b of ports 0-65535");
    EXPECT_EQ(errorOf(kHeader + "a,,,,90-80\n"),
              "r.csv:2:6: '90-80' is not a port or a range a-b of ports 0-65535");
    EXPECT_EQ(errorOf(kHeader + "a,,,,http\n"),
              "r.csv:2:6: 'http' is not a port or a range a-b of ports 0-65535");
    EXPECT_EQ(errorOf(kHeader + "a,,,,,tcpp\n"),
              "r.csv:2:7: 'tcpp' is not a protocol (tcp, udp, icmp, ... or 0-255)");
    EXPECT_EQ(errorOf(kHeader + "a,,,,,256\n"),
              "r.csv:2:7: '256' is not a protocol (tcp, udp, icmp, ... or 0-255)");
    EXPECT_EQ(errorOf(kHeader + "a,,,,,,2017-07-32T00:00:00\n"),
              "r.csv:2:8: '2017-07-32T00:00:00' is not a time (ISO-8601 like "
              "2017-07-05T09:26:00-03:00, or epoch seconds)");
    EXPECT_EQ(errorOf(kHeader + "a,,,,,,,1.2.3\n"), "r.csv:2:9: '1.2.3' is not epoch seconds");
    EXPECT_EQ(errorOf(kHeader + "a,,,,,,1421927416,1421927414\n"),
              "r.csv:2:19: end is before start");
    EXPECT_EQ(errorOf(kHeader + "a,,,,,,,,direction=forward;reverse\n"),
              "r.csv:2:28: unknown option 'reverse' (direction=forward or direction=both)");
    // The line number counts comments and blank lines.
    EXPECT_EQ(errorOf("# rules\n" + kHeader + "\n# next\na,,,,,,,,x\n"),
              "r.csv:5:10: unknown option 'x' (direction=forward or direction=both)");
}

TEST(LabelRulesErrors, MissingFile) {
    try {
        netflow::loadLabelRules("/nonexistent/rules.csv", LabelFormat::CicIds, 0);
        FAIL() << "no error";
    } catch (const LabelError &e) {
        EXPECT_EQ(std::string(e.what()),
                  "/nonexistent/rules.csv: cannot open: No such file or directory");
    }
}

TEST(LabelRulesParse, FormatNames) {
    EXPECT_EQ(netflow::parseLabelFormat("cic-ids"), LabelFormat::CicIds);
    EXPECT_EQ(netflow::parseLabelFormat("unsw-nb15"), LabelFormat::UnswNb15);
    EXPECT_FALSE(netflow::parseLabelFormat("unsw"));
}

}  // namespace

// Fields are views into the line (quoted ones with "" into the split's own
// storage): each keeps its value whatever the fields around it, and errors
// name the same columns with and without quotes on the line.
TEST(LabelRulesParse, QuotedFieldsWithDoubledQuotesKeepTheirValues) {
    auto set = parse(
        "attack,src,dst,sport,dport,proto,start,end,options\n"
        "\"a \"\"1\"\"\",\"10.0.0.0/8\",\"\",\"1-2\", 3 ,\"tcp\",,,\"\"\n"
        "\"b\"\"\",10.0.0.1,,,,,\"100\",\"200.5\",direction=forward\n"
        " c ,,, ,,,.5,,\n");
    ASSERT_EQ(set.rules.size(), 3u);
    EXPECT_EQ(set.attack(set.rules[0]), "a \"1\"");
    EXPECT_EQ(set.rules[0].src.length, 8);
    EXPECT_TRUE(set.rules[0].dst.any());
    EXPECT_EQ(set.rules[0].sport.lo, 1);
    EXPECT_EQ(set.rules[0].sport.hi, 2);
    EXPECT_EQ(set.rules[0].dport.lo, 3);
    EXPECT_EQ(set.rules[0].proto, 6);
    EXPECT_EQ(set.attack(set.rules[1]), "b\"");
    EXPECT_EQ(set.rules[1].start_us, 100000000);
    EXPECT_EQ(set.rules[1].end_us, 200599999);
    EXPECT_TRUE(set.rules[1].forward_only);
    EXPECT_EQ(set.attack(set.rules[2]), "c");
    EXPECT_EQ(set.rules[2].start_us, 500000);
    EXPECT_EQ(errorOf("attack,sport\na,\"x\"\n"),
              "r.csv:2:3: 'x' is not a port or a range a-b of ports 0-65535");
    EXPECT_EQ(errorOf("attack,sport\na, x\n"),
              "r.csv:2:4: 'x' is not a port or a range a-b of ports 0-65535");
    EXPECT_EQ(errorOf("attack,sport\na,1,,\"x\"\n"),
              "r.csv:2:6: more fields than the header names (3)");
    EXPECT_EQ(errorOf("attack,sport\na,1,,  x\n"),
              "r.csv:2:8: more fields than the header names (3)");
    EXPECT_EQ(errorOf("attack,start\na,1.2.3\n"), "r.csv:2:3: '1.2.3' is not epoch seconds");
    EXPECT_EQ(errorOf("attack,start\na,1.\n"), "r.csv:2:3: '1.' is not epoch seconds");
    EXPECT_EQ(errorOf("attack,start\na,1234567890123456\n"),
              "r.csv:2:3: '1234567890123456' is not epoch seconds");
}

// Attack names as numbers: one per distinct name, in order of first use,
// out of order and in runs; names alike but for their last byte, or an
// embedded NUL, stay apart.
TEST(LabelRulesParse, AttackNamesNumberedInOrderOfFirstUse) {
    std::vector<std::string> names;
    netflow::NameNumbers numbers(names);
    std::vector<std::string> made;
    for (int i = 0; i < 3000; i++)
        made.push_back(std::string(static_cast<size_t>(i % 20), 'x') + std::to_string(i));
    made.push_back("");
    made.push_back("AttackAB");
    made.push_back("AttackABC");
    made.push_back(std::string("AttackAB\0C", 10));
    for (size_t round = 0; round < 2; round++) {
        for (size_t i = 0; i < made.size(); i++)
            ASSERT_EQ(numbers.number(made[i]), i) << "'" << made[i] << "' round " << round;
    }
    EXPECT_EQ(names, made);
    // The parsers: rules of one name share its number, names in file order.
    auto set = parse(kHeader + "B,10.0.0.1,,,,,,\nA,10.0.0.2,,,,,,\nB,10.0.0.3,,,,,,\n");
    EXPECT_EQ(set.names, (std::vector<std::string>{"B", "A"}));
    EXPECT_EQ(set.rules[0].name, 0u);
    EXPECT_EQ(set.rules[1].name, 1u);
    EXPECT_EQ(set.rules[2].name, 0u);
}
