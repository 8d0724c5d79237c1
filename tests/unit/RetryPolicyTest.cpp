// The delivery's retry policy: which outcomes are retried, and the
// exponential backoff with jitter between attempts.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "delivery/RetryPolicy.h"

namespace {

using netflow::Backoff;
using netflow::classifyResponse;
using netflow::RequestOutcome;
using std::chrono::milliseconds;

TEST(RetryPolicy, TwoHundredsAreDelivered) {
    for (long status : {200L, 201L, 202L, 204L, 299L})
        EXPECT_EQ(classifyResponse(true, status), RequestOutcome::Delivered) << status;
}

TEST(RetryPolicy, ServerErrorsTooManyRequestsAndTimeoutsAreRetried) {
    for (long status : {500L, 502L, 503L, 504L, 599L, 429L, 408L})
        EXPECT_EQ(classifyResponse(true, status), RequestOutcome::Retry) << status;
}

TEST(RetryPolicy, TransportFailuresAreRetried) {
    // Refused, timed out, reset: no status at all.
    EXPECT_EQ(classifyResponse(false, 0), RequestOutcome::Retry);
    // A failure after a status line (a body cut short) is retried too.
    EXPECT_EQ(classifyResponse(false, 200), RequestOutcome::Retry);
    EXPECT_EQ(classifyResponse(true, 0), RequestOutcome::Retry);
}

TEST(RetryPolicy, OtherClientErrorsAreRejectedNotRetried) {
    for (long status : {400L, 401L, 403L, 404L, 405L, 413L, 415L, 422L, 499L, 301L, 302L, 100L})
        EXPECT_EQ(classifyResponse(true, status), RequestOutcome::Reject) << status;
}

TEST(Backoff, CapDoublesFromBaseUpToMax) {
    Backoff b(milliseconds(100), milliseconds(2000), 1);
    EXPECT_EQ(b.cap(0), milliseconds(0));
    EXPECT_EQ(b.cap(1), milliseconds(100));
    EXPECT_EQ(b.cap(2), milliseconds(200));
    EXPECT_EQ(b.cap(3), milliseconds(400));
    EXPECT_EQ(b.cap(5), milliseconds(1600));
    EXPECT_EQ(b.cap(6), milliseconds(2000));
    EXPECT_EQ(b.cap(64), milliseconds(2000));
    EXPECT_EQ(b.cap(1000000), milliseconds(2000));
}

TEST(Backoff, DelaysAreJitteredWithinHalfCapToCap) {
    Backoff b(milliseconds(100), milliseconds(2000), 42);
    for (unsigned attempt = 1; attempt <= 8; attempt++) {
        std::set<int64_t> seen;
        for (int i = 0; i < 200; i++) {
            milliseconds d = b.delay(attempt);
            EXPECT_GE(d, b.cap(attempt) / 2) << attempt;
            EXPECT_LE(d, b.cap(attempt)) << attempt;
            seen.insert(d.count());
        }
        EXPECT_GT(seen.size(), 10u) << "no jitter at attempt " << attempt;
    }
}

TEST(Backoff, DifferentSeedsGiveDifferentSequences) {
    Backoff a(milliseconds(100), milliseconds(5000), 1),
        b(milliseconds(100), milliseconds(5000), 2);
    int same = 0;
    for (int i = 0; i < 50; i++)
        same += a.delay(6) == b.delay(6);
    EXPECT_LT(same, 10);
}

}  // namespace
