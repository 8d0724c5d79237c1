#include "kernel/KernelSession.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "kernel/RxQueues.h"

namespace netflow {
namespace {

std::unique_ptr<CountingPrograms> loadPrograms(const CountingConfig &config) {
    try {
        return std::make_unique<CountingPrograms>(config);
    } catch (const KernelError &e) {
        throw KernelSession::SetupError(e.what(), true);
    }
}

}  // namespace

KernelSession::KernelSession(const SessionConfig &config)
    : config_(config), programs_(loadPrograms(config.counting)), stats_(programs_->statsMapFd()) {
    // No such interface, or another sensor on it: libpcap would fail the
    // same way or compete (no fallback). The hooks refused: it may not.
    Result<NetInterface> itf = NetInterface::find(config.interface);
    if (!itf)
        throw SetupError(itf.error(), false);
    Result<InterfaceLock> lock = InterfaceLock::acquire(itf.value(), config.attach.lock_dir);
    if (!lock)
        throw SetupError(lock.error(), false);
    auto attached =
        InterfaceAttachment::attach(itf.value(), std::move(lock.value()), programs_->xdpProgramFd(),
                                    programs_->tcProgramFd(), config.attach);
    if (!attached)
        throw SetupError(attached.error(), true);
    attachment_.emplace(std::move(attached.value()));
    if (config.counting.capture_mode == NF_CAPTURE_TAP)
        openTapSockets();
}

// tap: an AF_XDP socket on every RX queue the XSKMAP has room for, bound and
// registered. Zero-copy is tried only under native XDP: generic XDP hands
// the socket skbs, which are always copied. A tap without its sockets has
// captured nothing yet: libpcap may take over.
void KernelSession::openTapSockets() {
    const RxQueues queues = rxQueues(config_.interface);
    const uint32_t usable = std::min(queues.count, programs_->config().xsk_queues);
    try {
        xsk_ = std::make_unique<XskReceiver>(config_.interface, usable,
                                             attachment_->xdpMode() == XdpMode::Native);
    } catch (const KernelError &e) {
        throw SetupError(e.what(), true);
    }
    if (Result<void> ok = xsk_->registerWith(*programs_); !ok)
        throw SetupError(ok.error(), true);
    xsk_notes_.push_back(config_.interface + ": " + std::to_string(queues.count) + " RX queues (" +
                         queues.source + ")");
    if (usable < queues.count)
        xsk_notes_.push_back("RX queues " + std::to_string(usable) +
                             " and up have no AF_XDP socket: their payload packets are copied "
                             "to the payload ring");
    for (const std::string &line : xsk_->describe())
        xsk_notes_.push_back(line);
}

KernelSession::~KernelSession() {
    if (!stopped_)
        stop();
}

void KernelSession::readInto(EventHandler &handler) {
    handler_ = &handler;
    rings_ = std::make_unique<EventRing>(programs_->payloadMapFd(), handler);
    rings_->addRing(programs_->eventsMapFd());
}

Result<void> KernelSession::wait(int timeout_ms) {
    // tap: the payload comes on the AF_XDP sockets, so they are what is
    // waited on; the rings (flow ends, ring copies) are read after.
    if (xsk_) {
        if (Result<size_t> received = xsk_->poll(timeout_ms, *handler_); !received)
            return Result<void>::failure(received.error());
        return readRings();
    }
    Result<int> polled = rings_->poll(timeout_ms);
    if (!polled)
        return Result<void>::failure(polled.error());
    return {};
}

Result<void> KernelSession::readRings() {
    Result<int> read = rings_->consume();
    if (!read)
        return Result<void>::failure(read.error());
    return {};
}

uint64_t KernelSession::xskLost() const {
    if (!xsk_)
        return 0;
    Result<XskCounters> c = xsk_->counters();
    return c ? c.value().lost() : 0;
}

std::vector<std::string> KernelSession::describe() const {
    std::vector<std::string> lines{"capturing on " + attachment_->describe()};
    for (const std::string &note : attachment_->notes())
        lines.push_back(note);
    for (const std::string &note : xsk_notes_)
        lines.push_back(note);
    if (config_.counting.filter)
        lines.push_back("--filter '" + *config_.counting.filter +
                        "' runs in the XDP and TC programs (" +
                        std::to_string(programs_->xdpFilterInstructions()) + " and " +
                        std::to_string(programs_->tcFilterInstructions()) + " eBPF instructions)");
    return lines;
}

KernelSession::End KernelSession::stop() {
    End end;
    stopped_ = true;
    // Stop counting first, then read what the programs left. A packet
    // already inside a program on another CPU may still update the maps
    // just after the detach: a short pause lets it finish.
    if (Result<void> detached = attachment_->detach(); !detached)
        end.errors.push_back(detached.error());
    // The timers end no more flows: what they sent is on the ring (read
    // below, after the pause lets a callback in flight finish), every other
    // flow stays in the map for the final drain.
    programs_->stopExpiry();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (rings_) {
        if (Result<int> last = rings_->consume(); !last)
            end.errors.push_back(last.error());
    }
    // tap: the frames still on the RX rings, the sockets' counts, then the
    // sockets out of the map and closed (the program no longer runs).
    if (xsk_) {
        if (handler_)
            xsk_->drain(*handler_);
        if (Result<XskCounters> c = xsk_->counters())
            end.xsk = c.value();
        else
            end.errors.push_back(c.error());
        end.xsk_mode = xsk_->modeSummary();
        end.xsk_sockets = xsk_->sockets();
        if (Result<void> closed = xsk_->close(); !closed)
            end.errors.push_back(closed.error());
    }
    return end;
}

}  // namespace netflow
