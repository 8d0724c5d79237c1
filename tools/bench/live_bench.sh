#!/usr/bin/env bash
# Live cost of netflow's kernel path next to tcpdump, on a veth pair.
#
#   tools/bench/live_bench.sh BUILD_DIR      (run_bench.sh calls it last)
#
# Lab (tools/lab/netns.sh): two network namespaces joined by a veth pair,
# offloads off. tcpreplay --topspeed sends BUILD_DIR/bench/bench.pcap (made
# by run_bench.sh) from the client end; the sensor listens on the server end.
# The frames keep the capture's MAC addresses: XDP and AF_PACKET see every
# frame the veth receives, then the server's stack drops them (not for this
# host) — the same for every run. Frames longer than the 1500-byte MTU are
# refused by tcpreplay's send() (reported as "failed") and never reach the
# sensor; "sent" below is tcpreplay's count of successful sends.
#
# Load: the capture looped LOOPS times, LOOPS chosen by a warm-up replay
# without a sensor so that one replay lasts about LIVE_SECONDS. Every run
# then sends exactly the same packets, so their CPU costs compare directly
# (a fixed --duration would let a slower run send fewer packets).
#
# Runs, in this order, LIVE_ROUNDS times:
#   none      no sensor: the cost of generating and delivering the load
#   tcpdump   tcpdump -i IF -w /dev/null (libpcap, AF_PACKET)
#   netflow   netflow -i IF --backend xdp (host mode: XDP ingress + TC
#             egress, payload copies to userspace, full nDPI), CSV on tmpfs
# Each run measures, over the replay plus SETTLE seconds (so a sensor can
# drain what is queued for it):
#   - machine-wide busy CPU seconds: the "cpu" line of /proc/stat, every
#     field but idle and iowait (guest and guest_nice are left out too: the
#     kernel already counts them in user and nice), minus the baseline's
#     ("none") busy CPU of the same round. On veth the XDP, TC and AF_PACKET
#     work runs in the sender's softirq and is charged to tcpreplay, so this
#     is the number the verdict uses (docs/spec/DESIGN.md, "Lab notes");
#   - attributed CPU seconds: tcpreplay's own (GNU time; on veth it carries
#     the receive softirqs) + the sensor's + ksoftirqd's. Unlike the
#     machine-wide number it leaves out other tenants of a shared machine;
#     busy minus attributed is shown as the noise in each run;
#   - the sensor process's own CPU seconds (/proc/PID/stat utime+stime over
#     the same window, and GNU time's total from start to exit);
#   - netflow: packets accounted = IN_PKTS + OUT_PKTS summed over its rows
#     plus the packets its summary reports as not counted (filtered out, not
#     IP, truncated, malformed); tcpdump: its captured / dropped-by-kernel
#     lines.
# Verdicts (medians over the rounds): PASS/FAIL netflow accounted == sent in
# every round, PASS/FAIL netflow's machine-wide CPU delta < tcpdump's.
#
# Diagnostics (LIVE_DIAG), under the same load, not part of the verdicts:
#   - netflow with kernel.bpf_stats_enabled=1 (restored after): run_time_ns
#     and run_cnt of its XDP and TC programs, for a breakdown of its cost
#     (program time, sensor process, the rest); bpf_stats adds its own
#     clock reads to every program run, hence a separate run;
#   - a bare XDP_PASS program (BUILD_DIR/tools/xdp_pass.bpf.o) attached in
#     native mode: what any XDP program costs on a veth;
#   - netflow --xdp-mode generic: the same programs on the skb path.
#
# Exit status: 0 with results (a missed target is a result, not an error;
# also when skipped because not root); 1 when the lab, tcpreplay or a sensor
# failed; 2 on a usage error.
#
# Environment:
#   NETFLOW=path       netflow binary (default BUILD_DIR/netflow)
#   LIVE_PCAP=path     capture to replay (default BUILD_DIR/bench/bench.pcap)
#   LIVE_SECONDS=S     target length of one replay (default 10)
#   LIVE_ROUNDS=N      rounds of the three runs (default 1)
#   LIVE_DIAG=auto|1|0 diagnostic runs: only when a target is missed (auto,
#                      the default), always, never
#   LIVE_TIMEOUT=S     bound on one replay; slower counts as failed (default 120)
#   LIVE_NETFLOW_ARGS="..."  more netflow options for its runs (word-split), e.g.
#                      "--dpi-packets 8" or "--xdp-mode generic", to try a setting
#   LIVE_KEEP=1        keep the work directory (logs, CSV) and say where
# shellcheck source-path=SCRIPTDIR/../..
set -uo pipefail

die() { echo "live_bench: $*" >&2; exit 2; }

[[ $# -eq 1 ]] || die "usage: $0 BUILD_DIR"
BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

echo "== Live capture on a veth pair: netflow --backend xdp vs tcpdump"
if [[ $(id -u) != 0 ]]; then
    echo "live_bench: skipped: needs root (network namespaces, XDP, tcpreplay)"
    exit 0
fi

NETFLOW=${NETFLOW:-$BUILD_DIR/netflow}
PCAP=${LIVE_PCAP:-$BUILD_DIR/bench/bench.pcap}
XDP_PASS_OBJ=$BUILD_DIR/tools/xdp_pass.bpf.o
SECONDS_WANTED=${LIVE_SECONDS:-10}
ROUNDS=${LIVE_ROUNDS:-1}
DIAG=${LIVE_DIAG:-auto}
read -r -a NETFLOW_ARGS <<<"${LIVE_NETFLOW_ARGS:-}"
TIMEOUT=${LIVE_TIMEOUT:-120}
SETTLE=1         # seconds after the replay inside the measured window
READY_WAIT=30    # seconds a sensor may take to attach
STOP_WAIT=60     # seconds a sensor may take to write its rows and exit
[[ $SECONDS_WANTED =~ ^[1-9][0-9]*$ ]] || die "LIVE_SECONDS must be a positive integer"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "LIVE_ROUNDS must be a positive integer"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "LIVE_TIMEOUT must be a positive integer"
[[ $DIAG =~ ^(auto|0|1)$ ]] || die "LIVE_DIAG must be auto, 0 or 1"

error() { echo "ERROR: live_bench: $*"; exit 1; }
[[ -x $NETFLOW ]] || error "no executable $NETFLOW (build the project, or set NETFLOW=path)"
[[ -s $PCAP ]] || error "no capture $PCAP (run_bench.sh builds it, or set LIVE_PCAP=path)"
for t in ip ethtool tcpreplay tcpdump bpftool python3 sysctl timeout; do
    command -v "$t" >/dev/null || error "required tool '$t' not found (make deps)"
done
[[ -x /usr/bin/time ]] || error "GNU time is missing (make deps)"
HZ=$(getconf CLK_TCK) || error "getconf CLK_TCK failed"

# shellcheck source=tools/lab/netns.sh
source "$REPO/tools/lab/netns.sh"

# Rows go to tmpfs: writing them must not wait on a disk.
WORK=$(mktemp -d /dev/shm/live_bench.XXXXXX) || error "mktemp failed"
SENSOR_PID=""        # the sensor's outermost process (GNU time)
SENSOR_LEAF=""       # the sensor itself
STATS_BEFORE=""      # kernel.bpf_stats_enabled before we changed it
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    # Our own sensor first (it would be killed with its namespace anyway,
    # but a clean SIGINT detaches its programs through their links).
    [[ -n $SENSOR_LEAF ]] && kill -INT "$SENSOR_LEAF" 2>/dev/null
    nf_lab_down
    [[ -n $STATS_BEFORE ]] && sysctl -q -w kernel.bpf_stats_enabled="$STATS_BEFORE"
    if [[ ${LIVE_KEEP:-} == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---------------------------------------------------------------- lab
nf_lab_up "lb$$" >/dev/null || error "cannot set up the network namespace lab"
SRV_IF=$NF_SRV_IF
# No IPv6 on the pair: the lab's own MLD reports would otherwise reach the
# sensor and be counted on top of what tcpreplay sent.
for ns_if in "$NF_CLI_NS:$NF_CLI_IF" "$NF_SRV_NS:$NF_SRV_IF"; do
    ip netns exec "${ns_if%%:*}" sysctl -q -w "net.ipv6.conf.${ns_if#*:}.disable_ipv6=1" ||
        error "cannot disable IPv6 on ${ns_if#*:}"
done

# ---------------------------------------------------------------- probes
source "$REPO/tools/bench/cpu_probes.sh"
# The server end's counters (the namespace's own /sys, as ip netns exec
# mounts it).
if_stat() { nf_srv cat "/sys/class/net/$SRV_IF/statistics/$1"; }
secs() { awk -v t="$1" -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz }'; }

# ---------------------------------------------------------------- replay
# One replay of LOOPS passes; fills R_* with tcpreplay's own statistics.
replay() {
    local loops=$1 log=$2 rc
    # GNU time: tcpreplay's own CPU, which on veth includes the receive
    # side's softirq work (XDP, TC, AF_PACKET) done in its context.
    timeout -k 5 "$TIMEOUT" ip netns exec "$NF_CLI_NS" /usr/bin/time -o "$log.replay.time" -f '%U %S' \
        tcpreplay --topspeed --loop "$loops" --no-flow-stats -i "$NF_CLI_IF" "$PCAP" \
        >"$log.replay" 2>"$log.replay.err"
    rc=$?
    if [[ $rc -ne 0 ]]; then
        echo "ERROR: tcpreplay failed (exit $rc, 124 = took over ${TIMEOUT}s):"
        grep -v -e 'Message too long' -e '^Warning in send_packets' "$log.replay.err" |
            tail -n 5 | sed 's/^/    /'
        return 1
    fi
    R_SENT=$(awk '/Successful packets:/ { print $3 }' "$log.replay")
    R_FAILED=$(awk '/Failed packets:/ { print $3 }' "$log.replay")
    R_RETRIED=$(awk '/Retried packets/ { n += $4 } END { print n + 0 }' "$log.replay")
    R_SECONDS=$(sed -n 's/^Actual: .* sent in \([0-9.]*\) seconds.*/\1/p' "$log.replay")
    R_CPU=$(tail -n 1 "$log.replay.time" | awk '{ printf "%.2f", $1 + $2 }')
    if ! [[ $R_SENT =~ ^[0-9]+$ && $R_FAILED =~ ^[0-9]+$ && -n $R_SECONDS && -n $R_CPU ]]; then
        echo "ERROR: cannot read tcpreplay's statistics:"
        sed 's/^/    /' "$log.replay"
        return 1
    fi
}

# ---------------------------------------------------------------- sensors
# Starts "$@" in the server namespace under GNU time (total CPU and RSS at
# exit) and timeout (a bound should everything else fail), and waits until
# its stderr shows READY_RE: it is attached / listening.
start_sensor() {
    local log=$1 ready_re=$2 bound=$((TIMEOUT + READY_WAIT + 60)) i child
    shift 2
    ip netns exec "$NF_SRV_NS" /usr/bin/time -o "$log.time" -f '%U %S %M' \
        timeout -s INT -k 5 "$bound" "$@" >"$log.out" 2>"$log.err" &
    SENSOR_PID=$!
    for ((i = 0; i < READY_WAIT * 10; i++)); do
        grep -qE "$ready_re" "$log.err" 2>/dev/null && break
        kill -0 "$SENSOR_PID" 2>/dev/null || break
        sleep 0.1
    done
    # time -> timeout -> the sensor: the process whose CPU we read and
    # that we signal.
    SENSOR_LEAF=$SENSOR_PID
    for i in 1 2; do
        child=$(cat "/proc/$SENSOR_LEAF/task/$SENSOR_LEAF/children" 2>/dev/null)
        child=${child%% *}
        [[ -n $child ]] && SENSOR_LEAF=$child
    done
    if ! grep -qE "$ready_re" "$log.err" 2>/dev/null; then
        echo "ERROR: $1 did not start:"
        tail -n 5 "$log.err" | sed 's/^/    /'
        stop_sensor "$log" >/dev/null
        return 1
    fi
    # Its start-up (nDPI, map creation) is not part of the measurement.
    sleep 1
}

# SIGINT to the sensor (both write their results and exit 0 on it), then a
# bounded wait; SIGKILL and an error when it does not exit.
stop_sensor() {
    local log=$1 i rc
    [[ -n $SENSOR_PID ]] || return 0
    [[ -n $SENSOR_LEAF ]] && kill -INT "$SENSOR_LEAF" 2>/dev/null
    for ((i = 0; i < STOP_WAIT * 10; i++)); do
        kill -0 "$SENSOR_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SENSOR_PID" 2>/dev/null; then
        kill -KILL "$SENSOR_LEAF" "$SENSOR_PID" 2>/dev/null
        wait "$SENSOR_PID" 2>/dev/null
        SENSOR_PID="" SENSOR_LEAF=""
        echo "ERROR: the sensor did not exit within ${STOP_WAIT}s of SIGINT"
        return 1
    fi
    wait "$SENSOR_PID"
    rc=$?
    SENSOR_PID="" SENSOR_LEAF=""
    if [[ $rc -ne 0 ]]; then
        echo "ERROR: the sensor exited with status $rc:"
        grep -v '^netflow: [0-9]* packets (' "$log.err" | tail -n 5 | sed 's/^/    /'
        return 1
    fi
}

# The XDP and TC programs netflow attached to the server end: the XDP one
# from the interface, the TC one as the sched_cls program sharing its maps
# (bpftool of this Debian does not list tcx links by interface).
netflow_prog_ids() {
    local xdp
    xdp=$(nf_srv bpftool -j net show dev "$SRV_IF" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["xdp"][0]["id"])') || return 1
    bpftool -j prog show | python3 -c '
import json, sys
xdp = int(sys.argv[1])
progs = {p["id"]: p for p in json.load(sys.stdin)}
maps = set(progs[xdp].get("map_ids", []))
tc = [i for i, p in progs.items()
      if p.get("type") == "sched_cls" and maps & set(p.get("map_ids", []))]
print(xdp, *tc)' "$xdp"
}
# "ID run_cnt run_time_ns" per program.
prog_stats() {
    bpftool -j prog show | python3 -c '
import json, sys
want = set(map(int, sys.argv[1:]))
for p in json.load(sys.stdin):
    if p["id"] in want:
        print(p["id"], p.get("name", "?"), p.get("run_cnt", 0), p.get("run_time_ns", 0))' "$@"
}

# ---------------------------------------------------------------- one run
# run MODE TAG: a sensor (or none), one replay, the measurements into
# M_<field>[TAG].
declare -A M_SENT M_FAILED M_RETRIED M_REPLAY M_BUSY M_STEAL M_OWN M_TOTAL M_RSS \
    M_SEEN M_ACC M_LOST M_NOTE M_MODE M_IFRX M_ATTR
run() {
    local mode=$1 tag=$2 log=$WORK/$2 b0 b1 s0 s1 p0=0 p1=0 k0 k1 rx0 rx1 t ids=""
    case $mode in
    none) ;;
    tcpdump)
        start_sensor "$log" '^tcpdump: listening on' tcpdump -n -i "$SRV_IF" -w /dev/null || return 1
        ;;
    netflow | netflow-bpfstats | netflow-generic)
        local xdp_mode=auto
        [[ $mode == netflow-generic ]] && xdp_mode=generic
        start_sensor "$log" '^netflow: capturing on' "$NETFLOW" -i "$SRV_IF" --backend xdp \
            --xdp-mode "$xdp_mode" -c "$log.csv" --stats -v "${NETFLOW_ARGS[@]}" || return 1
        M_MODE[$tag]=$(sed -n 's/^netflow: capturing on //p' "$log.err" | head -n 1)
        if [[ $mode == netflow-bpfstats ]]; then
            ids=$(netflow_prog_ids) || { echo "ERROR: cannot find netflow's programs"; return 1; }
            # shellcheck disable=SC2086 # one word per id
            prog_stats $ids >"$log.bpf0"
        fi
        ;;
    xdp-pass)
        nf_srv ip link set dev "$SRV_IF" xdpdrv obj "$XDP_PASS_OBJ" sec xdp ||
            { echo "ERROR: cannot attach $XDP_PASS_OBJ"; return 1; }
        ;;
    esac
    rx0=$(if_stat rx_packets)
    [[ -n $SENSOR_LEAF ]] && p0=$(proc_ticks "$SENSOR_LEAF")
    k0=$(ksoftirqd_ticks)
    s0=$(steal_ticks)
    b0=$(busy_ticks)
    replay "$LOOPS" "$log" || { stop_sensor "$log" >/dev/null; return 1; }
    sleep "$SETTLE"
    b1=$(busy_ticks)
    s1=$(steal_ticks)
    k1=$(ksoftirqd_ticks)
    [[ -n $SENSOR_LEAF ]] && p1=$(proc_ticks "$SENSOR_LEAF")
    rx1=$(if_stat rx_packets)
    # shellcheck disable=SC2086 # one word per id
    [[ -n $ids ]] && prog_stats $ids >"$log.bpf1"
    M_SENT[$tag]=$R_SENT M_FAILED[$tag]=$R_FAILED M_RETRIED[$tag]=$R_RETRIED
    M_REPLAY[$tag]=$R_SECONDS M_BUSY[$tag]=$((b1 - b0)) M_STEAL[$tag]=$((s1 - s0))
    M_OWN[$tag]=$((p1 - p0)) M_IFRX[$tag]=$((rx1 - rx0))
    # The CPU of the processes the load runs in: tcpreplay (with the
    # receive softirqs it carries), the sensor, ksoftirqd. Other tenants'
    # processes are not in it, unlike the machine-wide number.
    M_ATTR[$tag]=$(awk -v r="$R_CPU" -v t=$((p1 - p0 + k1 - k0)) -v hz="$HZ" \
        'BEGIN { printf "%.2f", r + t / hz }')
    case $mode in
    none) return 0 ;;
    xdp-pass)
        nf_srv ip link set dev "$SRV_IF" xdpdrv off || { echo "ERROR: cannot detach xdp_pass"; return 1; }
        return 0
        ;;
    esac
    stop_sensor "$log" || return 1
    t=$(tail -n 1 "$log.time")
    M_TOTAL[$tag]=$(awk '{ printf "%.2f", $1 + $2 }' <<<"$t")
    M_RSS[$tag]=$(awk '{ printf "%.0f", $3 / 1024 }' <<<"$t")
    if [[ $mode == tcpdump ]]; then
        M_SEEN[$tag]=$(awk '/packets captured/ { print $1 }' "$log.err")
        M_ACC[$tag]=${M_SEEN[$tag]}
        M_LOST[$tag]=$(awk '/packets dropped by kernel/ { print $1 }' "$log.err")
        return 0
    fi
    account_netflow "$log" "$tag"
}

# netflow's rows and summary: packets accounted = rows + not counted.
account_netflow() {
    local log=$1 tag=$2 summary rows notcounted
    summary=$(grep -E '^netflow: [0-9]+ packets, [0-9]+ flows' "$log.err" | tail -n 1)
    if [[ -z $summary ]]; then
        echo "ERROR: no summary line from netflow:"
        tail -n 5 "$log.err" | sed 's/^/    /'
        return 1
    fi
    M_SEEN[$tag]=$(awk '{ print $2 }' <<<"$summary")
    # Columns found by name; every row must have the header's field count
    # (the default NF-v2 columns hold no commas inside a field).
    rows=$(awk -F, '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; n = NF
                  if (!("IN_PKTS" in col) || !("OUT_PKTS" in col)) { print "nocol"; exit } next }
        NF != n { print "badrow " NR; exit }
        { s += $col["IN_PKTS"] + $col["OUT_PKTS"] }
        END { if (NR) print s + 0 }' "$log.csv")
    if ! [[ $rows =~ ^[0-9]+$ ]]; then
        echo "ERROR: cannot sum IN_PKTS + OUT_PKTS of $log.csv ($rows)"
        return 1
    fi
    # "...; not counted: 2378 filtered out, 12 not IP" -> 2390
    notcounted=$(sed -n 's/.*not counted: //p' <<<"$summary" |
        awk -F', ' '{ for (i = 1; i <= NF; i++) n += $i + 0 } END { print n + 0 }')
    M_ACC[$tag]=$((rows + notcounted))
    # Anything the kernel could not hand over: the summary's ring-buffer
    # losses and the lines about payload copies or map-full packets.
    M_LOST[$tag]=$(sed -n 's/.*; \([0-9]*\) dropped before capture.*/\1/p' <<<"$summary")
    M_LOST[$tag]=${M_LOST[$tag]:-0}
    M_NOTE[$tag]=$(grep -E '^netflow: [0-9]+ (payload copies lost|packets found the flow map full)' \
        "$log.err" | sed 's/^netflow: //' | paste -sd ';')
    M_NOTE[$tag]="rows $rows + not counted $notcounted${M_NOTE[$tag]:+; ${M_NOTE[$tag]}}"
}

# ---------------------------------------------------------------- warm-up
# Two passes without a sensor: the first brings the capture into the page
# cache (it is often slower), the second's length sets LOOPS.
echo "Capture: $PCAP ($(du -m "$PCAP" | cut -f1) MiB)"
echo "Load before the runs: $(uptime | sed 's/.*load average/load average/'), $(nproc) CPUs"
replay 1 "$WORK/warmup" || exit 1
replay 1 "$WORK/calibrate" || exit 1
LOOPS=$(awk -v want="$SECONDS_WANTED" -v one="$R_SECONDS" \
    'BEGIN { n = int(want / one + 0.5); print (n < 1 ? 1 : n) }')
echo "Calibration pass: $R_SENT packets sent, $R_FAILED refused (longer than the MTU) in ${R_SECONDS}s"
echo "Load: tcpreplay --topspeed --loop $LOOPS (about ${SECONDS_WANTED}s without a sensor), $ROUNDS round(s)"
[[ ${#NETFLOW_ARGS[@]} -gt 0 ]] && echo "netflow options added: ${NETFLOW_ARGS[*]}"

failed=0
for ((r = 1; r <= ROUNDS; r++)); do
    for mode in none tcpdump netflow; do
        run "$mode" "$mode.$r" || failed=1
    done
done
[[ $failed -eq 0 ]] || error "a run failed (logs above)"

# ---------------------------------------------------------------- report
# shellcheck source=tools/bench/median.sh
source "$(dirname "${BASH_SOURCE[0]}")/median.sh"
# calc EXPR VAR=VALUE...: awk arithmetic, two decimals.
calc() {
    local expr=$1 args=() a
    shift
    for a in "$@"; do args+=(-v "$a"); done
    awk "${args[@]}" "BEGIN { printf \"%.2f\", $expr }"
}
# Deltas against the same round's baseline: machine-wide and attributed.
declare -A DBUSY DATTR
delta_of() {
    local tag=$1 base=$2
    DBUSY[$tag]=$(calc '(b - b0) / hz' b="${M_BUSY[$tag]}" b0="${M_BUSY[$base]}" hz="$HZ")
    DATTR[$tag]=$(calc 'a - a0' a="${M_ATTR[$tag]}" a0="${M_ATTR[$base]}")
}
noisy=0
row() {
    local tag=$1 busy others
    busy=$(secs "${M_BUSY[$tag]}")
    others=$(calc 'b - a' b="$busy" a="${M_ATTR[$tag]}")
    awk -v o="$others" 'BEGIN { exit !(o > 0.5) }' && noisy=1
    printf '%-10s %8s %8s %9.0f %8s %8s %8s %8s %8s %8s %8s %9s %6s\n' "$tag" "${M_SENT[$tag]}" \
        "${M_REPLAY[$tag]}" "$(calc 'n / s' n="${M_SENT[$tag]}" s="${M_REPLAY[$tag]}")" \
        "$busy" "$others" "${M_ATTR[$tag]}" "${DBUSY[$tag]}" "${DATTR[$tag]}" \
        "$(calc 'd / n * 1e6' d="${DBUSY[$tag]}" n="${M_SENT[$tag]}")" \
        "$(secs "${M_OWN[$tag]}")" "${M_TOTAL[$tag]:--}" "${M_RSS[$tag]:--}"
}
header() {
    printf '%-10s %8s %8s %9s %8s %8s %8s %8s %8s %8s %8s %9s %6s\n' run sent replay_s packets/s \
        busy_s others_s attrib_s d_busy d_attrib d/Mpkt sensor_s sensor_tot RSS_MB
}
echo
header
for ((r = 1; r <= ROUNDS; r++)); do
    for mode in none tcpdump netflow; do
        delta_of "$mode.$r" "none.$r"
        row "$mode.$r"
    done
done
cat <<'LEGEND'
  CPU seconds over the replay + the settle second. busy_s: machine-wide busy CPU
  (/proc/stat); attrib_s: tcpreplay (with the receive softirqs it carries) + the sensor
  + ksoftirqd; others_s = busy_s - attrib_s: other processes on the machine (noise).
  d_busy, d_attrib: minus the same round's run without a sensor; d/Mpkt: d_busy per
  million packets sent. sensor_s: the sensor's own CPU in the window; sensor_tot: from
  its start to its exit (start-up, final export); RSS_MB: its peak RSS.
LEGEND
[[ $noisy -eq 1 ]] && echo "  NOTE: other processes used over 0.5 CPU-s in some run: busy_s and d_busy include them."
steal=0
for t in "${!M_STEAL[@]}"; do steal=$((steal + M_STEAL[$t])); done
[[ $steal -gt 0 ]] && echo "  steal (in busy_s): $(secs "$steal") CPU-s over all these runs."
echo
printf '%-10s %8s %8s %8s %8s %9s %6s  %s\n' run sent refused if_rx seen accounted lost notes
for ((r = 1; r <= ROUNDS; r++)); do
    for mode in tcpdump netflow; do
        tag=$mode.$r
        [[ ${M_RETRIED[$tag]} -gt 0 ]] && M_NOTE[$tag]+="${M_NOTE[$tag]:+; }tcpreplay retried ${M_RETRIED[$tag]} sends"
        printf '%-10s %8s %8s %8s %8s %9s %6s  %s\n' "$tag" "${M_SENT[$tag]}" "${M_FAILED[$tag]}" "${M_IFRX[$tag]}" \
            "${M_SEEN[$tag]}" "${M_ACC[$tag]}" "${M_LOST[$tag]}" "${M_NOTE[$tag]:-}"
    done
done
cat <<LEGEND
  sent: tcpreplay's successful sends; refused: its failed sends (frames over the MTU);
  if_rx: packets the sensor's interface received in the window; seen: tcpdump's
  "captured", netflow's packets seen by its programs; accounted: tcpdump's "captured",
  netflow's rows (IN_PKTS + OUT_PKTS) + its summary's "not counted"; lost: tcpdump's
  "dropped by kernel", netflow's ring-buffer losses.
  netflow attached: ${M_MODE[netflow.1]:-?}
LEGEND
echo

# Verdicts.
acc_ok=1
for ((r = 1; r <= ROUNDS; r++)); do
    [[ ${M_ACC[netflow.$r]} -eq ${M_SENT[netflow.$r]} ]] || acc_ok=0
done
acc_pct=$(awk -v a="${M_ACC[netflow.1]}" -v s="${M_SENT[netflow.1]}" 'BEGIN { printf "%.3f", 100 * a / s }')
if [[ $acc_ok -eq 1 ]]; then v=PASS; else v=FAIL; fi
echo "$v: netflow accounted for every packet sent (round 1: ${M_ACC[netflow.1]} of ${M_SENT[netflow.1]}, ${acc_pct}%)"
medians() { # medians ARRAY MODE
    local -n arr=$1
    for ((r = 1; r <= ROUNDS; r++)); do echo "${arr[$2.$r]}"; done | median
}
of_rounds=""
[[ $ROUNDS -gt 1 ]] && of_rounds=", medians of $ROUNDS rounds"
d_tcpdump=$(medians DBUSY tcpdump) d_netflow=$(medians DBUSY netflow)
cpu_ok=0
awk -v a="$d_netflow" -v b="$d_tcpdump" 'BEGIN { exit !(a < b) }' && cpu_ok=1
if [[ $cpu_ok -eq 1 ]]; then v=PASS; else v=FAIL; fi
echo "$v: netflow's machine-wide CPU delta < tcpdump's ($d_netflow vs $d_tcpdump CPU-s$of_rounds)"
echo "     (attributed CPU delta: netflow $(medians DATTR netflow) vs tcpdump $(medians DATTR tcpdump) CPU-s)"

# ---------------------------------------------------------------- diagnostics
if [[ $DIAG == 1 || ($DIAG == auto && ($acc_ok -eq 0 || $cpu_ok -eq 0)) ]]; then
    base=none.$ROUNDS
    echo
    echo "Diagnostics (not part of the verdicts), each against round $ROUNDS's run without a sensor:"
    STATS_BEFORE=$(sysctl -n kernel.bpf_stats_enabled) || error "cannot read kernel.bpf_stats_enabled"
    sysctl -q -w kernel.bpf_stats_enabled=1 || error "cannot enable kernel.bpf_stats_enabled"
    run netflow-bpfstats diag || error "the bpf_stats run failed"
    sysctl -q -w kernel.bpf_stats_enabled="$STATS_BEFORE"
    STATS_BEFORE=""
    delta_of diag "$base"
    # Per program: runs and run time between the two reads (id name cnt ns).
    prog_s=$(awk 'NR == FNR { cnt[$1] = $3; ns[$1] = $4; next }
                  { n = $3 - cnt[$1]; t_ns = $4 - ns[$1]; t += t_ns
                    printf "    %-26s %6.2f CPU-s  (%d runs, %.0f ns/run)\n", "BPF program " $2,
                        t_ns / 1e9, n, (n ? t_ns / n : 0) >"/dev/stderr" }
                  END { printf "%.2f", t / 1e9 }' \
        "$WORK/diag.bpf0" "$WORK/diag.bpf1" 2>"$WORK/diag.progs")
    own=$(secs "${M_OWN[diag]}")
    echo "  netflow with kernel.bpf_stats_enabled=1: ${M_SENT[diag]} sent, ${M_ACC[diag]} accounted," \
        "replay ${M_REPLAY[diag]}s"
    echo "    d_busy ${DBUSY[diag]} CPU-s, d_attrib ${DATTR[diag]} CPU-s, of which:"
    cat "$WORK/diag.progs"
    echo "    netflow process            $(printf '%6.2f' "$own") CPU-s  (user+sys: ring reads, nDPI, sweeps)"
    echo "    the rest                   $(printf '%6.2f' "$(calc 'd - p - o' d="${DATTR[diag]}" p="$prog_s" o="$own")")" \
        "CPU-s  (of d_attrib: the veth's XDP receive path, ring wakeups, ...)"
    grep -E '^netflow: [0-9]+ packets \(' "$WORK/diag.err" | tail -n 1 | sed 's/^/    last --stats line: /'
    if [[ -f $XDP_PASS_OBJ ]]; then
        run xdp-pass xdppass || error "the XDP_PASS run failed"
        delta_of xdppass "$base"
        echo "  a bare XDP_PASS program (native) on $SRV_IF: replay ${M_REPLAY[xdppass]}s," \
            "d_busy ${DBUSY[xdppass]}, d_attrib ${DATTR[xdppass]} CPU-s"
        echo "    (what any native XDP program costs on a veth: the frame is copied to a page with"
        echo "    XDP headroom and the skb rebuilt after XDP_PASS)"
    else
        echo "  bare XDP_PASS: skipped (no $XDP_PASS_OBJ)"
    fi
    run netflow-generic generic || error "the generic XDP run failed"
    delta_of generic "$base"
    echo "  netflow --xdp-mode generic: ${M_MODE[generic]:-?}; replay ${M_REPLAY[generic]}s," \
        "d_busy ${DBUSY[generic]}, d_attrib ${DATTR[generic]} CPU-s, accounted ${M_ACC[generic]} of ${M_SENT[generic]}"
fi
exit "$failed"
