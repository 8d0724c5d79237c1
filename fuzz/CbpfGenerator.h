// Classic BPF programs for the translator's fuzz target, from raw bytes.
//
// libpcap's bpf_validate() is not exported by Debian's libpcap, so its
// rules are kept here (valid opcodes, M[k] with k < 16, no constant
// division or modulo by 0, no constant shift beyond 31, jumps forward and
// inside the program, a return last), plus the Linux kernel's classic
// check that no M[k] is read before a store on every path to it
// (net/core/filter.c, check_load_and_stores): libpcap 1.10's interpreter
// leaves the scratch memory uninitialized, so such a program has no
// defined result to compare.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "filter/CbpfProgram.h"

namespace nffuzz {

// Whether `program` passes the rules above.
bool validCbpf(std::span<const netflow::CbpfInsn> program);

// A program of `count` instructions from `bytes` (8 a instruction, zeros
// when they run out), bent into one validCbpf() accepts: an unknown opcode
// replaced by a valid one, constants and jumps brought into range, a return
// last, and a scratch load with no store before it made an immediate load.
std::vector<netflow::CbpfInsn> validProgramFrom(std::span<const uint8_t> bytes, size_t count);

// The same bytes as instructions, unchanged (for the translator's refusals).
std::vector<netflow::CbpfInsn> rawProgramFrom(std::span<const uint8_t> bytes, size_t count);

}  // namespace nffuzz
