#include "kernel/ProgramInfo.h"

#include <bpf/bpf.h>

#include <cerrno>

#include "common/UniqueFd.h"

namespace netflow {

Result<std::string> programNameOfFd(int prog_fd) {
    bpf_prog_info info{};
    uint32_t len = sizeof info;
    int err = bpf_obj_get_info_by_fd(prog_fd, &info, &len);
    if (err)
        return Result<std::string>::failure(errnoMessage("reading a BPF program's info", err));
    return std::string(info.name);
}

Result<std::string> programNameOfId(uint32_t prog_id) {
    UniqueFd fd(bpf_prog_get_fd_by_id(prog_id));
    if (!fd)
        return Result<std::string>::failure(
            errnoMessage("opening BPF program id " + std::to_string(prog_id), errno));
    return programNameOfFd(fd.get());
}

std::string describeProgram(uint32_t prog_id) {
    Result<std::string> name = programNameOfId(prog_id);
    if (name && !name.value().empty())
        return "program " + name.value() + " (id " + std::to_string(prog_id) + ")";
    return "program id " + std::to_string(prog_id);
}

}  // namespace netflow
