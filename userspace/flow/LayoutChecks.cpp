// The structs of bpf/flow_types.h are shared with the kernel programs
// by inclusion, never mirrored. These checks pin their layout so that a
// change that would break the BPF maps, the key hashing (which reads the key
// as raw bytes) or the kernel/user ABI fails the build instead.
#include <cstddef>

#include "flow_types.h"

namespace {

// The key is hashed and compared as bytes: it must have no padding.
static_assert(sizeof(nf_flow_key) == 16 + 16 + 2 + 2 + 2 + 1 + 1);
static_assert(offsetof(nf_flow_key, port_lo) == 32);
static_assert(offsetof(nf_flow_key, ip_version) == 39);

static_assert(sizeof(nf_dir_state) == 88);
static_assert(sizeof(nf_flow_state) == 240);
static_assert(offsetof(nf_flow_state, dir) == 0);
static_assert(offsetof(nf_flow_state, first_us) == 2 * sizeof(nf_dir_state));
static_assert(sizeof(nf_flow_state) % 8 == 0, "map values are copied in 8-byte words");

static_assert(sizeof(nf_packet) == 68);
static_assert(sizeof(nf_timeouts) == 16);

}  // namespace
