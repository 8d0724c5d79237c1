#!/usr/bin/env bash
# Throughput and memory of netflow against its peers on one large capture.
#
#   tools/bench/run_bench.sh BUILD_DIR        (what `make bench` runs)
#
# 1. Builds BUILD_DIR/bench/bench.pcap with BUILD_DIR/tools/gen_bench_pcap
#    from the nDPI test captures listed below (about BENCH_PACKETS packets,
#    tens of thousands of flows), unless it is there already and was made
#    from the same inputs, flags and generator source.
# 2. Runs, pinned to one core, one after the other, BENCH_RUNS times each:
#      netflow    -f bench.pcap -c /dev/null
#      ndpiReader -q -i bench.pcap     (Debian's nDPI: full DPI, no output)
#      softflowd  -r bench.pcap -m 1048576   (flow export without DPI, the
#                                       floor; with no -n it sends nothing)
#    and prints a table: packets (counted in the capture, the same for every
#    tool), best wall-clock seconds, packets/s, peak RSS (the largest of the
#    runs), the ratios, and PASS/FAIL for the targets (netflow >= 3x
#    ndpiReader's packets/s, lower peak RSS than ndpiReader).
# 3. Runs BUILD_DIR/tools/bpf_cost on bench.pcap, pinned like the rest: the
#    per-packet cost of netflow's XDP program by BPF_PROG_TEST_RUN (nothing
#    is attached to an interface) next to a bare XDP_PASS program and a
#    minimal flow counter, with PASS/FAIL for netflow <= 2x the minimal
#    counter, and the same program with a 3-clause and a 10-clause --filter
#    spliced in, with PASS/FAIL for the 3-clause one adding <= 10% per packet
#    (tools/bench_bpf/bpf_cost.cpp says how). Needs root.
# 4. Runs tools/bench/http_bench.sh: flows/s delivered with -u to a local
#    nginx, with and without --batch 100, next to the CSV writer on the same
#    capture, with PASS/FAIL for --batch 100 within 20% of the CSV's flows/s.
# 5. Runs tools/bench/kafka_bench.sh: flows/s exported with --export kafka://
#    to librdkafka's mock cluster (lz4, and zstd), next to the CSV writer on
#    the same capture (no target: reported only).
# 6. Runs tools/bench/labels_bench.sh: the conversion of bench.pcap with
#    --labels and 100,000 rules (CIC-IDS style, and a UNSW-NB15 table)
#    against none (medians of 11 rounds), with PASS/FAIL for at most 10%
#    slower.
# 6. Runs tools/bench/live_bench.sh: netflow's kernel path vs tcpdump on a
#    veth pair under tcpreplay (root).
# 7. Runs tools/bench/nic_bench.sh: the NIC-like load (tools/xdp_replay, live
#    XDP frames, a 75% bulk / 25% short-flow mix, ~200,000 flows at once):
#    netflow --backend xdp's overflow and accounting, its added CPU vs tcpdump
#    and --backend pcap, tap mode vs bare XDP_PASS / XDP_DROP, bytes per
#    concurrent flow at 100 K and 1 M flows (root; about 10 minutes on 2
#    busy cores; NIC_ROUNDS, NIC_FLOWS, NIC_MEM_FLOWS make it shorter).
# 8. Runs tools/bench/export_bench.sh: --export IPFIX/v9 flows/s on one core
#    next to the CSV writer's (PASS >= 500,000 flows/s) and bytes per flow
#    next to softflowd -v 9 of bench.pcap.
# 9. Runs tools/bench/flow_mem_bench.sh: offline bytes per concurrent flow
#    (peak RSS) and packets/s for 100 K and 2 M new short flows, DPI finished
#    (PASS/FAIL against 400 bytes) and DPI still running (MEM_FLOWS,
#    MEM_KINDS make it shorter).
# 10. Runs tools/bench/threads_bench.sh: the same capture unpinned, netflow
#    with the default threads, --threads 1 and --threads 2 next to
#    ndpiReader, medians, with PASS/FAIL for <= 1/5 of ndpiReader's wall
#    time and --threads 2 >= 1.7x --threads 1.
# 11. Runs tools/bench/bulk_bench.sh: a bulk mix (long TCP transfers
#    recorded in the lab, 75% of ~3 M packets, plus short corpus flows;
#    built once into BUILD_DIR/bench/bulk_mix.pcap, root), medians of 3
#    rounds: softflowd pinned to one core, netflow with the default threads
#    (unpinned, every core) and --threads 1 pinned to softflowd's core,
#    with PASS/FAIL for netflow (default threads) >= 1.5x softflowd's
#    packets/s.
#
# Exit status: 0 when every tool that ran exited 0 (a missed target is a
# result, not an error; a missing netflow or bpf_cost binary or peer is
# reported and skipped); 1 when a tool (bpf_cost included: not root, a
# program the kernel refuses) failed or crashed; 2 on a usage error.
#
# Environment:
#   GEN=path           generator binary (default BUILD_DIR/tools/gen_bench_pcap)
#   NETFLOW=path       netflow binary (default BUILD_DIR/netflow)
#   BPF_COST=path      bpf_cost binary (default BUILD_DIR/tools/bpf_cost)
#   BENCH_BPF=0        skip step 3
#   PCAP_DIR=dir       the nDPI test captures (default ../shared/pcaps/ndpi/pcap
#                      next to the repository)
#   BENCH_PACKETS=N    size of the capture (default 1000000)
#   BENCH_RUNS=N       runs of each tool, the fastest counts (default 3)
#   BENCH_CPU=N        the core to pin to with taskset (default 1; 0 on a
#                      one-core machine)
#   BENCH_TIMEOUT=S    a run that takes longer is killed and counts as failed
#                      (default 600)
set -uo pipefail

die() { echo "run_bench: $*" >&2; exit 2; }

[[ $# -eq 1 ]] || die "usage: $0 BUILD_DIR"
BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

GEN=${GEN:-$BUILD_DIR/tools/gen_bench_pcap}
NETFLOW=${NETFLOW:-$BUILD_DIR/netflow}
BPF_COST=${BPF_COST:-$BUILD_DIR/tools/bpf_cost}
PCAP_DIR=${PCAP_DIR:-$REPO/../shared/pcaps/ndpi/pcap}
PACKETS=${BENCH_PACKETS:-1000000}
RUNS=${BENCH_RUNS:-3}
TIMEOUT=${BENCH_TIMEOUT:-600}
if [[ -z ${BENCH_CPU:-} ]]; then
    if [[ $(nproc) -gt 1 ]]; then BENCH_CPU=1; else BENCH_CPU=0; fi
fi
[[ $PACKETS =~ ^[1-9][0-9]*$ ]] || die "BENCH_PACKETS must be a positive integer"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "BENCH_TIMEOUT must be a positive integer"

# The template: real application traffic from nDPI's test captures, all
# Ethernet and mostly IPv4 (IPv6 packets are dropped by the generator):
# TLS and HTTP apps, DNS and DoH, QUIC, VoIP/STUN/RTP, mail, FTP, SSH,
# BitTorrent. About 30,000 packets and 1,500 flows a round.
INPUTS=(
    # TLS / HTTPS applications
    alexa-app.pcapng wechat.pcap teams.pcap webex.pcap android.pcap telegram.pcap
    weibo.pcap instagram.pcap waze.pcap signal.pcap nintendo.pcap dropbox.pcap
    zoom.pcap tls_certificate_too_long.pcap 443-curl.pcap 443-firefox.pcap
    443-git.pcap chrome.pcap firefox.pcap safari.pcap google_ssl.pcap
    facebook.pcap snapchat.pcap vk.pcapng whatsappfiles.pcap tor.pcap viber.pcap
    sites.pcapng anyconnect-vpn.pcap
    # HTTP
    1kxun.pcap http.pcapng http_auth.pcap webdav.pcap ocsp.pcapng conncheck.pcap
    exe_download_as_png.pcap mpeg-dash.pcap windowsupdate_over_http.pcap
    # DNS, DoH
    dns.pcap dns_ambiguous_names.pcap dnscrypt-v2-doh.pcap googledns_android10.pcap
    # QUIC
    quic.pcap youtube_quic.pcap youtubeupload.pcap quic-28.pcap quic046.pcap
    quic_0RTT.pcap doq_adguard.pcapng google_meet.pcapng
    # voice and video calls
    wa_voice.pcap telegram_videocall.pcapng skype-conference-call.pcap sip.pcap
    rtp.pcapng stun_signal.pcapng
    # everything else
    ftp.pcap smtp.pcap pop3.pcap imap.pcap ssh.pcap NTPv4.pcap bittorrent.pcap
    whatsapp.pcap git.pcap snmp.pcap teamviewer.pcap netbios.pcap kerberos.pcap
)

BENCH_DIR=$BUILD_DIR/bench
PCAP=$BENCH_DIR/bench.pcap
mkdir -p "$BENCH_DIR" || die "cannot create $BENCH_DIR"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/run_bench.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------- capture
[[ -d $PCAP_DIR ]] || die "no capture corpus at $PCAP_DIR (set PCAP_DIR)"
files=()
for f in "${INPUTS[@]}"; do
    [[ -f $PCAP_DIR/$f ]] || die "missing input $PCAP_DIR/$f"
    files+=("$PCAP_DIR/$f")
done
gen_args=(-n "$PACKETS")
manifest="gen_bench_pcap ${gen_args[*]} ${INPUTS[*]} source=$(sha256sum "$REPO/tools/gen_bench_pcap.cpp" | cut -c1-16)"
if [[ ! -s $PCAP || $(cat "$PCAP.manifest" 2>/dev/null) != "$manifest" ]]; then
    [[ -x $GEN ]] || die "no generator at $GEN (build the project, or set GEN=path)"
    echo "Building $PCAP ..."
    if ! "$GEN" "${gen_args[@]}" -o "$PCAP.tmp" "${files[@]}"; then
        rm -f "$PCAP.tmp"
        die "gen_bench_pcap failed"
    fi
    mv "$PCAP.tmp" "$PCAP" && echo "$manifest" >"$PCAP.manifest"
fi

# The packet count, from the capture itself.
if command -v capinfos >/dev/null; then
    COUNT=$(capinfos -M -c -T -r "$PCAP" | cut -f2)
else
    COUNT=$(tcpdump -nr "$PCAP" 2>/dev/null | wc -l)
fi
[[ $COUNT =~ ^[0-9]+$ && $COUNT -gt 0 ]] || die "cannot count the packets of $PCAP"
cat "$PCAP" >/dev/null  # into the page cache before the first timed run

# ---------------------------------------------------------------- tools
[[ -x /usr/bin/time ]] || die "GNU time is missing: apt-get install time"
PIN=(taskset -c "$BENCH_CPU")
if ! "${PIN[@]}" true 2>/dev/null; then
    echo "note: cannot pin to CPU $BENCH_CPU; running unpinned"
    PIN=()
fi

declare -A BEST RSS STATUS NOTE
TOOLS=(netflow ndpiReader softflowd)
# The command of each tool (used through a nameref: CMD_$tool).
# shellcheck disable=SC2034
CMD_netflow=("$NETFLOW" -f "$PCAP" -c /dev/null)
# shellcheck disable=SC2034
CMD_ndpiReader=(ndpiReader -q -i "$PCAP")
# softflowd: without -n it exports to no one. -c none: no control socket (a
# -c path would re-enable one, and softflowd 1.1.0 then reads uninitialised
# poll results in -r mode and can block in accept() forever); -p: it
# unlinks its pid file at exit, so keep that private too. -m: room for every
# flow of the capture, like the other two (its default, 8192, would evict
# the oldest flows early and export most flows in pieces).
# shellcheck disable=SC2034
CMD_softflowd=(softflowd -r "$PCAP" -c none -p "$WORK/softflowd.pid" -m 1048576)

if [[ ! -x $NETFLOW ]]; then
    NOTE[netflow]="not built: no executable $NETFLOW"
fi
for t in ndpiReader softflowd; do
    command -v "$t" >/dev/null || NOTE[$t]="not installed: $t (make deps)"
done

# One timed run: wall seconds from the shell's clock, peak RSS (KiB) from
# GNU time. Appends to the tool's log; returns the tool's status.
run_once() {
    local tool=$1 start end rc rss wall
    local -n cmd=CMD_$tool
    start=$EPOCHREALTIME
    "${PIN[@]}" /usr/bin/time -o "$WORK/$tool.time" -f '%M' \
        timeout -k 10 "$TIMEOUT" "${cmd[@]}" >>"$WORK/$tool.log" 2>&1
    rc=$?
    end=$EPOCHREALTIME
    rss=$(tail -n 1 "$WORK/$tool.time")
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    if [[ $rc -ne 0 ]]; then
        STATUS[$tool]=$(grep -m1 -E '^Command (terminated|exited)' "$WORK/$tool.time" || echo "exit $rc")
        return 1
    fi
    if [[ -z ${BEST[$tool]:-} ]] || awk -v a="$wall" -v b="${BEST[$tool]}" 'BEGIN { exit !(a < b) }'; then
        BEST[$tool]=$wall
    fi
    if [[ -z ${RSS[$tool]:-} || $rss -gt ${RSS[$tool]} ]]; then RSS[$tool]=$rss; fi
    return 0
}

echo "Capture: $PCAP: $COUNT packets ($(du -m "$PCAP" | cut -f1) MiB)"
echo "CPU: ${PIN[*]:-unpinned}, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1)"
versions=$(dpkg-query -W -f '${Package} ${Version}, ' libndpi-bin softflowd 2>/dev/null)
[[ -n $versions ]] && echo "Peers: ${versions%, }"
echo "Runs: $RUNS of each tool, in turn; the fastest run counts, peak RSS is the largest"
failed=0
for ((i = 1; i <= RUNS; i++)); do
    for t in "${TOOLS[@]}"; do
        [[ -z ${NOTE[$t]:-} && -z ${STATUS[$t]:-} ]] || continue
        if ! run_once "$t"; then
            failed=1
            declare -n cmd=CMD_$t
            echo "ERROR: $t failed (${STATUS[$t]}): ${cmd[*]}"
            unset -n cmd
            tail -n 5 "$WORK/$t.log" | sed 's/^/    /'
        fi
    done
done

# ---------------------------------------------------------------- report
pps() { awk -v n="$COUNT" -v s="$1" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

echo
printf '%-12s %10s %9s %12s %14s\n' tool packets seconds packets/s "peak RSS MiB"
declare -A PPS
for t in "${TOOLS[@]}"; do
    if [[ -n ${BEST[$t]:-} && -z ${STATUS[$t]:-} ]]; then
        PPS[$t]=$(pps "${BEST[$t]}")
        printf '%-12s %10s %9s %12s %14s\n' "$t" "$COUNT" "${BEST[$t]}" "${PPS[$t]}" "$(mib "${RSS[$t]}")"
    else
        printf '%-12s %s\n' "$t" "${NOTE[$t]:-failed: ${STATUS[$t]:-}}"
    fi
done
echo
have() { [[ -n ${PPS[$1]:-} ]]; }
if have netflow; then
    echo "netflow's own summary: $(grep -v '^[[:space:]]*$' "$WORK/netflow.log" | tail -n 1)"
fi
have netflow && have ndpiReader &&
    echo "netflow / ndpiReader packets/s: $(ratio "${PPS[netflow]}" "${PPS[ndpiReader]}")x"
have netflow && have softflowd &&
    echo "netflow / softflowd  packets/s: $(ratio "${PPS[netflow]}" "${PPS[softflowd]}")x"
have netflow && have ndpiReader &&
    echo "netflow / ndpiReader peak RSS:  $(ratio "${RSS[netflow]}" "${RSS[ndpiReader]}")x"
if have netflow && have ndpiReader; then
    r=$(ratio "${PPS[netflow]}" "${PPS[ndpiReader]}")
    if awk -v a="${PPS[netflow]}" -v b="${PPS[ndpiReader]}" 'BEGIN { exit !(a >= 3 * b) }'; then
        verdict=PASS
    else
        verdict=FAIL
    fi
    echo "$verdict: netflow packets/s >= 3x ndpiReader's (${r}x)"
    if [[ ${RSS[netflow]} -lt ${RSS[ndpiReader]} ]]; then verdict=PASS; else verdict=FAIL; fi
    echo "$verdict: netflow peak RSS < ndpiReader's ($(mib "${RSS[netflow]}") vs $(mib "${RSS[ndpiReader]}") MiB)"
else
    echo "FAIL: netflow packets/s >= 3x ndpiReader's (no result to compare)"
    echo "FAIL: netflow peak RSS < ndpiReader's (no result to compare)"
fi

# ---------------------------------------------------------------- kernel program
echo
if [[ ${BENCH_BPF:-1} == 0 ]]; then
    echo "bpf_cost: skipped (BENCH_BPF=0)"
elif [[ ! -x $BPF_COST ]]; then
    echo "bpf_cost: not built: no executable $BPF_COST"
elif ! "${PIN[@]}" timeout -k 10 "$TIMEOUT" "$BPF_COST" "$PCAP"; then
    # Its own message (stderr) says what failed.
    echo "ERROR: bpf_cost failed: $BPF_COST $PCAP"
    failed=1
fi

# HTTP delivery (-u) against a local nginx, next to the CSV writer
# (tools/bench/http_bench.sh says how).
echo
NETFLOW=$NETFLOW BENCH_RUNS=$RUNS BENCH_CPU=$BENCH_CPU BENCH_TIMEOUT=$TIMEOUT \
    "$REPO/tools/bench/http_bench.sh" "$BUILD_DIR" || failed=1

# Kafka export (--export kafka://) to librdkafka's mock cluster, next to the
# CSV writer (tools/bench/kafka_bench.sh says how).
echo
NETFLOW=$NETFLOW PCAP=$PCAP BENCH_RUNS=$RUNS BENCH_CPU=$BENCH_CPU BENCH_TIMEOUT=$TIMEOUT \
    "$REPO/tools/bench/kafka_bench.sh" "$BUILD_DIR" || failed=1

# --labels with 100,000 rules against none on the same capture
# (tools/bench/labels_bench.sh says how).
echo
NETFLOW=$NETFLOW PCAP=$PCAP BENCH_CPU=$BENCH_CPU "$REPO/tools/bench/labels_bench.sh" "$BUILD_DIR" ||
    failed=1

# --export: IPFIX / v9 flows/s next to the CSV writer's (PASS >= 500 K
# flows/s), bytes on the wire per flow next to softflowd's v9 export of the
# same capture (tools/bench/export_bench.sh says how).
echo
BENCH_CPU=$BENCH_CPU "$REPO/tools/bench/export_bench.sh" "$BUILD_DIR" "$PCAP" || failed=1

# --threads on the same capture, unpinned, against ndpiReader
# (tools/bench/threads_bench.sh says how).
echo
NETFLOW=$NETFLOW PCAP=$PCAP "$REPO/tools/bench/threads_bench.sh" "$BUILD_DIR" || failed=1

# The bulk mix: netflow (default threads, and --threads 1 on one core)
# against softflowd (tools/bench/bulk_bench.sh says how).
echo
NETFLOW=$NETFLOW PCAP_DIR=$PCAP_DIR GEN=$GEN BENCH_CPU=$BENCH_CPU BENCH_TIMEOUT=$TIMEOUT \
    "$REPO/tools/bench/bulk_bench.sh" "$BUILD_DIR" || failed=1

# Live: netflow's kernel path vs tcpdump on a veth pair, same capture
# (tools/bench/live_bench.sh says how; it skips itself when not root).
echo
NETFLOW=$NETFLOW "$REPO/tools/bench/live_bench.sh" "$BUILD_DIR" || failed=1

# Live on a NIC-like load: xdp_replay's frames reach the sensor's XDP as
# xdp_frames (tools/bench/nic_bench.sh says how; skips itself when not root).
echo
NETFLOW=$NETFLOW PCAP_DIR=$PCAP_DIR GEN=$GEN "$REPO/tools/bench/nic_bench.sh" "$BUILD_DIR" || failed=1

# Offline memory per concurrent flow (tools/bench/flow_mem_bench.sh says how).
echo
NETFLOW=$NETFLOW "$REPO/tools/bench/flow_mem_bench.sh" "$BUILD_DIR" || failed=1
exit "$failed"
