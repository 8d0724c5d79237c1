// What the live attach tests share: the lab that run_attach_live.sh set up
// (the test binary runs inside its client namespace), commands with a time
// limit, what is attached to an interface as the kernel reports it, the
// flow and statistics maps, and the test-only holder process.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netflow_kern_user.h"

namespace nftest {

struct LabEnv {
    std::string ns;           // the client namespace, where this process runs
    std::string ifname;       // the client veth, where the tests attach
    std::string ip4;          // its address
    std::string peer_ns;      // the server namespace
    std::string peer_ifname;  // the server veth
    std::string peer_ip4;
    std::string holder;  // path of nf_attach_holder
};

// From the variables run_attach_live.sh exports; nullopt and *why when they
// are missing or when this process is not inside the lab's client
// namespace (the tests attach for real, and only ever inside a lab).
std::optional<LabEnv> labEnv(std::string *why);

// This process's network namespace is the one `ip netns` calls ns_name.
// A positive check: PID 1's namespace cannot always be read to compare.
bool inLabNamespace(const std::string &ns_name);

struct CommandResult {
    int status = -1;  // exit status, -1 when it did not exit normally
    std::string output;
};
// CMD through the shell, stdout and stderr together, killed after `seconds`.
CommandResult runCommand(const std::string &cmd, int seconds = 20);

uint32_t programId(int prog_fd);

// What the kernel has on the interface's hooks, by program id (0: none).
struct Hooks {
    uint32_t xdp_native = 0;
    uint32_t xdp_generic = 0;
    std::vector<uint32_t> tcx_egress;
    std::vector<uint32_t> tcx_ingress;
    uint32_t tc_netlink_filter = 0;  // our netlink slot (TcAttachment.h)
    bool empty() const {
        return !xdp_native && !xdp_generic && tcx_egress.empty() && tcx_ingress.empty() &&
               !tc_netlink_filter;
    }
};
Hooks hooksOf(int ifindex);

// Polls hooksOf until it is empty or `timeout` passes; true when empty.
bool waitUntilNothingAttached(int ifindex, std::chrono::milliseconds timeout);

void clearFlows(int flow_map_fd);
// The flow between the two IPv4 addresses (dotted) of protocol `proto`.
std::optional<nf_flow_state> findFlow(int flow_map_fd, uint8_t proto, const std::string &a,
                                      const std::string &b);

// The test-only nf_attach_holder, its stdout and stderr in a file. The
// destructor kills it (SIGKILL) if it still runs.
class HolderProcess {
  public:
    HolderProcess(const std::string &path, const std::vector<std::string> &args);
    ~HolderProcess();
    HolderProcess(const HolderProcess &) = delete;
    HolderProcess &operator=(const HolderProcess &) = delete;

    pid_t pid() const { return pid_; }
    // Until "ready" is printed (true) or the process exits or time runs
    // out (false).
    bool waitReady(std::chrono::milliseconds timeout);
    // The exit status, or -1 when it has not exited within `timeout`
    // (or died of a signal: then -2).
    int waitExit(std::chrono::milliseconds timeout);
    void signal(int sig);
    std::string output() const;

  private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    int status_ = 0;
    std::string out_path_;
};

}  // namespace nftest
