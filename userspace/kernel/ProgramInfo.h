// Names of loaded BPF programs, to tell ours from another tool's: what a
// crashed netflow left attached is recognised by its program name
// ("nf_xdp_count", "nf_tc_count"), and refusals name what holds the hook.
#pragma once

#include <cstdint>
#include <string>

#include "kernel/KernelError.h"

namespace netflow {

// The name the program was loaded with (the kernel keeps 15 characters).
Result<std::string> programNameOfFd(int prog_fd);
Result<std::string> programNameOfId(uint32_t prog_id);

// "program NAME (id N)", or "program id N" when the name cannot be read.
std::string describeProgram(uint32_t prog_id);

}  // namespace netflow
