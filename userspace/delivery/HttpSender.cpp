#include "delivery/HttpSender.h"

#include "common/QuietThread.h"
#include "common/Text.h"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "delivery/JsonArraySplit.h"

namespace netflow {
namespace {

constexpr size_t kMaxResponseBytes = 1 << 16;  // kept of a body, for -v and errors
constexpr int kMaxRejectReports = 5;           // lines printed; the rest counted
constexpr std::chrono::milliseconds kIdlePoll{100};
constexpr std::chrono::seconds kFailureReportInterval{10};

size_t onBody(char *data, size_t size, size_t n, void *user) {
    auto *body = static_cast<std::string *>(user);
    size_t bytes = size * n;
    body->append(data,
                 std::min(bytes, kMaxResponseBytes - std::min(body->size(), kMaxResponseBytes)));
    return bytes;
}

// Follows the response's header lines: a status line starts a response
// (an interim 1xx, then the final one), the empty line ends its headers.
// A connection closed before that empty line is an incomplete response,
// whatever status libcurl saw.
size_t onHeader(char *data, size_t size, size_t n, void *user) {
    auto *headers_done = static_cast<bool *>(user);
    const std::string_view line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0)
        *headers_done = false;
    else if (line == "\r\n" || line == "\n")
        *headers_done = true;
    return size * n;
}

// At least 1 ms: libcurl reads a timeout of 0 as none at all.
std::chrono::milliseconds millis(double seconds) {
    return std::chrono::milliseconds(std::max<int64_t>(1, std::llround(seconds * 1000)));
}

// A body on one line: line breaks become spaces, trailing ones go.
std::string oneLine(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    std::replace(text.begin(), text.end(), '\n', ' ');
    std::replace(text.begin(), text.end(), '\r', ' ');
    return text;
}

bool hasHeader(const std::vector<std::string> &headers, std::string_view name) {
    return std::any_of(headers.begin(), headers.end(), [&](const std::string &h) {
        if (h.size() <= name.size() || h[name.size()] != ':')
            return false;
        return equalsIgnoreCase(std::string_view(h).substr(0, name.size()), name);
    });
}

}  // namespace

struct HttpSender::Slot {
    enum class State { Free, InFlight, Waiting };
    CurlEasy easy;
    State state = State::Free;
    std::vector<std::string> lines;  // the flows of the request
    std::string body;
    std::string response;
    bool headers_done = false;  // the response's header block ended (onHeader)
    unsigned attempt = 0;
    Clock::time_point due;  // Waiting: when to send again
    char error[CURL_ERROR_SIZE] = {};
};

HttpSender::HttpSender(const HttpOptions &options, bool wait_for_room)
    : options_(options),
      wait_for_room_(wait_for_room),
      timeout_(millis(options.timeout_s)),
      flush_interval_(millis(options.flush_interval_s)),
      queue_(options.queue_capacity),
      spool_(options.spool_path),
      backoff_(std::chrono::milliseconds(100), std::chrono::milliseconds(2000),
               std::random_device{}()) {
    curl();  // loaded and initialised before any use (throws if it cannot be)
    counters_.inherited = spool_.inherited();
    if (spool_.droppedTailBytes())
        std::fprintf(stderr, "netflow: spool %s ended in a cut line (%llu bytes): dropped\n",
                     spool_.path().c_str(),
                     static_cast<unsigned long long>(spool_.droppedTailBytes()));

    curl_slist *list = nullptr;
    auto add = [&](const std::string &h) {
        curl_slist *grown = curl().slist_append(list, h.c_str());
        if (!grown) {
            curl().slist_free_all(list);
            throw std::runtime_error("out of memory");
        }
        list = grown;
    };
    if (!hasHeader(options.headers, "Content-Type"))
        add("Content-Type: application/json");
    add("Expect:");  // no 100-continue round trip before large bodies
    for (const std::string &h : options.headers)
        add(h);
    headers_.reset(list);

    multi_.reset(curl().multi_init());
    if (!multi_)
        throw std::runtime_error("cannot create a libcurl multi handle");
    const long in_flight = static_cast<long>(std::max<size_t>(options.max_in_flight, 1));
    curl().multi_setopt(multi_.get(), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    curl().multi_setopt(multi_.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, in_flight);
    curl().multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, in_flight);

    for (long i = 0; i < in_flight; i++) {
        auto slot = std::make_unique<Slot>();
        slot->easy.reset(curl().easy_init());
        if (!slot->easy)
            throw std::runtime_error("cannot create a libcurl handle");
        CURL *e = slot->easy.get();
        curl().easy_setopt(e, CURLOPT_URL, options.url.c_str());
        curl().easy_setopt(e, CURLOPT_POST, 1L);
        curl().easy_setopt(e, CURLOPT_HTTPHEADER, headers_.get());
        curl().easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
        curl().easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_.count()));
        curl().easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl().easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
        curl().easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
        curl().easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
        curl().easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
        curl().easy_setopt(e, CURLOPT_WRITEFUNCTION, onBody);
        curl().easy_setopt(e, CURLOPT_WRITEDATA, &slot->response);
        curl().easy_setopt(e, CURLOPT_HEADERFUNCTION, onHeader);
        curl().easy_setopt(e, CURLOPT_HEADERDATA, &slot->headers_done);
        curl().easy_setopt(e, CURLOPT_ERRORBUFFER, slot->error);
        curl().easy_setopt(e, CURLOPT_PRIVATE, slot.get());
        if (!options.ca_file.empty())
            curl().easy_setopt(e, CURLOPT_CAINFO, options.ca_file.c_str());
        slots_.push_back(std::move(slot));
    }
    thread_ = startQuietThread([this] { run(); });
}

HttpSender::~HttpSender() {
    finish();
}

void HttpSender::submit(std::string &&line) {
    submitted_.fetch_add(1, std::memory_order_relaxed);
    size_t size_after = 0;
    bool queued = queue_.tryPush(line, &size_after);
    while (!queued && wait_for_room_ && !failing_.load(std::memory_order_relaxed)) {
        queue_.waitForRoom(std::chrono::milliseconds(50));
        queued = queue_.tryPush(line, &size_after);
    }
    if (queued) {
        // Wake the sender when a request's worth is there (a partial batch
        // is sent by the flush timer).
        if (size_after == std::min(options_.batch, queue_.capacity()))
            curl().multi_wakeup(multi_.get());
        return;
    }
    std::lock_guard lock(spool_mutex_);
    spool_.append(line);
    spooled_.fetch_add(1, std::memory_order_relaxed);
}

OutputMetrics HttpSender::liveMetrics() const {
    constexpr auto relaxed = std::memory_order_relaxed;
    return {"http", live_delivered_.load(relaxed), live_retries_.load(relaxed),
            spooled_.load(relaxed), live_rejected_.load(relaxed)};
}

Result<void> HttpSender::finish() {
    if (finished_)
        return Result<void>::fromMessage(finish_error_);
    finished_ = true;
    stop_ = true;
    curl().multi_wakeup(multi_.get());
    if (thread_.joinable())
        thread_.join();
    counters_.submitted = submitted_.load();
    counters_.spooled = spooled_.load();
    std::lock_guard lock(spool_mutex_);
    // Counted after close: its last write may fail (a full disk), and a
    // flow is either left in the spool or lost, never both.
    finish_error_ = spool_.close().error();
    counters_.left_in_spool = spool_.pending();
    counters_.lost = spool_.lost();
    return Result<void>::fromMessage(finish_error_);
}

void HttpSender::run() {
    const Clock::time_point never = Clock::time_point::max();
    Clock::time_point stop_time = never, last_progress = Clock::now();
    for (;;) {
        Clock::time_point now = Clock::now();
        const bool stopping = stop_.load();
        if (stopping && stop_time == never)
            stop_time = now;

        bool idle = true;  // every slot free
        for (auto &slot : slots_) {
            if (slot->state == Slot::State::Waiting && slot->due <= now)
                start(*slot);
            else if (slot->state == Slot::State::Free)
                fill(*slot, now, stopping);
            idle &= slot->state == Slot::State::Free;
        }
        int running = 0;
        curl().multi_perform(multi_.get(), &running);
        bool completed = false;
        int left = 0;
        while (CURLMsg *msg = curl().multi_info_read(multi_.get(), &left)) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            Slot *slot = nullptr;
            curl().easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &slot);
            // Progress is an answer that settles flows: delivered, or
            // rejected (a server that rejects everything is still
            // answering; those flows must not wait for the timeout).
            const uint64_t settled = counters_.delivered + counters_.rejected;
            complete(*slot, msg->data.result, now);
            if (counters_.delivered + counters_.rejected != settled)
                last_progress = now;
            completed = true;
        }
        if (stopping) {
            bool spool_empty;
            {
                std::lock_guard lock(spool_mutex_);
                spool_empty = spool_.pending() == 0;
            }
            if (idle && !completed && queue_.size() == 0 && spool_empty)
                return;
            // Give up after `timeout` without an answer since the stop.
            if (now - std::max(stop_time, last_progress) >= timeout_) {
                giveUp();
                return;
            }
        }
        if (completed)
            continue;  // free slots to refill at once
        curl().multi_poll(multi_.get(), nullptr, 0, pollMillis(now), nullptr);
    }
}

int HttpSender::pollMillis(Clock::time_point now) const {
    Clock::time_point wake = now + kIdlePoll;
    bool free_slot = false;
    for (const auto &slot : slots_) {
        if (slot->state == Slot::State::Waiting)
            wake = std::min(wake, slot->due);
        free_slot |= slot->state == Slot::State::Free;
    }
    // A partial batch's flush time matters only when a slot can take it.
    Clock::time_point oldest = queue_.oldest();
    if (free_slot && oldest != Clock::time_point::max())
        wake = std::min(wake, oldest + flush_interval_);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count();
    return static_cast<int>(std::clamp<int64_t>(ms, 0, kIdlePoll.count()));
}

bool HttpSender::fill(Slot &slot, Clock::time_point now, bool stopping) {
    slot.lines.clear();
    const size_t batch = std::max<size_t>(options_.batch, 1);
    const size_t queued = queue_.size();
    const bool queue_ready =
        queued >= batch || (queued > 0 && (stopping || now >= queue_.oldest() + flush_interval_));
    auto fromSpool = [&] {
        std::lock_guard lock(spool_mutex_);
        std::string line;
        while (slot.lines.size() < batch && spool_.readLine(line))
            slot.lines.push_back(std::move(line));
    };
    // Queue and spool take turns, so neither starves the other.
    spool_turn_ = !spool_turn_;
    if (spool_turn_)
        fromSpool();
    if (slot.lines.empty() && queue_ready)
        queue_.popUpTo(batch, slot.lines);
    if (slot.lines.empty() && !spool_turn_)
        fromSpool();
    if (slot.lines.empty())
        return false;

    // One flow a request posts the flow's own line (start): no copy.
    slot.body.clear();
    if (options_.batch > 1) {
        slot.body += '[';
        for (size_t i = 0; i < slot.lines.size(); i++) {
            if (i)
                slot.body += ',';
            slot.body += slot.lines[i];
        }
        slot.body += ']';
    }
    slot.attempt = 0;
    start(slot);
    return true;
}

void HttpSender::start(Slot &slot) {
    CURL *e = slot.easy.get();
    const std::string &body = options_.batch > 1 ? slot.body : slot.lines.front();
    curl().easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl().easy_setopt(e, CURLOPT_POSTFIELDS, body.data());
    slot.response.clear();
    slot.headers_done = false;
    slot.error[0] = '\0';
    slot.state = Slot::State::InFlight;
    curl().multi_add_handle(multi_.get(), e);
}

void HttpSender::complete(Slot &slot, CURLcode result, Clock::time_point now) {
    long status = 0;
    curl().easy_getinfo(slot.easy.get(), CURLINFO_RESPONSE_CODE, &status);
    curl().multi_remove_handle(multi_.get(), slot.easy.get());
    counters_.requests++;
    const uint64_t n = slot.lines.size();
    // libcurl 7.88 reports a response cut inside its headers ("HTTP/1.1
    // 200 OK\r\nContent-Le", then close) as a success: it is not one.
    const bool incomplete = result == CURLE_OK && !slot.headers_done;
    switch (classifyResponse(result == CURLE_OK && !incomplete, status)) {
        case RequestOutcome::Delivered:
            counters_.delivered += n;
            live_delivered_.fetch_add(n, std::memory_order_relaxed);
            failing_ = false;
            if (options_.print_responses)
                printResponse(slot.response, slot.lines.size());
            slot.state = Slot::State::Free;
            break;
        case RequestOutcome::Retry: {
            counters_.retries++;
            live_retries_.fetch_add(1, std::memory_order_relaxed);
            std::string why = failureReason(result, incomplete, status, slot.error);
            failing_ = true;
            // One line per outage, at most every 10 s; the summary counts them all.
            if (now >= next_failure_report_) {
                std::fprintf(stderr, "netflow: http: POST to %s failed (%s); retrying\n",
                             options_.url.c_str(), why.c_str());
                next_failure_report_ = now + kFailureReportInterval;
            }
            counters_.last_failure = std::move(why);
            slot.attempt++;
            slot.due = now + backoff_.delay(slot.attempt);
            slot.state = Slot::State::Waiting;
            break;
        }
        case RequestOutcome::Reject:
            counters_.rejected += n;
            live_rejected_.fetch_add(n, std::memory_order_relaxed);
            counters_.last_reject_status = status;
            if (rejects_reported_++ < kMaxRejectReports)
                std::fprintf(
                    stderr, "netflow: http: %s rejected %llu flow%s (HTTP %ld, not retried): %s\n",
                    options_.url.c_str(), static_cast<unsigned long long>(n), n == 1 ? "" : "s",
                    status, oneLine(slot.response).substr(0, 200).c_str());
            slot.state = Slot::State::Free;
            break;
    }
    if (slot.state == Slot::State::Free)
        slot.lines.clear();
}

std::string HttpSender::failureReason(CURLcode result, bool incomplete, long status,
                                      const char *error) const {
    if (incomplete)
        return "incomplete response: the connection closed inside its headers";
    // libcurl's own text for a timeout can name the wrong stage (a request
    // queued for a connection "failed to resolve host ... after 0 ms").
    if (result == CURLE_OPERATION_TIMEDOUT)
        return noAnswerReason();
    if (result != CURLE_OK)
        return error[0] ? error : curl().easy_strerror(result);
    return "HTTP " + std::to_string(status);
}

std::string HttpSender::noAnswerReason() const {
    char seconds[32];
    std::snprintf(seconds, sizeof(seconds), "%g", options_.timeout_s);
    return std::string("no answer within --timeout ") + seconds + " s";
}

void HttpSender::giveUp() {
    std::vector<std::string> rest;
    bool abandoned = false;
    for (auto &slot : slots_) {
        abandoned |= slot->state == Slot::State::InFlight;
        if (slot->state == Slot::State::InFlight)
            curl().multi_remove_handle(multi_.get(), slot->easy.get());
        if (slot->state != Slot::State::Free)
            rest.insert(rest.end(), std::make_move_iterator(slot->lines.begin()),
                        std::make_move_iterator(slot->lines.end()));
        slot->lines.clear();
        slot->state = Slot::State::Free;
    }
    queue_.popUpTo(queue_.capacity(), rest);
    // Requests still unanswered when delivery gave up: that is the reason.
    if (abandoned || counters_.last_failure.empty())
        counters_.last_failure = noAnswerReason();
    spoolLines(rest);
}

void HttpSender::spoolLines(const std::vector<std::string> &lines) {
    std::lock_guard lock(spool_mutex_);
    for (const std::string &line : lines)
        spool_.append(line);
}

void HttpSender::printResponse(const std::string &body, size_t flows) {
    std::string out;
    // A batch answered with one element per flow: one line per flow.
    auto elements = options_.batch > 1 ? splitJsonArray(body) : std::nullopt;
    if (elements && elements->size() == flows) {
        for (const std::string &element : *elements)
            out += oneLine(element) + '\n';
    } else {
        out = oneLine(body) + '\n';
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace netflow
