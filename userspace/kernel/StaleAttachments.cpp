#include "kernel/StaleAttachments.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <cerrno>
#include <cstdlib>

#include "kernel/AttachError.h"
#include "kernel/LibbpfQuiet.h"
#include "kernel/ProgramInfo.h"
#include "kernel/TcAttachment.h"
#include "common/UniqueFd.h"

namespace netflow {
namespace {

using Removed = std::vector<std::string>;

// Removes the legacy XDP program prog_id in `mode` if it has our name.
// "" or an error.
std::string removeXdp(const NetInterface &itf, uint32_t prog_id, uint32_t mode_flag,
                      const char *mode_name, const std::string &ours, Removed &removed) {
    Result<std::string> name = programNameOfId(prog_id);
    if (!name || name.value() != ours)
        return "";  // someone else's program: the attach will say it is busy
    UniqueFd old(bpf_prog_get_fd_by_id(prog_id));
    if (!old)
        return attachErrorMessage("opening the XDP program left on " + itf.name, itf.name, errno);
    // XDP_FLAGS_REPLACE with the old fd: detach exactly that program, not
    // one that replaced it meanwhile.
    LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = old.get());
    int err = bpf_xdp_detach(itf.index, mode_flag | XDP_FLAGS_REPLACE, &opts);
    int e = std::abs(err);
    // EBUSY: a live bpf_link holds it, so it is not a leftover; EEXIST: it
    // changed under us. Either way nothing stale to remove here.
    if (err == 0) {
        removed.push_back("removed XDP program " + ours + " (id " + std::to_string(prog_id) + ", " +
                          mode_name + ") left on " + itf.name + " by an earlier run");
    } else if (e != EBUSY && e != EEXIST && e != ENOENT) {
        return attachErrorMessage("removing the XDP program " + ours + " left on " + itf.name,
                                  itf.name, err);
    }
    return "";
}

std::string removeTc(const NetInterface &itf, const std::string &ours, Removed &removed) {
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = itf.index, .attach_point = BPF_TC_EGRESS);
    LIBBPF_OPTS(bpf_tc_opts, q, .handle = kTcFilterHandle, .priority = kTcFilterPriority);
    // No clsact qdisc or no filter in our slot: ENOENT/EINVAL, nothing left.
    int err;
    {
        LibbpfQuiet quiet;
        err = bpf_tc_query(&hook, &q);
    }
    if (err != 0 || q.prog_id == 0)
        return "";
    uint32_t prog_id = q.prog_id;
    Result<std::string> name = programNameOfId(prog_id);
    if (!name || name.value() != ours)
        return "";  // not ours: the attach will report the slot taken
    LIBBPF_OPTS(bpf_tc_opts, del, .handle = kTcFilterHandle, .priority = kTcFilterPriority);
    err = bpf_tc_detach(&hook, &del);
    if (err && std::abs(err) != ENOENT)
        return attachErrorMessage("removing the TC filter " + ours + " left on " + itf.name,
                                  itf.name, err);
    if (err == 0)
        removed.push_back("removed TC egress filter " + ours + " (id " + std::to_string(prog_id) +
                          ") left on " + itf.name + " by an earlier run");
    return "";
}

}  // namespace

Result<Removed> removeStaleAttachments(const NetInterface &itf, int xdp_prog_fd, int tc_prog_fd) {
    using R = Result<Removed>;
    Result<std::string> xdp_name = programNameOfFd(xdp_prog_fd);
    Result<std::string> tc_name = programNameOfFd(tc_prog_fd);
    if (!xdp_name)
        return R::failure(xdp_name.error());
    if (!tc_name)
        return R::failure(tc_name.error());

    Removed removed;
    LIBBPF_OPTS(bpf_xdp_query_opts, q);
    int err = bpf_xdp_query(itf.index, 0, &q);
    if (err)
        return R::failure(attachErrorMessage("querying XDP on " + itf.name, itf.name, err));
    std::string error;
    if (q.drv_prog_id)
        error =
            removeXdp(itf, q.drv_prog_id, XDP_FLAGS_DRV_MODE, "native", xdp_name.value(), removed);
    if (error.empty() && q.skb_prog_id)
        error =
            removeXdp(itf, q.skb_prog_id, XDP_FLAGS_SKB_MODE, "generic", xdp_name.value(), removed);
    if (error.empty())
        error = removeTc(itf, tc_name.value(), removed);
    if (!error.empty())
        return R::failure(error);
    return removed;
}

}  // namespace netflow
