#include "about/KernelFeatures.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kernel/LibbpfQuiet.h"

namespace netflow {
namespace {

// BPF_TCX_INGRESS of enum bpf_attach_type (kernel 6.6), newer than Debian
// 12's uapi headers (kernel/TcAttachment.cpp has its egress twin).
constexpr int kBpfTcxIngress = 46;

// A libbpf probe's answer: 1 yes, 0 no, < 0 it could not tell.
std::string answer(int probed) {
    if (probed == 1)
        return "yes";
    if (probed == 0)
        return "no";
    if (probed == -EPERM || probed == -EACCES)
        return "unknown (needs root or CAP_BPF)";
    return std::string("unknown (") + std::strerror(-probed) + ")";
}

// tcx: the kernel knows the attach type when it can query it (on lo, which
// every network namespace has); older kernels say EINVAL.
std::string tcx() {
    __u32 count = 0;
    const int rc = bpf_prog_query(1, static_cast<bpf_attach_type>(kBpfTcxIngress), 0, nullptr,
                                  nullptr, &count);
    if (rc == 0)
        return "yes";
    if (errno == EINVAL)
        return "no (TC egress through a netlink clsact filter)";
    if (errno == EPERM || errno == EACCES)
        return "unknown (needs root or CAP_NET_ADMIN)";
    return std::string("unknown (") + std::strerror(errno) + ")";
}

}  // namespace

std::vector<KernelFeature> probeKernelFeatures() {
    LibbpfQuiet quiet;
    std::vector<KernelFeature> out;
    out.push_back({"BTF", ::access("/sys/kernel/btf/vmlinux", R_OK) == 0
                              ? "yes"
                              : "no (/sys/kernel/btf/vmlinux missing)"});
    // libbpf's probes cannot tell "not permitted" from "not supported" (a
    // refused load reads as either): without the right to create the
    // simplest map, every answer would be a guess.
    if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_ARRAY, nullptr) != 1) {
        for (const char *name : {"BPF ring buffer", "XDP", "AF_XDP (tap)", "bpf_xdp_load_bytes",
                                 "TC (sched_cls)", "tcx", "bpf_timer"})
            out.push_back({name, "unknown (needs root or CAP_BPF)"});
        return out;
    }
    out.push_back(
        {"BPF ring buffer", answer(libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, nullptr))});
    std::string xdp = answer(libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, nullptr));
    if (xdp == "yes")
        xdp += " (generic on any interface; native where the driver has it: --about -i IF)";
    out.push_back({"XDP", xdp});
    out.push_back(
        {"AF_XDP (tap)", answer(libbpf_probe_bpf_map_type(BPF_MAP_TYPE_XSKMAP, nullptr))});
    out.push_back(
        {"bpf_xdp_load_bytes",
         answer(libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_xdp_load_bytes, nullptr))});
    out.push_back(
        {"TC (sched_cls)", answer(libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SCHED_CLS, nullptr))});
    out.push_back({"tcx", tcx()});
    out.push_back({"bpf_timer", answer(libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP,
                                                               BPF_FUNC_timer_init, nullptr))});
    return out;
}

std::string libbpfVersion() {
    return libbpf_version_string();
}

}  // namespace netflow
