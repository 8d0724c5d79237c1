// Everything the kernel path holds while it captures, acquired in order and
// released in the one safe order (docs/spec/DESIGN.md, "Kernel side"):
//
//   KernelSession session(config);        // load (verifier, --filter), attach,
//                                         // tap: bind the AF_XDP sockets
//   KernelFlowEngine engine(..., session.programs(), ...);
//   session.readInto(engine);             // the ring buffers
//   while (...) session.wait(100); ...    // records and frames to the engine
//   SessionEnd end = session.stop();      // detach, drain rings, drain AF_XDP, close
//
// stop(), or the destructor when stop() was not reached, detaches the
// programs first (no new packets), then reads what the rings and the AF_XDP
// sockets still hold, then closes the sockets; the programs and maps go
// last, with the session. The constructor throws where setup fails, saying
// whether libpcap could take over (SetupError::fallback).
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernel/BpfStats.h"
#include "kernel/CountingPrograms.h"
#include "kernel/EventRing.h"
#include "kernel/InterfaceAttachment.h"
#include "kernel/XskReceiver.h"

namespace netflow {

struct SessionConfig {
    std::string interface;
    CountingConfig counting;  // capture_mode NF_CAPTURE_TAP: AF_XDP sockets too
    AttachOptions attach;
};

class KernelSession {
  public:
    // Setup failed and nothing is attached. `fallback`: libpcap could
    // still capture (programs could not load or attach); false when it
    // would fail the same way (no such interface) or compete with another
    // sensor (the interface lock).
    struct SetupError : std::runtime_error {
        SetupError(const std::string &message, bool fallback)
            : std::runtime_error(message), fallback(fallback) {}
        bool fallback;
    };

    // Throws SetupError, or FilterError for a --filter that cannot run.
    explicit KernelSession(const SessionConfig &config);
    ~KernelSession();
    KernelSession(const KernelSession &) = delete;
    KernelSession &operator=(const KernelSession &) = delete;

    const CountingPrograms &programs() const { return *programs_; }

    // The rings' records, and tap's AF_XDP frames, go to `handler`.
    // Throws KernelError.
    void readInto(EventHandler &handler);

    // Waits up to timeout_ms for records (host) or AF_XDP frames (tap),
    // then hands on everything waiting.
    Result<void> wait(int timeout_ms);
    // Hands on the ring records waiting now, without waiting (at most
    // EventRing::kPayloadBudget payload records): the programs wake the
    // reader only each time a ring fills by another eighth
    // (nf_ring_flags_len), so the caller reads this way at least every
    // round.
    Result<void> readRings();

    Result<nf_kern_stats> stats() const { return stats_.read(); }
    // Detaching at stop() needs CAP_NET_ADMIN: TC egress went through
    // netlink (kernels without tcx). Bpf links need nothing (Privileges.h).
    bool detachNeedsNetAdmin() const {
        return attachment_ && attachment_->hasEgress() &&
               attachment_->tcMethod() == TcMethod::Netlink;
    }
    // tap: packets lost on the AF_XDP sockets so far; host: 0.
    uint64_t xskLost() const;

    // For -v: where it captures, the notes of the attachment and the tap
    // sockets, the --filter's size. One line each.
    std::vector<std::string> describe() const;

    struct End {
        std::vector<std::string> errors;  // one line each; empty: clean
        std::optional<XskCounters> xsk;   // tap
        std::string xsk_mode;
        size_t xsk_sockets = 0;
    };
    // Detaches, reads what the rings and sockets still hold into the
    // handler, closes the sockets. Once; the destructor does it otherwise.
    End stop();

  private:
    void openTapSockets();

    SessionConfig config_;
    std::unique_ptr<CountingPrograms> programs_;
    std::optional<InterfaceAttachment> attachment_;
    std::unique_ptr<XskReceiver> xsk_;
    std::vector<std::string> xsk_notes_;
    std::unique_ptr<EventRing> rings_;
    EventHandler *handler_ = nullptr;
    BpfStats stats_;
    bool stopped_ = false;
};

}  // namespace netflow
