// libbpf's own messages (why a map or program failed to load, with the
// verifier's log) go to our stderr, prefixed "netflow: libbpf: ", and only
// with -v: without it our one-line errors say what failed.
#pragma once

namespace netflow {

// Process-wide (libbpf has one print callback). Call before opening.
void routeLibbpfLog(bool verbose);

}  // namespace netflow
