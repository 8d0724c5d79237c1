#include "kernel/XskSocket.h"

#include <sys/mman.h>
#include <sys/socket.h>
#include <xdp/xsk.h>

#include <cerrno>
#include <vector>

namespace netflow {
namespace {

// Never used: nothing is sent. The kernel insists on a completion ring for
// a UMEM's first socket all the same.
constexpr uint32_t kCompletionEntries = 64;

}  // namespace

XskStatistics &XskStatistics::operator+=(const XskStatistics &o) {
    rx_dropped += o.rx_dropped;
    rx_invalid_descs += o.rx_invalid_descs;
    rx_ring_full += o.rx_ring_full;
    rx_fill_ring_empty += o.rx_fill_ring_empty;
    return *this;
}

// libxdp keeps pointers to the rings: they live here, at a fixed address.
struct XskSocket::Rings {
    void *area = MAP_FAILED;
    size_t area_bytes = 0;
    xsk_ring_prod fill{};
    xsk_ring_cons completion{};
    xsk_ring_cons rx{};
    xsk_umem *umem = nullptr;
    xsk_socket *xsk = nullptr;
    // Frames back from the RX ring, not yet on the fill ring.
    std::vector<uint64_t> free_frames;

    void close() {
        if (xsk)
            xsk_socket__delete(xsk);
        if (umem)
            xsk_umem__delete(umem);
        xsk = nullptr;
        umem = nullptr;
    }
    ~Rings() {
        close();
        if (area != MAP_FAILED)
            munmap(area, area_bytes);
    }
};

XskSocket::XskSocket(const std::string &ifname, uint32_t queue, bool try_zero_copy,
                     const XskRingConfig &config)
    : queue_(queue), config_(config), rings_(std::make_unique<Rings>()) {
    const std::string what = "AF_XDP socket on " + ifname + " RX queue " + std::to_string(queue);
    Rings &r = *rings_;
    r.area_bytes = static_cast<size_t>(config.frames) * config.frame_size;
    r.area =
        mmap(nullptr, r.area_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r.area == MAP_FAILED)
        throw KernelError(errnoMessage("allocating the UMEM of the " + what, errno));

    int err = -EOPNOTSUPP;
    if (try_zero_copy) {
        err = bind(ifname, XDP_ZEROCOPY);
        if (err)
            zero_copy_failure_ = errnoMessage("zero-copy", err);
    }
    if (err)
        err = bind(ifname, XDP_COPY);
    if (err)
        throw KernelError(errnoMessage("binding the " + what, err));

    xdp_options options{};
    socklen_t len = sizeof(options);
    if (getsockopt(fd(), SOL_XDP, XDP_OPTIONS, &options, &len) == 0)
        zero_copy_ = (options.flags & XDP_OPTIONS_ZEROCOPY) != 0;

    r.free_frames.reserve(config.frames);
    for (uint32_t i = 0; i < config.frames; i++)
        r.free_frames.push_back(static_cast<uint64_t>(i) * config.frame_size);
    lendFreeFrames();
}

XskSocket::~XskSocket() = default;

// A UMEM and a socket bound with bind_flags; on failure neither remains
// (a failed bind leaves the UMEM's rings set up on its fd, so the next
// attempt starts from a fresh one). 0 or a negative errno.
int XskSocket::bind(const std::string &ifname, uint16_t bind_flags) {
    Rings &r = *rings_;
    xsk_umem_config umem_config{};
    umem_config.fill_size = config_.frames;
    umem_config.comp_size = kCompletionEntries;
    umem_config.frame_size = config_.frame_size;
    umem_config.frame_headroom = 0;
    umem_config.flags = 0;
    int err = xsk_umem__create(&r.umem, r.area, r.area_bytes, &r.fill, &r.completion, &umem_config);
    if (err) {
        r.umem = nullptr;
        return err;
    }
    xsk_socket_config socket_config{};
    socket_config.rx_size = config_.frames;
    socket_config.tx_size = 0;
    socket_config.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
    socket_config.xdp_flags = 0;
    socket_config.bind_flags = static_cast<uint16_t>(bind_flags | XDP_USE_NEED_WAKEUP);
    err =
        xsk_socket__create(&r.xsk, ifname.c_str(), queue_, r.umem, &r.rx, nullptr, &socket_config);
    if (err) {
        r.xsk = nullptr;
        r.close();
    }
    return err;
}

int XskSocket::fd() const {
    return xsk_socket__fd(rings_->xsk);
}

void XskSocket::lendFreeFrames() {
    Rings &r = *rings_;
    const uint32_t want = static_cast<uint32_t>(r.free_frames.size());
    if (want == 0)
        return;
    uint32_t n = xsk_prod_nb_free(&r.fill, want);
    if (n > want)
        n = want;
    uint32_t idx = 0;
    if (n == 0 || xsk_ring_prod__reserve(&r.fill, n, &idx) != n)
        return;  // the ring is full: they go next time
    for (uint32_t i = 0; i < n; i++) {
        *xsk_ring_prod__fill_addr(&r.fill, idx + i) = r.free_frames.back();
        r.free_frames.pop_back();
    }
    xsk_ring_prod__submit(&r.fill, n);
    // A zero-copy driver that ran out of frames waits to be told.
    if (xsk_ring_prod__needs_wakeup(&r.fill))
        recvfrom(fd(), nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
}

size_t XskSocket::receive(size_t max, XskFrameHandler &handler) {
    Rings &r = *rings_;
    uint32_t idx = 0;
    const uint32_t n = xsk_ring_cons__peek(&r.rx, static_cast<uint32_t>(max), &idx);
    const auto *area = static_cast<const uint8_t *>(r.area);
    const uint64_t frame_mask = ~static_cast<uint64_t>(config_.frame_size - 1);
    for (uint32_t i = 0; i < n; i++) {
        const xdp_desc *desc = xsk_ring_cons__rx_desc(&r.rx, idx + i);
        // Aligned mode: the descriptor points into its frame, past the
        // headroom; the frame's start is what goes back on the fill ring.
        const uint64_t frame = desc->addr & frame_mask;
        const uint64_t offset = desc->addr - frame;
        if (frame >= r.area_bytes || offset + desc->len > config_.frame_size) {
            handler.onXskFrame({}, {});  // outside the UMEM: only counted, never read
            continue;
        }
        handler.onXskFrame(std::span<const uint8_t>(area + frame, offset),
                           std::span<const uint8_t>(area + desc->addr, desc->len));
        r.free_frames.push_back(frame);
    }
    if (n)
        xsk_ring_cons__release(&r.rx, n);
    lendFreeFrames();
    return n;
}

Result<XskStatistics> XskSocket::statistics() const {
    xdp_statistics s{};
    socklen_t len = sizeof(s);
    if (getsockopt(fd(), SOL_XDP, XDP_STATISTICS, &s, &len) != 0)
        return Result<XskStatistics>::failure(errnoMessage(
            "reading the statistics of the AF_XDP socket of RX queue " + std::to_string(queue_),
            errno));
    // Kernels before 5.9 fill only the first three fields; the rest stay 0.
    XskStatistics out;
    out.rx_dropped = s.rx_dropped;
    out.rx_invalid_descs = s.rx_invalid_descs;
    out.rx_ring_full = s.rx_ring_full;
    out.rx_fill_ring_empty = s.rx_fill_ring_empty_descs;
    return out;
}

}  // namespace netflow
