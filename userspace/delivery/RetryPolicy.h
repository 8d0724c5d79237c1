// What to do with a request's outcome, and how long to wait before trying
// again. Kept free of libcurl so the policy is tested on its own.
//   2xx                                   delivered
//   5xx, 429, 408, any transport failure  retried (refused, timed out,
//     (no HTTP status)                    reset, TLS, DNS): with the spool,
//                                         nothing is lost by waiting
//   other statuses (4xx, 1xx, 3xx)        rejected: reported, not retried
// Backoff: exponential with "equal" jitter (a uniform draw in [cap/2, cap],
// the cap doubling from `base` per attempt up to `max`), so that many
// sensors restarted together do not hit a recovering server in step, and
// none retries at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace netflow {

enum class RequestOutcome { Delivered, Retry, Reject };

// http_status is 0 when no response came (transport failure).
RequestOutcome classifyResponse(bool transport_ok, long http_status);

class Backoff {
  public:
    using Millis = std::chrono::milliseconds;
    Backoff(Millis base, Millis max, uint64_t seed) : base_(base), max_(max), rng_(seed) {}

    // The cap for the attempt-th retry (1 = the first retry): base * 2^(n-1),
    // at most max.
    Millis cap(unsigned attempt) const;

    // A draw in [cap/2, cap]: jittered, yet never an immediate retry storm.
    Millis delay(unsigned attempt);

  private:
    Millis base_;
    Millis max_;
    std::mt19937_64 rng_;
};

}  // namespace netflow
