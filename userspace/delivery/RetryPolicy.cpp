#include "delivery/RetryPolicy.h"

#include <algorithm>

namespace netflow {

RequestOutcome classifyResponse(bool transport_ok, long http_status) {
    if (!transport_ok || http_status == 0)
        return RequestOutcome::Retry;
    if (http_status >= 200 && http_status < 300)
        return RequestOutcome::Delivered;
    if (http_status >= 500 || http_status == 429 || http_status == 408)
        return RequestOutcome::Retry;
    return RequestOutcome::Reject;
}

Backoff::Millis Backoff::cap(unsigned attempt) const {
    if (attempt == 0)
        return Millis(0);
    const unsigned shift = std::min(attempt - 1, 30u);
    const int64_t base = std::max<int64_t>(base_.count(), 1);
    const int64_t limit = std::max<int64_t>(max_.count(), base);
    // No overflow: stop doubling once past the limit.
    return Millis(base > (limit >> shift) ? limit : std::min(limit, base << shift));
}

Backoff::Millis Backoff::delay(unsigned attempt) {
    const int64_t c = cap(attempt).count();
    if (c <= 1)
        return Millis(c);
    std::uniform_int_distribution<int64_t> draw(c / 2, c);
    return Millis(draw(rng_));
}

}  // namespace netflow
