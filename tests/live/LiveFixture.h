// The fixture of every live attach test: root (or skip), the lab from
// run_attach_live.sh, the counting programs loaded once per binary (the
// verifier takes seconds), the interface clean before and after each test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "LiveLab.h"
#include "kernel/CountingPrograms.h"
#include "kernel/KernelError.h"
#include "kernel/LibbpfLog.h"
#include "kernel/NetInterface.h"

namespace nftest {

class AttachLive : public ::testing::Test {
  protected:
    void SetUp() override {
        // Not root: skip (a developer's machine). Root (CI): every test
        // runs, and a missing lab or a failed load is a failure.
        if (geteuid() != 0)
            GTEST_SKIP() << "attaching XDP/TC needs root (CAP_BPF + CAP_NET_ADMIN)";
        std::string why;
        lab_ = labEnv(&why);
        ASSERT_TRUE(lab_) << why;
        programs_ = sharedPrograms(&why);
        ASSERT_NE(programs_, nullptr) << why;
        netflow::Result<netflow::NetInterface> itf = netflow::NetInterface::find(lab_->ifname);
        ASSERT_TRUE(itf) << itf.error();
        itf_ = itf.value();
        ASSERT_TRUE(hooksOf(itf_.index).empty())
            << "something is attached to " << itf_.name << " before the test";
        clearFlows(programs_->flowMapFd());
    }

    void TearDown() override {
        // Every test takes down what it attached: links are gone once their
        // fd closes, netlink filters once detached.
        if (itf_.index) {
            EXPECT_TRUE(waitUntilNothingAttached(itf_.index, std::chrono::seconds(2)))
                << "left attached on " << itf_.name;
        }
    }

    static netflow::CountingPrograms *sharedPrograms(std::string *error) {
        static std::unique_ptr<netflow::CountingPrograms> programs;
        static std::string load_error;
        static bool tried = false;
        if (!tried) {
            tried = true;
            netflow::routeLibbpfLog(true);
            try {
                programs = std::make_unique<netflow::CountingPrograms>(netflow::CountingConfig{});
            } catch (const netflow::KernelError &e) {
                load_error = e.what();
            }
        }
        *error = load_error;
        return programs.get();
    }

    std::optional<LabEnv> lab_;
    netflow::CountingPrograms *programs_ = nullptr;
    netflow::NetInterface itf_;
};

}  // namespace nftest
