// quotedText() and printableText(): text from a user's file as an error
// message quotes it, and as a message shows it whole.
#include <gtest/gtest.h>

#include <string>

#include "common/Text.h"

namespace {

using netflow::printableText;
using netflow::quotedText;

TEST(QuotedText, PrintableTextAsItIs) {
    EXPECT_EQ(quotedText("10.0.0.1/33"), "'10.0.0.1/33'");
    EXPECT_EQ(quotedText(""), "''");
}

TEST(QuotedText, ControlBytesDelAndNulEscaped) {
    EXPECT_EQ(quotedText("a\tb\r\n\x1b[31m\x7f"), "'a\\x09b\\x0d\\x0a\\x1b[31m\\x7f'");
    // A capture's first bytes: what happens to be UTF-8 (\xc3\xb2) is kept.
    EXPECT_EQ(quotedText(std::string("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8)),
              "'\\xd4\xc3\xb2\\xa1\\x02\\x00\\x04\\x00'");
    EXPECT_EQ(quotedText(std::string("\xa1\xb2\xc3\xd4\x00", 5)), "'\\xa1\\xb2\\xc3\\xd4\\x00'");
}

// Valid UTF-8 is kept (an attack name or a column in another language);
// what is not UTF-8 is escaped byte by byte.
TEST(QuotedText, Utf8KeptInvalidBytesEscaped) {
    EXPECT_EQ(quotedText("\xc3\xa9tiquette \xe2\x82\xac \xf0\x9f\x98\x80"),
              "'\xc3\xa9tiquette \xe2\x82\xac \xf0\x9f\x98\x80'");
    EXPECT_EQ(quotedText("\x80"), "'\\x80'");                    // a lone continuation byte
    EXPECT_EQ(quotedText("\xc0\xaf"), "'\\xc0\\xaf'");           // an overlong '/'
    EXPECT_EQ(quotedText("\xed\xa0\x80"), "'\\xed\\xa0\\x80'");  // a surrogate
    EXPECT_EQ(quotedText("\xf4\x90\x80\x80"), "'\\xf4\\x90\\x80\\x80'");  // past U+10FFFF
    EXPECT_EQ(quotedText("\xe2\x82"), "'\\xe2\\x82'");                    // cut short
    EXPECT_EQ(quotedText("\xc3"), "'\\xc3'");
}

// Past max bytes the text is cut, never inside a character, and its
// length given.
TEST(QuotedText, LongTextCutWithItsLength) {
    const std::string ones(100000, '1');
    EXPECT_EQ(quotedText(ones), "'" + std::string(64, '1') + "'... (100000 bytes)");
    EXPECT_EQ(quotedText("abcdef", 6), "'abcdef'");
    EXPECT_EQ(quotedText("abcdefg", 6), "'abcdef'... (7 bytes)");
    // A two-byte character starting at the limit's last byte stays whole.
    EXPECT_EQ(quotedText("abcde\xc3\xa9z", 6), "'abcde\xc3\xa9'... (8 bytes)");
}

// Whole, without quotes: the same escapes, nothing cut.
TEST(PrintableText, EscapedWholeWithoutQuotes) {
    EXPECT_EQ(printableText("DoS-Hulk"), "DoS-Hulk");
    EXPECT_EQ(printableText(""), "");
    EXPECT_EQ(printableText("Exploit-\xe9"), "Exploit-\\xe9");  // Latin-1, not UTF-8
    EXPECT_EQ(printableText("Angriff-\xc3\xa4"), "Angriff-\xc3\xa4");
    EXPECT_EQ(printableText("a\x1b[2Jb"), "a\\x1b[2Jb");
    const std::string ones(100000, '1');
    EXPECT_EQ(printableText(ones), ones);
}

}  // namespace
