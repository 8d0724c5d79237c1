// xdp_replay: a NIC-like traffic source for the lab. It replays the frames
// of a capture into one end of a veth pair with BPF_PROG_RUN and
// BPF_F_TEST_XDP_LIVE_FRAMES: a small XDP program (xdp_replay.bpf.c) gives
// each copy its round's addresses and redirects it to the interface, whose
// ndo_xdp_xmit hands the frame to the peer's native XDP program as an
// xdp_frame (no skb), as a NIC's receive ring would. tcpreplay instead
// sends skbs, which the peer's XDP sees through the skb path.
//
//   xdp_replay -i IFNAME -r CAPTURE [--rounds R] [--first-round N]
//              [--count N] [--seconds S] [--batch B]
//
// Order: the capture's frames in order (the template), R times over (the
// rounds). Round r (r = first .. first + R - 1) shifts the middle 16 bits
// of both IPv4 addresses (2nd and 3rd octets) by r, checksums updated, so
// every round is a new set of flows, both directions together (the same
// rewriting as tools/gen_bench_pcap). Rounds must stay below 65536. The
// template sits in a BPF array map; each program run copies its frame over
// the test run's page, so one BPF_PROG_RUN sends many frames (a call has a
// large fixed cost: its page pool).
//
// Template: the IPv4 frames of CAPTURE (pcap or pcapng, Ethernet, up to two
// VLAN tags) captured in full and no longer than the interface's MTU plus
// 18 bytes of link header (at most 1536); others are skipped and counted.
// At most 262,144 frames (the template map holds about 1.5 KiB a frame).
//
// Bounds: --count N stops after N frames (default: the whole replay),
// --seconds S after S seconds (default 60; checked between BPF_PROG_RUN
// calls, each sized to last about half a second at the rate measured so
// far: 4,096 to 262,144 frames).
// Output (stdout, one line): frames sent, template size, rounds, seconds,
// frames/s, skipped frames. "Sent" is what the program redirected; the
// peer's counters say what arrived (a veth drops redirected frames when its
// peer has no XDP program attached).
//
// Runs only outside the initial network namespace (lab namespaces,
// tools/lab/netns.sh). Needs root (CAP_BPF + CAP_NET_ADMIN).
// Exit status: 0 sent, 1 runtime error, 2 usage error.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "TemplateFrames.h"
#include "xdp_replay_frame.h"
#include "xdp_replay.skel.h"

namespace {

struct Options {
    std::string ifname;
    std::string capture;
    uint64_t rounds = 1;
    uint64_t first_round = 0;
    uint64_t count = UINT64_MAX;
    double seconds = 60;
    uint32_t batch = 64;
};

[[noreturn]] void usage(const std::string &msg) {
    std::fprintf(stderr, "xdp_replay: %s\n", msg.c_str());
    std::fprintf(stderr,
                 "usage: xdp_replay -i IFNAME -r CAPTURE [--rounds R] "
                 "[--first-round N] [--count N] [--seconds S] [--batch B]\n");
    std::exit(2);
}

[[noreturn]] void fail(const std::string &msg) {
    std::fprintf(stderr, "xdp_replay: %s\n", msg.c_str());
    std::exit(1);
}

uint64_t number(const char *flag, const char *text, uint64_t min, uint64_t max) {
    char *end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v < min || v > max)
        usage(std::string(flag) + " wants an integer from " + std::to_string(min) + " to " +
              std::to_string(max) + ", not '" + text + "'");
    return v;
}

Options parse(int argc, char **argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> const char * {
            if (i + 1 >= argc)
                usage(a + " needs a value");
            return argv[++i];
        };
        if (a == "-i") {
            o.ifname = value();
        } else if (a == "-r") {
            o.capture = value();
        } else if (a == "--rounds") {
            o.rounds = number("--rounds", value(), 1, 65536);
        } else if (a == "--first-round") {
            o.first_round = number("--first-round", value(), 0, 65535);
        } else if (a == "--count") {
            o.count = number("--count", value(), 1, UINT64_MAX / 2);
        } else if (a == "--seconds") {
            o.seconds = static_cast<double>(number("--seconds", value(), 1, 86400));
        } else if (a == "--batch") {
            o.batch = static_cast<uint32_t>(number("--batch", value(), 1, 256));
        } else {
            usage("unknown argument '" + a + "'");
        }
    }
    if (o.ifname.empty() || o.capture.empty())
        usage("-i and -r are required");
    if (o.first_round + o.rounds > 65536)
        usage("--first-round + --rounds must stay within 65536 rounds");
    return o;
}

uint32_t interface_mtu(const std::string &ifname) {
    std::ifstream in("/sys/class/net/" + ifname + "/mtu");
    uint32_t mtu = 0;
    if (!(in >> mtu) || mtu == 0)
        fail("cannot read the MTU of " + ifname);
    return mtu;
}

// Only inside a named network namespace (ip netns, as the lab makes them):
// never on the machine's own interfaces.
void require_lab_namespace() {
    struct stat self {};
    if (stat("/proc/self/ns/net", &self) != 0)
        fail("cannot read /proc/self/ns/net");
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator("/run/netns", ec)) {
        struct stat ns {};
        if (stat(entry.path().c_str(), &ns) == 0 && ns.st_ino == self.st_ino &&
            ns.st_dev == self.st_dev)
            return;
    }
    fail(
        "refusing to send outside a named network namespace: run inside a lab "
        "namespace (ip netns exec, tools/lab/netns.sh)");
}

struct SkelDeleter {
    void operator()(xdp_replay *s) const { xdp_replay__destroy(s); }
};

}  // namespace

int main(int argc, char **argv) {
    Options o = parse(argc, argv);
    require_lab_namespace();
    unsigned ifindex = if_nametoindex(o.ifname.c_str());
    if (ifindex == 0)
        fail("no interface " + o.ifname + " in this network namespace");
    SkippedFrames skipped;
    uint32_t max_len = std::min<uint32_t>(interface_mtu(o.ifname) + 18, REPLAY_MAX_FRAME);
    std::vector<Frame> frames;
    if (std::string err = loadTemplate(o.capture, max_len, frames, skipped); !err.empty())
        fail(err);
    // The template map costs about 1.5 KiB a frame.
    constexpr size_t kMaxTemplate = 262144;
    if (frames.size() > kMaxTemplate)
        fail(o.capture + " holds " + std::to_string(frames.size()) + " frames to replay, at most " +
             std::to_string(kMaxTemplate) + " (use more rounds of a smaller capture)");

    std::unique_ptr<xdp_replay, SkelDeleter> skel(xdp_replay__open());
    if (!skel)
        fail("cannot open the BPF program: " + std::string(std::strerror(errno)));
    skel->rodata->target_ifindex = ifindex;
    skel->rodata->template_frames = static_cast<uint32_t>(frames.size());
    skel->rodata->first_round = static_cast<uint32_t>(o.first_round);
    if (bpf_map__set_max_entries(skel->maps.frames, static_cast<uint32_t>(frames.size())) != 0)
        fail("cannot size the template map");
    if (int err = xdp_replay__load(skel.get()); err != 0)
        fail("cannot load the BPF program: " + std::string(std::strerror(-err)));
    int prog_fd = bpf_program__fd(skel->progs.xdp_replay);
    int map_fd = bpf_map__fd(skel->maps.frames);
    {
        auto value = std::make_unique<replay_frame>();
        for (uint32_t i = 0; i < frames.size(); ++i) {
            const Frame &f = frames[i];
            *value = replay_frame{};
            value->len = static_cast<uint32_t>(f.bytes.size());
            value->ip_off = f.ip_off;
            value->l4_csum_off = f.l4_csum_off;
            value->is_udp = f.udp ? 1 : 0;
            value->saddr = f.saddr;
            value->daddr = f.daddr;
            std::memcpy(value->bytes, f.bytes.data(), f.bytes.size());
            if (bpf_map_update_elem(map_fd, &i, value.get(), BPF_ANY) != 0)
                fail("cannot store the template: " + std::string(std::strerror(errno)));
        }
    }

    // The page every run overwrites: as long as the longest frame.
    std::vector<uint8_t> page(REPLAY_MAX_FRAME, 0);
    const uint64_t total = std::min<uint64_t>(o.count, frames.size() * o.rounds);
    constexpr uint64_t kMinChunk = 4096, kMaxChunk = 262144;
    uint64_t chunk = kMinChunk;
    auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    uint64_t runs = 0;
    bool timed_out = false;
    while (runs < total) {
        if (elapsed() >= o.seconds) {
            timed_out = true;
            break;
        }
        uint64_t n = std::min(chunk, total - runs);
        double call_start = elapsed();
        LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = page.data(),
                    .data_size_in = static_cast<uint32_t>(page.size()),
                    .repeat = static_cast<int>(n), .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
                    .batch_size = o.batch);
        if (bpf_prog_test_run_opts(prog_fd, &run) != 0)
            fail("BPF_PROG_RUN (live frames) failed after " + std::to_string(runs) +
                 " frames: " + std::strerror(errno));
        runs += n;
        double took = elapsed() - call_start;
        double next = took > 0 ? static_cast<double>(n) * 0.5 / took : kMaxChunk;
        chunk = std::clamp<uint64_t>(static_cast<uint64_t>(next), kMinChunk, kMaxChunk);
    }
    double secs = elapsed();
    uint64_t sent = skel->bss->sent;
    if (skel->bss->next_copy != runs || sent + skel->bss->failed != runs)
        fail("the program ran " + std::to_string(skel->bss->next_copy) + " times for " +
             std::to_string(runs) + " frames");
    if (skel->bss->failed != 0)
        fail(std::to_string(skel->bss->failed) + " of " + std::to_string(runs) +
             " frames could not be built");
    uint64_t rounds = (runs + frames.size() - 1) / frames.size();
    std::printf(
        "xdp_replay: sent %llu frames (%zu template frames, %llu rounds from %llu) in %.3f s, "
        "%.0f frames/s%s; skipped %llu not IPv4, %llu truncated, %llu longer than %u bytes\n",
        static_cast<unsigned long long>(sent), frames.size(),
        static_cast<unsigned long long>(rounds), static_cast<unsigned long long>(o.first_round),
        secs, secs > 0 ? static_cast<double>(sent) / secs : 0.0,
        timed_out ? " (stopped by --seconds)" : "",
        static_cast<unsigned long long>(skipped.not_ipv4),
        static_cast<unsigned long long>(skipped.truncated),
        static_cast<unsigned long long>(skipped.too_long), max_len);
    return 0;
}
