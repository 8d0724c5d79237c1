// PayloadOrder: each flow's payload records reach DPI in the kernel's
// payload_index order, whatever order the AF_XDP sockets hand them over in;
// a record behind a lost one waits one whole round, no longer; flows do not
// wait for each other; the bytes are copied while a record waits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/PayloadOrder.h"

namespace {

using netflow::FlowInstance;
using netflow::LiveClassifications;
using netflow::PayloadOrder;

struct Delivered {
    uint16_t port;
    uint32_t index;
    std::string bytes;
    bool operator==(const Delivered &) const = default;
};

class PayloadOrderTest : public ::testing::Test {
  protected:
    // What a call returned, as DPI would take it (before the next call).
    // Each record comes with its own flow's classification, the entry the
    // store holds for that instance (DPI looks nothing up).
    void take(PayloadOrder::Ready ready) {
        for (const netflow::ReadyPayload &p : ready) {
            const FlowInstance flow{p.rec->key, p.rec->flow_first_us};
            EXPECT_EQ(p.cls, &store_.entry(flow).cls) << "port " << p.rec->key.port_lo;
            got_.push_back(Delivered{p.rec->key.port_lo, p.rec->payload_index,
                                     std::string(p.l3.begin(), p.l3.end())});
        }
    }

    static nf_rec_payload record(uint16_t port, uint32_t index) {
        nf_rec_payload rec;
        std::memset(&rec, 0, sizeof(rec));
        rec.key.port_lo = port;
        rec.flow_first_us = 1000 + port;
        rec.payload_index = index;
        return rec;
    }

    // A record whose bytes name it; the buffer is overwritten after add(),
    // as the kernel reuses an AF_XDP frame once it is read.
    void add(uint16_t port, uint32_t index) {
        std::string bytes = std::to_string(port) + ":" + std::to_string(index);
        std::vector<uint8_t> frame(bytes.begin(), bytes.end());
        nf_packet pkt{};
        nf_rec_payload rec = record(port, index);
        take(order_.add(rec, pkt, frame));
        std::fill(frame.begin(), frame.end(), 'X');
    }

    // The flow of `port` is exported (it has had a record: it has an entry).
    PayloadOrder::Ready release(uint16_t port) {
        const FlowInstance flow{record(port, 0).key, record(port, 0).flow_first_us};
        LiveClassifications::Entry *entry = store_.find(flow);
        EXPECT_NE(entry, nullptr);
        return entry ? order_.release(flow, *entry) : PayloadOrder::Ready{};
    }

    static Delivered d(uint16_t port, uint32_t index) {
        return {port, index, std::to_string(port) + ":" + std::to_string(index)};
    }

    std::vector<Delivered> got_;
    netflow::LiveClassifications store_;  // each flow's next index
    PayloadOrder order_{store_};
};

TEST_F(PayloadOrderTest, InOrderGoesStraightThrough) {
    add(80, 1);
    add(80, 2);
    add(80, 3);
    EXPECT_EQ(got_, (std::vector<Delivered>{d(80, 1), d(80, 2), d(80, 3)}));
    EXPECT_EQ(order_.reordered(), 0u);
    EXPECT_EQ(order_.waiting(), 0u);
}

TEST_F(PayloadOrderTest, AnAnswerAheadOfItsRequestWaitsForIt) {
    add(80, 2);  // the server's answer, read first from another socket
    add(80, 3);
    EXPECT_TRUE(got_.empty());
    EXPECT_EQ(order_.waiting(), 2u);
    add(80, 1);
    EXPECT_EQ(got_, (std::vector<Delivered>{d(80, 1), d(80, 2), d(80, 3)}));
    EXPECT_EQ(order_.reordered(), 2u);
    EXPECT_EQ(order_.releasedPastGap(), 0u);
    EXPECT_EQ(order_.waiting(), 0u);
}

TEST_F(PayloadOrderTest, FlowsDoNotWaitForEachOther) {
    add(80, 2);
    add(53, 1);
    add(443, 1);
    add(443, 2);
    EXPECT_EQ(got_, (std::vector<Delivered>{d(53, 1), d(443, 1), d(443, 2)}));
    add(80, 1);
    EXPECT_EQ(got_.back(), d(80, 2));
}

TEST_F(PayloadOrderTest, BehindALostRecordWaitsOneWholeRoundOnly) {
    add(80, 1);
    add(80, 3);  // 2 was lost (ring full)
    add(80, 4);
    take(order_.endRound());  // they came in this round: they wait
    EXPECT_EQ(got_, (std::vector<Delivered>{d(80, 1)}));
    take(order_.endRound());  // a whole round later: they go on, in order
    EXPECT_EQ(got_, (std::vector<Delivered>{d(80, 1), d(80, 3), d(80, 4)}));
    EXPECT_EQ(order_.releasedPastGap(), 1u);
    add(80, 5);  // and the flow goes on in line
    EXPECT_EQ(got_.back(), d(80, 5));
    add(80, 2);  // the lost one after all: late, but not dropped
    EXPECT_EQ(got_.back(), d(80, 2));
    EXPECT_EQ(order_.waiting(), 0u);
}

TEST_F(PayloadOrderTest, AFlowExportedGetsWhatItHadWaitingFirst) {
    add(80, 1);
    add(80, 3);
    take(release(80));
    EXPECT_EQ(got_, (std::vector<Delivered>{d(80, 1), d(80, 3)}));
    EXPECT_EQ(order_.waiting(), 0u);
}

TEST_F(PayloadOrderTest, EndOfCaptureReleasesEverything) {
    add(80, 3);
    add(80, 2);
    add(22, 5);
    take(order_.release());
    EXPECT_EQ(got_.size(), 3u);
    auto pos = [this](const Delivered &x) { return std::find(got_.begin(), got_.end(), x); };
    EXPECT_LT(pos(d(80, 2)), pos(d(80, 3)));
    EXPECT_NE(pos(d(22, 5)), got_.end());
    EXPECT_EQ(order_.waiting(), 0u);
}

}  // namespace

namespace {

TEST_F(PayloadOrderTest, AnExportedFlowsLineIsForgotten) {
    add(80, 1);
    take(release(80));
    add(80, 1);  // a late record of the exported flow starts a new line
    EXPECT_EQ(got_, (std::vector<Delivered>{d(80, 1), d(80, 1)}));
    add(443, 2);  // waits
    // Only 443 has a record waiting (80's next index is in the store).
    EXPECT_EQ(order_.dropOlderThan(2000), 1u);
    EXPECT_EQ(order_.waiting(), 0u);
}

}  // namespace
