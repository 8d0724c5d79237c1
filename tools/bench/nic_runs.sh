# shellcheck shell=bash
# The runs and the report of tools/bench/nic_bench.sh, which sources this
# after building the mix (its header says what is measured and how).
# Expects: NETFLOW XDP_REPLAY XDP_PASS_OBJ XDP_DROP_OBJ MIX SHORT MIX_PKTS
# MIX_FLOWS SHORT_FLOWS REPLAY_ROUNDS ROUNDS MEM_FLOWS TIMEOUT SETTLE
# READY_WAIT STOP_WAIT HZ WORK START_TIME REPO, lab_up and error.
# shellcheck disable=SC2153 # those come from nic_bench.sh

source "$REPO/tools/bench/cpu_probes.sh"
xdp_packets() { nf_srv ethtool -S "$NF_SRV_IF" | awk '$1 == "rx_queue_0_xdp_packets:" { print $2 }'; }
# The kernel's slab memory, KiB (/proc/meminfo Slab): a non-preallocated
# hash map's entries come from kmalloc's size classes, which its memlock
# estimate leaves out; machine-wide, so other tenants show in it too.
slab_kib() { awk '$1 == "Slab:" { print $2 }' /proc/meminfo; }
# Bytes of BPF map memory the process holds (memlock of each map fd).
# Sets MAP_BYTES and MAP_KINDS ("type MiB, ..." by map type, largest first).
map_bytes() {
    local f
    MAP_BYTES=0 MAP_KINDS=$(for f in /proc/"$1"/fdinfo/*; do
        awk '$1 == "map_type:" { type = $2 } $1 == "memlock:" { mem = $2 }
             END { if (type != "") print type, mem + 0 }' "$f" 2>/dev/null
    done | awk '{ t[$1] += $2; all += $2 } END { print all; for (k in t) printf "%s %.2f\n", k, t[k] / 1048576 }')
    MAP_BYTES=$(head -n 1 <<<"$MAP_KINDS")
    # enum bpf_map_type numbers of the types netflow uses.
    MAP_KINDS=$(tail -n +2 <<<"$MAP_KINDS" | sort -k2,2gr | awk '
        BEGIN { split("hash array - - percpu_hash percpu_array - - lru_hash", name, " ")
                name[17] = "xskmap"; name[27] = "ringbuf" }
        { printf "%s%s %s MiB", (NR > 1 ? ", " : ""), ($1 in name && name[$1] != "-" ? name[$1] : "type " $1), $2 }')
}

attach() { nf_srv ip link set dev "$NF_SRV_IF" xdpdrv obj "$1" sec xdp || error "cannot attach $1"; }
detach() { nf_srv ip link set dev "$NF_SRV_IF" xdpdrv off || error "cannot detach XDP"; }

# start_sensor LOG READY_RE CMD...: in the server namespace, bounded.
start_sensor() {
    local log=$1 ready=$2 i child
    shift 2
    ip netns exec "$NF_SRV_NS" timeout -s INT -k 5 $((TIMEOUT + READY_WAIT + 120)) "$@" \
        >"$log.out" 2>"$log.err" &
    SENSOR_PID=$!
    for ((i = 0; i < READY_WAIT * 10; i++)); do
        grep -qE "$ready" "$log.err" 2>/dev/null && break
        kill -0 "$SENSOR_PID" 2>/dev/null || break
        sleep 0.1
    done
    child=$(cat "/proc/$SENSOR_PID/task/$SENSOR_PID/children" 2>/dev/null)
    SENSOR_LEAF=${child%% *}
    grep -qE "$ready" "$log.err" 2>/dev/null ||
        { stop_sensor "$log"; error "$* did not start: $(tail -n 3 "$log.err")"; }
    sleep 1  # start-up (nDPI, maps) is not measured
}

stop_sensor() {
    local log=$1 i rc
    [[ -n $SENSOR_PID ]] || return 0
    kill -INT "${SENSOR_LEAF:-$SENSOR_PID}" 2>/dev/null
    for ((i = 0; i < STOP_WAIT * 10; i++)); do
        kill -0 "$SENSOR_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SENSOR_PID" 2>/dev/null; then
        kill -KILL "$SENSOR_LEAF" "$SENSOR_PID" 2>/dev/null
        wait "$SENSOR_PID"
        SENSOR_PID="" SENSOR_LEAF=""
        error "the sensor did not exit within ${STOP_WAIT}s of SIGINT"
    fi
    wait "$SENSOR_PID"
    rc=$?
    SENSOR_PID="" SENSOR_LEAF=""
    [[ $rc -eq 0 ]] || error "the sensor exited with status $rc: $(tail -n 3 "$log.err")"
}

# The generator's own CPU (GNU time) holds the receive side's softirq work
# (XDP, the skb, AF_PACKET), which runs in its context on a veth (this
# kernel has no IRQ time accounting to take it elsewhere).
# With a 4th argument, reaching NIC_TIMEOUT is no error (R_STOPPED=1).
replay() { # replay LOG TEMPLATE ROUNDS [may-stop]: sets R_SENT R_CPU R_STOPPED
    ip netns exec "$NF_CLI_NS" timeout -k 5 $((TIMEOUT + 10)) \
        /usr/bin/time -o "$1.replay.time" -f '%U %S' "$XDP_REPLAY" -i "$NF_CLI_IF" \
        -r "$2" --first-round 1 --rounds "$3" --seconds "$TIMEOUT" >"$1.replay" 2>&1 ||
        error "xdp_replay failed: $(cat "$1.replay")"
    R_SENT=$(sed -n 's/^xdp_replay: sent \([0-9]*\) frames.*/\1/p' "$1.replay")
    R_CPU=$(tail -n 1 "$1.replay.time" | awk '{ printf "%.2f", $1 + $2 }')
    R_STOPPED=0
    grep -q 'stopped by --seconds' "$1.replay" && R_STOPPED=1
    [[ $R_STOPPED == 1 && -z ${4:-} ]] && error "the replay took over ${TIMEOUT}s (NIC_TIMEOUT)"
    return 0
}

# netflow's rows + not counted; overflow packets.
account_netflow() {
    local log=$1 summary rows notcounted
    summary=$(grep -E '^netflow: [0-9]+ packets, [0-9]+ flows' "$log.err" | tail -n 1)
    [[ -n $summary ]] || error "no summary from netflow: $(tail -n 3 "$log.err")"
    rows=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
                    { s += $c["IN_PKTS"] + $c["OUT_PKTS"] } END { print s + 0 }' "$log.csv")
    notcounted=$(sed -n 's/.*not counted: //p' <<<"$summary" |
        awk -F', ' '{ for (i = 1; i <= NF; i++) n += $i + 0 } END { print n + 0 }')
    A_ACC=$((rows + notcounted))
    A_OVER=$(sed -n 's/^netflow: \([0-9]*\) packets counted in userspace (flow map full).*/\1/p' "$log.err")
    A_LOST=$(sed -n 's/.*; \([0-9]*\) dropped before capture.*/\1/p' <<<"$summary")
    A_NOTES=$(grep -E '^netflow: [0-9]+ (payload|packets found|payload packets)' "$log.err" |
        sed 's/^netflow: //' | paste -sd ';')
}

# After the replay: SETTLE seconds, then, with a sensor, until it has caught
# up (under 5% of a CPU over a second; at most 60 s), so the window holds
# the work the load caused it (rings drained, rows made).
settle() {
    local t0 t1 i
    sleep "$SETTLE"
    [[ -n $SENSOR_LEAF ]] || return 0
    t0=$(proc_ticks "$SENSOR_LEAF")
    for ((i = 0; i < 60; i++)); do
        sleep 1
        t1=$(proc_ticks "$SENSOR_LEAF")
        ((t1 - t0 < HZ / 20)) && return 0
        t0=$t1
    done
}

declare -A SENT BUSY ATTR SENSOR XDPRX ACC OVER LOST NOTES
run() { # run MODE TAG
    local mode=$1 tag=$2 log=$WORK/$2 b0 b1 x0 x1 k0 k1 p0=0 p1=0
    case $mode in
    pass) attach "$XDP_PASS_OBJ" ;;
    drop) attach "$XDP_DROP_OBJ" ;;
    tcpdump)
        attach "$XDP_PASS_OBJ"
        start_sensor "$log" '^tcpdump: listening on' tcpdump -n -i "$NF_SRV_IF" -w /dev/null
        ;;
    pcap)
        attach "$XDP_PASS_OBJ"
        start_sensor "$log" '^netflow: capturing on' "$NETFLOW" -i "$NF_SRV_IF" --backend pcap \
            -v -c "$log.csv"
        ;;
    xdp | tap)
        start_sensor "$log" '^netflow: capturing on' "$NETFLOW" -i "$NF_SRV_IF" --backend xdp \
            --capture "$([[ $mode == tap ]] && echo tap || echo host)" -v -c "$log.csv"
        ;;
    esac
    x0=$(xdp_packets)
    [[ -n $SENSOR_LEAF ]] && p0=$(proc_ticks "$SENSOR_LEAF")
    k0=$(ksoftirqd_ticks)
    b0=$(busy_ticks)
    replay "$log" "$MIX" "$REPLAY_ROUNDS"
    settle
    b1=$(busy_ticks)
    k1=$(ksoftirqd_ticks)
    [[ -n $SENSOR_LEAF ]] && p1=$(proc_ticks "$SENSOR_LEAF")
    x1=$(xdp_packets)
    SENT[$tag]=$R_SENT BUSY[$tag]=$((b1 - b0)) XDPRX[$tag]=$((x1 - x0))
    SENSOR[$tag]=$(awk -v t=$((p1 - p0)) -v hz="$HZ" 'BEGIN { printf "%.2f", t / hz }')
    ATTR[$tag]=$(awk -v r="$R_CPU" -v t=$((p1 - p0 + k1 - k0)) -v hz="$HZ" 'BEGIN { printf "%.2f", r + t / hz }')
    case $mode in
    pass | drop) detach ;;
    tcpdump)
        stop_sensor "$log"
        detach
        ACC[$tag]=$(awk '/packets captured/ { print $1 }' "$log.err")
        LOST[$tag]=$(awk '/packets dropped by kernel/ { print $1 }' "$log.err")
        ;;
    *)
        stop_sensor "$log"
        [[ $mode == pcap ]] && detach
        account_netflow "$log"
        ACC[$tag]=$A_ACC OVER[$tag]=${A_OVER:--} LOST[$tag]=${A_LOST:-0} NOTES[$tag]=$A_NOTES
        ;;
    esac
}

lab_up "nb$$"
echo "Load: xdp_replay of $MIX: $MIX_PKTS frames and $MIX_FLOWS flows a round, $REPLAY_ROUNDS rounds" \
    "= $((MIX_PKTS * REPLAY_ROUNDS)) frames, $((MIX_FLOWS * REPLAY_ROUNDS)) flows; $ROUNDS round(s) of each run"
echo "Load before the runs: $(uptime | sed 's/.*load average/load average/'), $(nproc) CPUs"
# NIC_MODES: which runs (pass always first: the others are measured against it).
read -r -a MODES <<<"${NIC_MODES:-pass drop tcpdump pcap xdp tap}"
[[ ${MODES[0]} == pass ]] || MODES=(pass "${MODES[@]}")
[[ $ROUNDS -eq 0 ]] && echo "NIC_ROUNDS=0: the memory runs only"
for ((r = 1; r <= ROUNDS; r++)); do
    for m in "${MODES[@]}"; do run "$m" "$m.$r"; done
done

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
verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo FAIL; fi; }
cpu_report() {
    declare -A DBUSY DATTR
    noisy=0
    echo
    printf '%-9s %9s %9s %7s %7s %7s %7s %7s %7s %8s %9s %7s %8s %5s  %s\n' run sent xdp_rx busy_s others \
        attrib sensor d_busy d_attr ns/pkt accounted acc_% overflow lost notes
    for ((r = 1; r <= ROUNDS; r++)); do
        for m in "${MODES[@]}"; do
            t=$m.$r
            DBUSY[$t]=$(calc '(b - b0) / hz' b="${BUSY[$t]}" b0="${BUSY[pass.$r]}" hz="$HZ")
            DATTR[$t]=$(calc 'a - a0' a="${ATTR[$t]}" a0="${ATTR[pass.$r]}")
            others=$(calc 'b / hz - a' b="${BUSY[$t]}" hz="$HZ" a="${ATTR[$t]}")
            awk -v o="$others" 'BEGIN { exit !(o > 0.5) }' && noisy=1
            printf '%-9s %9s %9s %7s %7s %7s %7s %7s %7s %8s %9s %7s %8s %5s  %s\n' "$t" "${SENT[$t]}" \
                "${XDPRX[$t]}" "$(calc 'b / hz' b="${BUSY[$t]}" hz="$HZ")" "$others" "${ATTR[$t]}" \
                "${SENSOR[$t]}" \
                "${DBUSY[$t]}" "${DATTR[$t]}" "$(calc 'a / n * 1e9' a="${ATTR[$t]}" n="${SENT[$t]}")" \
                "${ACC[$t]:--}" \
                "$([[ -n ${ACC[$t]:-} ]] && calc '100 * a / n' a="${ACC[$t]}" n="${SENT[$t]}" || echo -)" \
                "${OVER[$t]:--}" "${LOST[$t]:--}" "${NOTES[$t]:-}"
        done
    done
    cat <<'LEGEND'
  sent: frames xdp_replay redirected; xdp_rx: frames the sensor end's XDP program received
  (ethtool rx_queue_0_xdp_packets). CPU-s over the replay + 1 s, with a sensor until it
  is idle (< 5% of a CPU for a second, at most 60 s more): busy_s machine-wide
  (/proc/stat); attrib: the generator (with the receive softirqs it carries) + the sensor
  + ksoftirqd; sensor: the sensor process's own part of attrib (its threads; 0 without
  one); others = busy_s - attrib: other processes of the machine (noise). d_busy,
  d_attr: minus the same round's bare XDP_PASS run. ns/pkt: attrib per frame sent (the
  generator's own work included). accounted: tcpdump's "captured", netflow's rows
  (IN_PKTS + OUT_PKTS) + "not counted"; overflow: netflow's packets counted in userspace
  because the flow map was full; lost: tcpdump's "dropped by kernel", netflow's ring losses.
LEGEND
    if [[ $noisy -eq 1 ]]; then
        echo "  NOTE: other processes used over 0.5 CPU-s in some run (a shared machine): the verdicts"
        echo "  use d_attr, the CPU of the processes the load runs in; d_busy is shown next to it."
    fi
    med() { # med ARRAY MODE
        local -n arr=$1
        for ((r = 1; r <= ROUNDS; r++)); do echo "${arr[$2.$r]}"; done | median
    }
    per_pkt() { # median over the rounds of attributed ns a frame
        for ((r = 1; r <= ROUNDS; r++)); do
            calc 'a / n * 1e9' a="${ATTR[$1.$r]}" n="${SENT[$1.$r]}"
            echo
        done | median
    }
    echo
    if [[ "${MODES[*]}" != "pass drop tcpdump pcap xdp tap" ]]; then
        echo "NIC_MODES=${MODES[*]}: a partial run, no verdicts"
        return 0
    fi
    over=$(med OVER xdp)
    echo "$(verdict "$over == 0"): netflow --backend xdp: packets through the overflow path:" \
        "$over (median of $ROUNDS rounds; target 0)"
    acc_all=1 acc_list=""
    for ((r = 1; r <= ROUNDS; r++)); do
        [[ ${ACC[xdp.$r]} -eq ${SENT[xdp.$r]} ]] || acc_all=0
        acc_list+=" $(calc '100 * a / n' a="${ACC[xdp.$r]}" n="${SENT[xdp.$r]}")%"
    done
    echo "$(verdict "$acc_all == 1"): netflow --backend xdp: sent packets accounted:$acc_list (target 100% every round)"
    dx=$(med DATTR xdp) dt=$(med DATTR tcpdump) dp=$(med DATTR pcap)
    echo "$(verdict "$dx < $dt"): netflow --backend xdp added CPU < tcpdump -w /dev/null's:" \
        "$dx vs $dt CPU-s (d_attr medians; d_busy: $(med DBUSY xdp) vs $(med DBUSY tcpdump))"
    echo "$(verdict "$dx <= 0.5 * $dp"): netflow --backend xdp added CPU <= 0.5x netflow --backend pcap's:" \
        "$dx vs $dp CPU-s, $(calc '(dp > 0 ? x / dp : 0)' x="$dx" dp="$dp")x (d_attr medians;" \
        "d_busy: $(med DBUSY xdp) vs $(med DBUSY pcap))"
    echo "Tap mode (AF_XDP), attributed CPU a frame sent (medians; the generator's own work is in each):"
    np=$(per_pkt pass) nd=$(per_pkt drop) nt=$(per_pkt tap)
    echo "  bare XDP_PASS $np ns, bare XDP_DROP $nd ns, netflow --capture tap $nt ns:" \
        "$(calc 't - d' t="$nt" d="$nd") ns more than XDP_DROP, $(calc 't - p' t="$nt" p="$np") ns vs XDP_PASS"
}
[[ $ROUNDS -gt 0 ]] && cpu_report

# ---------------------------------------------------------------- memory
mem_run() { # mem_run FLOWS
    local want=$1 log=$WORK/mem.$1 rounds rss0 rss1 k1 active slab0 slab1
    rounds=$(((want + SHORT_FLOWS - 1) / SHORT_FLOWS))
    start_sensor "$log" '^netflow: capturing on' "$NETFLOW" -i "$NF_SRV_IF" --backend xdp -v --stats \
        --idle-timeout 3600 --active-timeout 7200 -c "$log.csv"
    rss0=$(rss_kib "$SENSOR_LEAF")
    slab0=$(slab_kib)
    replay "$log" "$SHORT" "$rounds" may-stop
    # Until netflow has caught up: two --stats lines (one a second) with the
    # same flows active, at most 60 s.
    local prev=-1 i
    for ((i = 0; i < 60; i++)); do
        sleep 1.2
        active=$(grep -E '^netflow: [0-9]+ packets \(' "$log.err" | tail -n 1 |
            sed -n 's/.*), \([0-9]*\) flows active.*/\1/p')
        [[ -n $active && $active -gt 0 && $active == "$prev" ]] && break
        prev=${active:--1}
    done
    rss1=$(rss_kib "$SENSOR_LEAF")
    slab1=$(slab_kib)
    map_bytes "$SENSOR_LEAF"
    k1=$MAP_BYTES
    stop_sensor "$log"
    account_netflow "$log"
    [[ -n $active && $active -gt 0 ]] || error "no --stats line with flows active from netflow"
    local user=$(((rss1 - rss0) * 1024)) per
    per=$(calc '(k + u) / a' k="$k1" u="$user" a="$active")
    echo "  $active flows active ($R_SENT frames, $rounds rounds of the short flows):" \
        "kernel maps $(calc 'k / 1048576' k="$k1") MiB, RSS +$(calc 'u / 1048576' u="$user") MiB" \
        "-> $per bytes a flow (kernel $(calc 'k / a' k="$k1" a="$active") + userspace" \
        "$(calc 'u / a' u="$user" a="$active")); overflow ${A_OVER:--} packets, accounted" \
        "$A_ACC of $R_SENT"
    echo "    kernel maps by type (fdinfo map_type, memlock): $MAP_KINDS"
    echo "    slab growth over the replay (machine-wide /proc/meminfo Slab): $(calc 's * 1024 / a' \
        s="$((slab1 - slab0))" a="$active") bytes a flow; with it instead of memlock:" \
        "$(calc '(s * 1024 + u) / a' s="$((slab1 - slab0))" u="$user" a="$active") bytes a flow"
    [[ $R_STOPPED == 1 ]] && echo "  (the replay stopped at NIC_TIMEOUT=${TIMEOUT}s, before $want flows)"
    MEM_PER[$want]=$per
}
declare -A MEM_PER
if [[ -n $MEM_FLOWS ]]; then
    echo
    echo "Memory per concurrent flow (netflow --backend xdp, defaults, timeouts long enough that every flow stays):"
    for n in $MEM_FLOWS; do mem_run "$n"; done
    for n in $MEM_FLOWS; do
        echo "$(verdict "${MEM_PER[$n]} <= 400"): bytes per concurrent flow at $n flows: ${MEM_PER[$n]} (target <= 400)"
    done
fi
echo "nic_bench took $(calc 'b - a' a="$START_TIME" b="$EPOCHREALTIME") s"
