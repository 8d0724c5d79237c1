// Flows exported per second on this thread: the same synthetic flows written
// as CSV to /dev/null, as IPFIX and as NetFlow v9 over UDP to a socket of
// this process on 127.0.0.1 (bound, never read: the kernel drops what does
// not fit, the exporter is timed, not a collector). Rounds alternate; the
// median of each is printed with the bytes on the wire per flow.
//
//   export_bench FLOWS ROUNDS VERSION     (VERSION: the NF feature set 1..3)
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "dpi/FlowClassifier.h"
#include "export/CollectorSink.h"
#include "features/FlowFeatures.h"
#include "output/CsvWriter.h"

using namespace netflow;

namespace {

std::vector<FlowRecord> makeFlows(size_t n) {
    std::vector<FlowRecord> flows(n);
    for (size_t i = 0; i < n; i++) {
        FlowRecord &f = flows[i];
        f.key.ip_version = 4;
        f.key.proto = i % 5 ? 6 : 17;
        const uint32_t a = 0x0a000000u + static_cast<uint32_t>(i), b = 0xc0a80001u;
        for (int k = 0; k < 4; k++) {
            f.key.addr_lo[k] = static_cast<uint8_t>(a >> (24 - 8 * k));
            f.key.addr_hi[k] = static_cast<uint8_t>(b >> (24 - 8 * k));
        }
        f.key.port_lo = static_cast<uint16_t>(1024 + i % 60000);
        f.key.port_hi = 443;
        f.state.src_is_lo = 1;
        f.state.first_us = 1'700'000'000'000'000ULL + i * 1000;
        f.state.last_us = f.state.first_us + 250'000 + i % 1000;
        for (int d = 0; d < 2; d++) {
            auto &dir = f.state.dir[d];
            dir.pkts = static_cast<uint32_t>(3 + i % 40);
            dir.bytes = dir.pkts * (60 + i % 1400);
            dir.first_us = f.state.first_us;
            dir.last_us = f.state.last_us;
            dir.iat_min_us = 100;
            dir.iat_max_us = 90'000;
            dir.iat_sum_us = (dir.pkts - 1) * 5000ULL;
            dir.iat_sumsq_lo = (dir.pkts - 1) * 5000ULL * 5000ULL;
            dir.tcp_flags = 0x1b;
            dir.win_max = 64240;
        }
        f.state.min_ttl = 60;
        f.state.max_ttl = 64;
        f.state.min_len = 40;
        f.state.max_len = 1500;
        f.cls.l7 = L7Protocol{91, static_cast<uint16_t>(i % 200)};
    }
    return flows;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: export_bench FLOWS ROUNDS VERSION\n");
        return 2;
    }
    const size_t n = std::strtoull(argv[1], nullptr, 10);
    const int rounds = std::atoi(argv[2]);
    const int version = std::atoi(argv[3]);
    FlowClassifier classifier(false);
    FlowFeatures features(classifier, LabelSpec{});
    const auto columns = defaultSelection(version, false);
    const auto flows = makeFlows(n);

    const int sink_fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (sink_fd < 0 || ::bind(sink_fd, reinterpret_cast<sockaddr *>(&addr), len) != 0 ||
        ::getsockname(sink_fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
        std::perror("export_bench: socket");
        return 1;
    }
    const uint16_t port = ntohs(addr.sin_port);

    std::vector<double> csv_s, ipfix_s, v9_s;
    double ipfix_bytes = 0, v9_bytes = 0;
    using Clock = std::chrono::steady_clock;
    for (int r = 0; r < rounds; r++) {
        {
            auto t0 = Clock::now();
            CsvWriter csv("/dev/null", columns, features);
            for (const FlowRecord &f : flows)
                csv.exportFlow(f);
            if (!csv.finish())
                return 1;
            csv_s.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
        }
        for (ExportScheme scheme : {ExportScheme::Ipfix, ExportScheme::Netflow9}) {
            ExportTarget target;
            target.scheme = scheme;
            target.host = "127.0.0.1";
            target.port = port;
            target.uri = std::string(schemeName(scheme)) + "://127.0.0.1:" + std::to_string(port);
            auto t0 = Clock::now();
            CollectorSink sink(target, ExportSettings{}, columns, features, {});
            for (const FlowRecord &f : flows)
                sink.exportFlow(f);
            if (!sink.finish())
                return 1;
            const double s = std::chrono::duration<double>(Clock::now() - t0).count();
            const double per_flow = static_cast<double>(sink.counters().bytes) / n;
            if (scheme == ExportScheme::Ipfix) {
                ipfix_s.push_back(s);
                ipfix_bytes = per_flow;
            } else {
                v9_s.push_back(s);
                v9_bytes = per_flow;
            }
        }
    }
    ::close(sink_fd);
    const double csv = n / median(csv_s), ipfix = n / median(ipfix_s), v9 = n / median(v9_s);
    std::printf("export_bench: %zu flows, NF-v%d columns (%zu), median of %d rounds\n", n, version,
                columns.size(), rounds);
    std::printf("  csv        %10.0f flows/s\n", csv);
    std::printf("  ipfix/udp  %10.0f flows/s  %6.1f bytes/flow  (%.2fx csv)\n", ipfix, ipfix_bytes,
                ipfix / csv);
    std::printf("  netflow9   %10.0f flows/s  %6.1f bytes/flow  (%.2fx csv)\n", v9, v9_bytes,
                v9 / csv);
    std::printf("IPFIX_FLOWS_PER_S=%.0f\nCSV_FLOWS_PER_S=%.0f\n", ipfix, csv);
    return 0;
}
