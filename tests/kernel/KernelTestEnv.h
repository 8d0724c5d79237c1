// What every kernel test shares: root or skip, the programs loaded once per
// test binary (the verifier takes seconds), nDPI's module once, and the
// captures to replay.
//
// Not root: the tests skip with a message (a developer's machine). Root:
// anything that fails to load is a failure, never a skip — CI runs as root.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "dpi/FlowClassifier.h"
#include "kernel/CountingPrograms.h"

namespace nftest {

inline constexpr nf_timeouts kTimeouts{30'000'000, 120'000'000};

// Skips the calling test when not root.
#define NF_REQUIRE_ROOT()                                                                      \
    do {                                                                                       \
        if (geteuid() != 0)                                                                    \
            GTEST_SKIP() << "BPF_PROG_TEST_RUN needs root (CAP_BPF + CAP_NET_ADMIN); run the " \
                            "kernel tests as root";                                            \
    } while (0)

// Which packets form flows: the default filter, every IPv4/IPv6 packet
// (offline: `--filter ''`), which brings IPv6 and other protocols in, or
// the user filter kUserFilter (--filter), run inside the programs.
enum class Filtering { Default, AllIp, User };

// Ports, nets, IPv6 and VLAN-tagged frames; no `len`, which a capture cut
// by its snap length would see otherwise offline than the kernel does.
inline constexpr const char *kUserFilter =
    "(tcp port 443 or udp) and not net 10.0.0.0/8 or ip6 or (vlan and tcp)";

// The programs' configuration for tests: the test clock, kTimeouts, the
// default budget and host capture.
netflow::CountingConfig testConfig(uint32_t flow_map_entries, Filtering filtering);

// Loads the programs; throws KernelError.
std::unique_ptr<netflow::CountingPrograms> loadTestPrograms(const netflow::CountingConfig &config);
std::unique_ptr<netflow::CountingPrograms> loadTestPrograms(
    uint32_t flow_map_entries, Filtering filtering, uint32_t events_bytes = NF_EVENTS_BYTES);

// Programs with room for every flow of any capture, loaded on first use;
// null with *error set when loading failed.
netflow::CountingPrograms *sharedPrograms(Filtering filtering, std::string *error);

netflow::FlowClassifier &sharedClassifier();

// A fixture on the shared programs with the default filter: skips when not
// root, fails when they cannot be loaded.
class SharedProgramsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        NF_REQUIRE_ROOT();
        std::string error;
        programs_ = sharedPrograms(Filtering::Default, &error);
        ASSERT_NE(programs_, nullptr) << "loading the kernel programs as root: " << error;
    }

    netflow::CountingPrograms *programs_ = nullptr;
};

// tests/golden/*.pcap, sorted.
std::vector<std::string> goldenCaptures();

// Every capture of the nDPI corpus (NETFLOW_CORPUS_DIR/pcap) whose link type
// is Ethernet, sorted; *others counts the rest. A missing corpus is an
// error (ADD_FAILURE), as in tests/corpus.
std::vector<std::string> corpusEthernetCaptures(size_t *others);

// goldenCaptures(), then corpusEthernetCaptures().
std::vector<std::string> goldenAndCorpusCaptures();

}  // namespace nftest
