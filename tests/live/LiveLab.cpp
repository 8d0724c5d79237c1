#include "LiveLab.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "kernel/LibbpfQuiet.h"
#include "kernel/TcAttachment.h"

namespace nftest {
namespace {

std::string env(const char *name) {
    const char *v = std::getenv(name);
    return v ? v : "";
}

}  // namespace

bool inLabNamespace(const std::string &ns_name) {
    struct stat self {};
    struct stat lab {};
    return !ns_name.empty() && ns_name.find('/') == std::string::npos &&
           stat("/proc/self/ns/net", &self) == 0 &&
           stat(("/run/netns/" + ns_name).c_str(), &lab) == 0 && self.st_ino == lab.st_ino &&
           self.st_dev == lab.st_dev;
}

namespace {

constexpr auto kPoll = std::chrono::milliseconds(20);

}  // namespace

std::optional<LabEnv> labEnv(std::string *why) {
    LabEnv lab{env("NF_LIVE_NS"),      env("NF_LIVE_IF"),      env("NF_LIVE_IP4"),
               env("NF_LIVE_PEER_NS"), env("NF_LIVE_PEER_IF"), env("NF_LIVE_PEER_IP4"),
               env("NF_ATTACH_HOLDER")};
    if (lab.ifname.empty() || lab.ip4.empty() || lab.peer_ns.empty() || lab.peer_ifname.empty() ||
        lab.peer_ip4.empty() || lab.holder.empty()) {
        *why = "NF_LIVE_* not set: run these tests through tests/live/run_attach_live.sh";
        return std::nullopt;
    }
    if (!inLabNamespace(lab.ns)) {
        *why = "not inside the lab namespace " + lab.ns + ": the tests attach only inside a lab";
        return std::nullopt;
    }
    return lab;
}

CommandResult runCommand(const std::string &cmd, int seconds) {
    CommandResult result;
    // popen runs it through sh; timeout bounds it, -k kills what ignores
    // the TERM.
    std::string full = "timeout -k 2 " + std::to_string(seconds) + " " + cmd + " 2>&1";
    FILE *pipe = popen(full.c_str(), "r");
    if (!pipe)
        return result;
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0)
        result.output.append(buf.data(), n);
    int status = pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

uint32_t programId(int prog_fd) {
    bpf_prog_info info{};
    uint32_t len = sizeof info;
    return bpf_obj_get_info_by_fd(prog_fd, &info, &len) == 0 ? info.id : 0;
}

Hooks hooksOf(int ifindex) {
    Hooks hooks;
    LIBBPF_OPTS(bpf_xdp_query_opts, q);
    if (bpf_xdp_query(ifindex, 0, &q) == 0) {
        hooks.xdp_native = q.drv_prog_id;
        hooks.xdp_generic = q.skb_prog_id;
    }
    std::array<uint32_t, 16> ids{};
    uint32_t count = ids.size();
    // 47 = BPF_TCX_EGRESS (see TcAttachment.cpp); the query takes the
    // ifindex where other attach types take a target fd.
    if (bpf_prog_query(ifindex, static_cast<bpf_attach_type>(47), 0, nullptr, ids.data(), &count) ==
        0)
        hooks.tcx_egress.assign(ids.begin(), ids.begin() + count);
    count = ids.size();
    // 46 = BPF_TCX_INGRESS
    if (bpf_prog_query(ifindex, static_cast<bpf_attach_type>(46), 0, nullptr, ids.data(), &count) ==
        0)
        hooks.tcx_ingress.assign(ids.begin(), ids.begin() + count);
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
    LIBBPF_OPTS(bpf_tc_opts, tc, .handle = netflow::kTcFilterHandle,
                .priority = netflow::kTcFilterPriority);
    netflow::LibbpfQuiet quiet;  // no clsact, no filter: expected failures
    if (bpf_tc_query(&hook, &tc) == 0)
        hooks.tc_netlink_filter = tc.prog_id;
    return hooks;
}

bool waitUntilNothingAttached(int ifindex, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!hooksOf(ifindex).empty()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(kPoll);
    }
    return true;
}

void clearFlows(int flow_map_fd) {
    // Bounded: the map holds at most max_entries keys; deleting the key
    // just read restarts the walk from the first key.
    nf_flow_key key{};
    for (int i = 0; i < (1 << 20) && bpf_map_get_next_key(flow_map_fd, nullptr, &key) == 0; ++i)
        bpf_map_delete_elem(flow_map_fd, &key);
}

std::optional<nf_flow_state> findFlow(int flow_map_fd, uint8_t proto, const std::string &a,
                                      const std::string &b) {
    in_addr ia{}, ib{};
    if (inet_pton(AF_INET, a.c_str(), &ia) != 1 || inet_pton(AF_INET, b.c_str(), &ib) != 1)
        return std::nullopt;
    nf_flow_key key{};
    nf_flow_key next{};
    const nf_flow_key *prev = nullptr;
    for (int i = 0; i < (1 << 20) && bpf_map_get_next_key(flow_map_fd, prev, &next) == 0; ++i) {
        key = next;
        prev = &key;
        bool pair = (!std::memcmp(key.addr_lo, &ia, 4) && !std::memcmp(key.addr_hi, &ib, 4)) ||
                    (!std::memcmp(key.addr_lo, &ib, 4) && !std::memcmp(key.addr_hi, &ia, 4));
        if (key.ip_version != 4 || key.proto != proto || !pair)
            continue;
        // A snapshot (userspace cannot take the entry's lock,
        // bpf/netflow_lock.h): the callers read it once the traffic is over.
        nf_flow_entry entry{};
        if (bpf_map_lookup_elem(flow_map_fd, &key, &entry) == 0)
            return entry.st;
    }
    return std::nullopt;
}

HolderProcess::HolderProcess(const std::string &path, const std::vector<std::string> &args) {
    char tmpl[] = "/tmp/nf_attach_holder.XXXXXX";
    int fd = mkstemp(tmpl);
    out_path_ = tmpl;
    pid_ = fork();
    if (pid_ == 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        std::vector<char *> argv;
        argv.push_back(const_cast<char *>(path.c_str()));
        for (const std::string &a : args)
            argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        execv(path.c_str(), argv.data());
        _exit(127);
    }
    if (fd >= 0)
        close(fd);
}

HolderProcess::~HolderProcess() {
    if (pid_ > 0 && !reaped_) {
        kill(pid_, SIGKILL);
        waitExit(std::chrono::seconds(5));
    }
    unlink(out_path_.c_str());
}

bool HolderProcess::waitReady(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (output().rfind("ready ", 0) == 0)
            return true;
        if (waitExit(std::chrono::milliseconds(0)) != -1)
            return false;
        std::this_thread::sleep_for(kPoll);
    }
    return false;
}

int HolderProcess::waitExit(std::chrono::milliseconds timeout) {
    if (pid_ <= 0)
        return -2;  // fork failed
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!reaped_) {
        if (waitpid(pid_, &status_, WNOHANG) == pid_) {
            reaped_ = true;
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            return -1;
        std::this_thread::sleep_for(kPoll);
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -2;
}

void HolderProcess::signal(int sig) {
    if (pid_ > 0 && !reaped_)
        kill(pid_, sig);
}

std::string HolderProcess::output() const {
    std::ifstream in(out_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace nftest
