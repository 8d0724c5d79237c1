// ExportOrder: the one-thread export order rebuilt from workers' exports
// (docs/threads.md): event (the packet whose time first passes a timed-out
// flow's deadline, the restarting packet, or the end), then first-seen.
#include <gtest/gtest.h>

#include <vector>

#include "pipeline/ExportOrder.h"

namespace netflow {
namespace {

ExportedFlow flow(ExportCause cause, uint64_t at, uint64_t first_seen) {
    ExportedFlow f;
    f.cause = cause;
    f.at = at;
    f.rec.first_seen = first_seen;
    return f;
}

std::vector<uint64_t> releaseAll(ExportOrder &order, uint64_t watermark, uint64_t end_bound = 0) {
    std::vector<uint64_t> out;
    order.release(watermark, watermark == ExportOrder::kEnd ? ExportOrder::kEnd : end_bound,
                  [&](FlowRecord &rec) { out.push_back(rec.first_seen); });
    return out;
}

TEST(ThreadedExportOrder, TimeoutsTakeThePacketWhoseTimePassesTheirDeadline) {
    ExportOrder order;
    // Packets 0..9 at times 100, 200, ..., one step each.
    for (uint64_t i = 0; i < 10; i++)
        order.addStep(i, 100 * (i + 1));
    // Deadline 250: expired at packet 2 (time 300). Deadline 150: packet 1.
    // Started later (first_seen 7) but due earlier: it goes first.
    order.add(flow(ExportCause::Timeout, 250, 3));
    order.add(flow(ExportCause::Timeout, 150, 7));
    EXPECT_EQ(releaseAll(order, 10), (std::vector<uint64_t>{7, 3}));
}

TEST(ThreadedExportOrder, FlowsDueAtOnePacketGoInStartOrder) {
    ExportOrder order;
    order.addStep(0, 100);
    order.addStep(5, 1000);  // packets 0..4 at time 100, 5.. at 1000
    // Deadlines 200 and 900: both pass at packet 5, one batch.
    order.add(flow(ExportCause::Timeout, 900, 2));
    order.add(flow(ExportCause::Timeout, 200, 4));
    // The packet restarts a flow: the same batch, by first-seen.
    order.add(flow(ExportCause::Restart, 5, 3));
    // A deadline exactly at a step's time is not passed by it (strict).
    order.add(flow(ExportCause::Timeout, 100, 1));
    EXPECT_EQ(releaseAll(order, 6), (std::vector<uint64_t>{1, 2, 3, 4}));
}

// The merger writes at most a chunk of rows between two looks at the
// workers' rings: a limited release passes that many, in order, says more
// are due, and the next call goes on where it stopped.
TEST(ThreadedExportOrder, ALimitedReleaseGoesOnWhereItStopped) {
    ExportOrder order;
    order.addStep(0, 100);
    order.addStep(5, 1000);
    for (uint64_t s = 10; s > 0; s--)
        order.add(flow(ExportCause::Timeout, 200, s));  // all due at packet 5
    order.add(flow(ExportCause::End, 0, 20));
    std::vector<uint64_t> out;
    auto take = [&](FlowRecord &rec) { out.push_back(rec.first_seen); };
    EXPECT_TRUE(order.release(6, 0, take, 4));
    EXPECT_EQ(out, (std::vector<uint64_t>{1, 2, 3, 4}));
    EXPECT_TRUE(order.release(6, 0, take, 4));
    EXPECT_FALSE(order.release(6, 0, take, 4));
    EXPECT_EQ(out, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    EXPECT_FALSE(order.release(6, 0, take, 4));  // the end flow is not due yet
    EXPECT_EQ(order.held(), 1u);
    EXPECT_FALSE(order.release(ExportOrder::kEnd, ExportOrder::kEnd, take, 1));
    EXPECT_EQ(out.back(), 20u);
}

TEST(ThreadedExportOrder, TheWatermarkHoldsBackLaterEventsAndTheEnd) {
    ExportOrder order;
    for (uint64_t i = 0; i < 4; i++)
        order.addStep(i, 10 * (i + 1));
    order.add(flow(ExportCause::End, 0, 0));
    order.add(flow(ExportCause::Restart, 3, 2));
    order.add(flow(ExportCause::Timeout, 15, 1));  // packet 1 (time 20)
    order.add(flow(ExportCause::End, 0, 5));
    EXPECT_EQ(releaseAll(order, 2), (std::vector<uint64_t>{1}));
    EXPECT_EQ(releaseAll(order, 3), (std::vector<uint64_t>{}));
    EXPECT_EQ(releaseAll(order, 4), (std::vector<uint64_t>{2}));
    EXPECT_EQ(order.held(), 2u);
    EXPECT_EQ(releaseAll(order, ExportOrder::kEnd), (std::vector<uint64_t>{0, 5}));
}

TEST(ThreadedExportOrder, TheEndsFlowsStreamUpToEveryWorkersLastStart) {
    ExportOrder order;
    order.addStep(0, 10);
    order.add(flow(ExportCause::End, 0, 4));
    order.add(flow(ExportCause::End, 0, 1));
    order.add(flow(ExportCause::Timeout, 5, 6));  // packet 0: before any end flow
    // Every worker is past packet 10, one has not begun its end flows.
    EXPECT_EQ(releaseAll(order, 10, 0), (std::vector<uint64_t>{6}));
    // The slowest has exported end flows up to the one started at packet 1.
    EXPECT_EQ(releaseAll(order, 10, 2), (std::vector<uint64_t>{1}));
    order.add(flow(ExportCause::End, 0, 3));
    EXPECT_EQ(releaseAll(order, 10, 4), (std::vector<uint64_t>{3}));
    EXPECT_EQ(releaseAll(order, 10, ExportOrder::kEnd), (std::vector<uint64_t>{4}));
}

TEST(ThreadedExportOrder, DeadlineIsTheLastTimeTheFlowIsNotExpired) {
    nf_timeouts timeouts{30, 120};
    nf_flow_state st{};
    st.first_us = 1000;
    st.last_us = 1100;
    EXPECT_EQ(expiryDeadline(st, timeouts), 1120u);  // min(1100 + 30, 1000 + 120)
    st.last_us = 1000;
    EXPECT_EQ(expiryDeadline(st, timeouts), 1030u);
    timeouts = {UINT64_MAX, UINT64_MAX};  // no overflow
    EXPECT_EQ(expiryDeadline(st, timeouts), UINT64_MAX);
}

}  // namespace
}  // namespace netflow
