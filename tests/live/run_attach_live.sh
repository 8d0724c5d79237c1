#!/bin/bash
# run_attach_live.sh TEST_BINARY HOLDER SOURCE_DIR [gtest args...]
#
# Builds a two-namespace veth lab (tools/lab/netns.sh, unique suffix), runs
# the live attach tests inside its client namespace (the only place they
# attach anything) and removes the lab on every exit path. Exit 77 (skipped)
# when not root; as root every test runs.
set -u

if [ "$#" -lt 3 ]; then
  echo "usage: $0 TEST_BINARY HOLDER SOURCE_DIR [gtest args...]" >&2
  exit 2
fi
test_bin=$1 holder=$2 src=$3
shift 3

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIPPED: the live attach tests need root (CAP_BPF + CAP_NET_ADMIN)"
  exit 77
fi

# shellcheck source=../../tools/lab/netns.sh
source "$src/tools/lab/netns.sh"
nf_lab_require_tools ip bpftool ping tc timeout || exit 1

trap nf_lab_down EXIT
trap 'exit 130' INT TERM
nf_lab_up "attach$$" || { echo "run_attach_live.sh: could not build the lab" >&2; exit 1; }

export NF_LIVE_NS=$NF_CLI_NS NF_LIVE_IF=$NF_CLI_IF NF_LIVE_IP4=$NF_CLI_IP4
export NF_LIVE_PEER_NS=$NF_SRV_NS NF_LIVE_PEER_IF=$NF_SRV_IF NF_LIVE_PEER_IP4=$NF_SRV_IP4
export NF_ATTACH_HOLDER=$holder
# Bounded well inside ctest's TIMEOUT, so that the trap still runs.
timeout -k 5 240 ip netns exec "$NF_CLI_NS" "$test_bin" "$@"
