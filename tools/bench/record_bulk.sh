#!/usr/bin/env bash
# Records long TCP transfers in the lab into a pcap: the bulk part of the
# benchmark mixes (tools/bench/nic_bench.sh, tools/bench/bulk_bench.sh).
#
#   tools/bench/record_bulk.sh OUT.pcap TRANSFERS MIB
#
# Sets up its own network-namespace lab (tools/lab/netns.sh: tso/gso/gro
# and checksum offloads off, so packets are MTU-sized as a NIC delivers
# them), serves MIB MiB of random bytes (seed 10) with nginx
# (tools/lab/servers.sh) and fetches them TRANSFERS times with curl over
# IPv4, one after the other, while tcpdump records `tcp port 80` on the
# server's end (-s 2048: whole frames, the MTU is 1500; a 1 GiB buffer).
# Each transfer is its own TCP connection. Fails (exit 1) when tcpdump lost
# a packet, so a recording is complete or there is none.
#
# Environment:
#   RECORD_RATE=R  curl --limit-rate R for each transfer (e.g. 300M), for a
#                  machine where tcpdump cannot keep up (default: none)
#   RECORD_TIMEOUT=S  bound on one transfer (default 120)
#   WORK_DIR=dir   where the lab's files go (default a new /dev/shm dir)
#
# Exit status: 0 with OUT.pcap written; 1 when the lab, nginx, curl or
# tcpdump failed; 2 on a usage error or when not root.
# shellcheck source-path=SCRIPTDIR/../..
set -uo pipefail

die() { echo "record_bulk: $*" >&2; exit 2; }
error() { echo "record_bulk: $*" >&2; exit 1; }
[[ $# -eq 3 ]] || die "usage: $0 OUT.pcap TRANSFERS MIB"
OUT=$1 TRANSFERS=$2 MIB=$3
for v in TRANSFERS MIB; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done
[[ $(id -u) == 0 ]] || die "needs root (network namespaces)"
TIMEOUT=${RECORD_TIMEOUT:-120}
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "RECORD_TIMEOUT must be a positive integer"
rate=()
[[ -n ${RECORD_RATE:-} ]] && rate=(--limit-rate "$RECORD_RATE")
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
for t in ip ethtool tcpdump curl nginx python3 timeout; do
    command -v "$t" >/dev/null || error "required tool '$t' not found (make deps)"
done

# shellcheck source=tools/lab/netns.sh
source "$REPO/tools/lab/netns.sh"
# shellcheck source=tools/lab/servers.sh
source "$REPO/tools/lab/servers.sh"

own_work=0
if [[ -n ${WORK_DIR:-} ]]; then
    WORK=$WORK_DIR
    mkdir -p "$WORK" || error "cannot create $WORK"
else
    WORK=$(mktemp -d /dev/shm/record_bulk.XXXXXX) || error "mktemp failed"
    own_work=1
fi
chmod 755 "$WORK"
REC=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    [[ -n $REC ]] && kill -INT "$REC" 2>/dev/null
    nf_servers_stop
    nf_lab_down
    if ((own_work)); then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

nf_lab_up "rb$$" >/dev/null || error "cannot set up the network namespace lab"
nf_http_server_start "$WORK/http" || error "nginx did not start"
python3 -c '
import random, sys
random.seed(10)
out = sys.stdout.buffer
for _ in range(int(sys.argv[1])):
    out.write(random.randbytes(1 << 20))' "$MIB" >"$WORK/http/www/bulk.bin" ||
    error "cannot write the file to serve"
chmod a+r "$WORK/http/www/bulk.bin"
ip netns exec "$NF_SRV_NS" timeout -s INT $((TIMEOUT * TRANSFERS + 60)) tcpdump -i "$NF_SRV_IF" \
    -B 1048576 -s 2048 -n -w "$OUT" 'tcp port 80' 2>"$WORK/bulk.tcpdump" &
REC=$!
nf_wait_for tcpdump 100 grep -q 'listening on' "$WORK/bulk.tcpdump" || error "tcpdump did not start"
for ((i = 0; i < TRANSFERS; i++)); do
    nf_cli curl -sS -o /dev/null "${rate[@]}" --max-time "$TIMEOUT" "http://$NF_SRV_IP4/bulk.bin" ||
        error "bulk transfer $i failed"
done
sleep 1
kill -INT "$REC"
wait "$REC"
REC=""
grep -q '^0 packets dropped by kernel' "$WORK/bulk.tcpdump" ||
    error "tcpdump lost packets of the bulk recording: $(cat "$WORK/bulk.tcpdump")"
exit 0
