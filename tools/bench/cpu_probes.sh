# shellcheck shell=bash
# CPU and memory probes shared by the live benchmarks (live_bench.sh,
# nic_runs.sh): machine-wide ticks from /proc/stat, one process's ticks and
# RSS, and the ksoftirqd threads' ticks. Sourced; defines functions and
# KSOFTIRQD only.

# Machine-wide busy and steal ticks: user nice system irq softirq steal.
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
steal_ticks() { awk '$1 == "cpu" { print $9; exit }' /proc/stat; }
# utime + stime of one process; the command name may hold spaces, so the
# fields are counted after its closing parenthesis.
proc_ticks() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
    s=${s##*) }
    awk '{ print $12 + $13 }' <<<"$s"
}
# Softirq work the kernel defers to ksoftirqd is nobody's process time:
# their ticks count in the attributed CPU too.
KSOFTIRQD=()
for d in /proc/[0-9]*; do
    [[ $(cat "$d/comm" 2>/dev/null) == ksoftirqd/* ]] && KSOFTIRQD+=("${d#/proc/}")
done
ksoftirqd_ticks() {
    local p t=0
    for p in "${KSOFTIRQD[@]}"; do t=$((t + $(proc_ticks "$p"))); done
    echo "$t"
}
# Resident memory of one process, KiB.
rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null; }
