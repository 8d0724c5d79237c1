#include "about/About.h"

#include <ndpi/ndpi_api.h>
#include <pcap/pcap.h>
#include <sys/utsname.h>

#include <cstdio>
#include <stdexcept>

#include "about/KernelFeatures.h"
#include "cli/CommandLine.h"
#include "delivery/CurlHandles.h"
#include "filter/FilterError.h"
#include "kernel/KernelSession.h"
#include "kernel/LibbpfLog.h"
#include "pipeline/KernelRun.h"
#include "pipeline/LiveRun.h"

namespace netflow {
namespace {

std::string kernelRelease() {
    utsname u{};
    if (::uname(&u) != 0)
        return "unknown";
    return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

// What a start with these options would capture with: the kernel path set
// up for real (loaded, attached for an instant, detached: the same code as
// a run, so the answer is the run's), or libpcap under --backend's rule.
std::string backendChoice(const Options &options, int *exit_code) {
    const char *asked = options.backend == Backend::Auto  ? "auto"
                        : options.backend == Backend::Xdp ? "xdp"
                                                          : "pcap";
    const std::string head =
        std::string("backend (--backend ") + asked + ") on " + options.interface + ": ";
    if (options.backend == Backend::Pcap)
        return head + "pcap (libpcap, as asked)";
    routeLibbpfLog(options.verbose);
    try {
        KernelSession session(kernelSessionConfig(options));
        std::string text = head + "xdp";
        for (const std::string &line : session.describe())
            text += "\n  " + line;
        KernelSession::End end = session.stop();
        for (const std::string &error : end.errors)
            text += "\n  detaching: " + error;
        return text;
    } catch (const KernelSession::SetupError &e) {
        if (fallsBackToPcap(options, e))
            return head + "pcap (the kernel path is unavailable: " + e.what() + ")";
        *exit_code = kExitRuntimeError;
        return head + "none: " + e.what();
    } catch (const FilterError &e) {
        *exit_code = kExitUsage;
        return head + "none: " + e.what();
    }
}

}  // namespace

std::string aboutText(const Options &options, int *exit_code) {
    *exit_code = kExitOk;
    std::string text = "netflow " NETFLOW_VERSION "\n";
    text += "feature sets (--version): 1 (NF-v1, 12 columns), 2 (NF-v2, 43), 3 (NF-v3, 53)\n";
    text += "libraries:\n";
    text += std::string("  nDPI ") + ndpi_revision() + " (API " +
            std::to_string(ndpi_get_api_version()) + ")\n";
    text += "  libbpf " + libbpfVersion() + "\n";
    text += "  libxdp " NETFLOW_LIBXDP_VERSION " (built with)\n";
    text += std::string("  ") + pcap_lib_version() + "\n";
    try {
        text += std::string("  ") + curl().version() + "\n";
    } catch (const std::runtime_error &e) {
        text += std::string("  libcurl: ") + e.what() + "\n";
    }
    text += "kernel: " + kernelRelease() + "\n";
    for (const KernelFeature &f : probeKernelFeatures())
        text += "  " + f.name + ": " + f.answer + "\n";
    if (!options.interface.empty())
        text += backendChoice(options, exit_code) + "\n";
    return text;
}

int runAbout(const Options &options) {
    int exit_code = kExitOk;
    const std::string text = aboutText(options, &exit_code);
    std::fputs(text.c_str(), stdout);
    return exit_code;
}

}  // namespace netflow
