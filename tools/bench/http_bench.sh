#!/usr/bin/env bash
# Flows per second delivered over HTTP next to the CSV writer, on the same
# capture (BUILD_DIR/bench/bench.pcap, made by run_bench.sh).
#
#   tools/bench/http_bench.sh BUILD_DIR      (run_bench.sh calls it)
#
# The endpoint: nginx-light (make deps) with a private prefix and config,
# listening on 127.0.0.1 and a free port, answering every POST with
# `return 200;` (keep-alive, no access log), pinned to another core than
# netflow. netflow is pinned to one core as in run_bench.sh: its capture
# thread and its sender thread share it, so the delivery's CPU cost counts.
# Runs, in turn, BENCH_RUNS times each (the fastest counts):
#   csv       netflow -f bench.pcap -c /dev/null
#   http      netflow -f bench.pcap -u URL               (one flow a request)
#   http-b100 netflow -f bench.pcap -u URL --batch 100
# Prints seconds, flows delivered (from netflow's summary, checked against
# the CSV's flow count and nginx's request count), flows/s, the ratio to the
# CSV, and PASS/FAIL for the target: with --batch 100 delivery is not the
# bottleneck (flows/s within 20% of the CSV's).
#
# Exit status: 0 when every run exited 0 and delivered every flow; 1 when
# one failed; 2 on a usage error (no capture, no nginx).
set -uo pipefail

die() { echo "http_bench: $*" >&2; exit 2; }
[[ $# -eq 1 ]] || die "usage: $0 BUILD_DIR"
BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"
NETFLOW=${NETFLOW:-$BUILD_DIR/netflow}
PCAP=$BUILD_DIR/bench/bench.pcap
RUNS=${BENCH_RUNS:-3}
TIMEOUT=${BENCH_TIMEOUT:-600}
if [[ -z ${BENCH_CPU:-} ]]; then
    if [[ $(nproc) -gt 1 ]]; then BENCH_CPU=1; else BENCH_CPU=0; fi
fi
SERVER_CPU=0
[[ $(nproc) -gt 1 && $BENCH_CPU == 0 ]] && SERVER_CPU=1
[[ -x $NETFLOW ]] || die "no netflow at $NETFLOW"
[[ -s $PCAP ]] || die "no capture at $PCAP (run_bench.sh builds it)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || die "nginx is not installed (make deps)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/http_bench.XXXXXX") || die "mktemp failed"
nginx_pid=
cleanup() {
    [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

PIN=(taskset -c "$BENCH_CPU")
SPIN=(taskset -c "$SERVER_CPU")
if ! "${PIN[@]}" true 2>/dev/null; then PIN=(); SPIN=(); fi

# ---------------------------------------------------------------- endpoint
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    client_max_body_size 64m;
    client_body_buffer_size 1m;
    log_format counted '\$status';
    server {
        listen 127.0.0.1:$port;
        access_log $WORK/nginx/logs/requests.log counted buffer=64k;
        location / { return 200 'ok\n'; }
    }
}
CONF
"${SPIN[@]}" "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" &
nginx_pid=$!
for _ in $(seq 50); do
    curl -s -o /dev/null -X POST -d '{}' "http://127.0.0.1:$port/" && break
    sleep 0.1
done
curl -s -o /dev/null -X POST -d '{}' "http://127.0.0.1:$port/" ||
    die "nginx did not start: $(cat "$WORK/nginx/logs/error.log")"
URL="http://127.0.0.1:$port/"

# ---------------------------------------------------------------- runs
declare -A BEST FLOWS STATUS
MODES=(csv http http-b100)
# shellcheck disable=SC2034
CMD_csv=("$NETFLOW" -f "$PCAP" -c /dev/null)
# shellcheck disable=SC2034
CMD_http=("$NETFLOW" -f "$PCAP" -u "$URL" --spool "$WORK/spool.jsonl")
# shellcheck disable=SC2034
CMD_http_b100=("$NETFLOW" -f "$PCAP" -u "$URL" --batch 100 --spool "$WORK/spool.jsonl")

run_once() {
    local mode=$1 start end rc wall flows
    local -n cmd=CMD_${mode//-/_}
    start=$EPOCHREALTIME
    "${PIN[@]}" timeout -k 10 "$TIMEOUT" "${cmd[@]}" >/dev/null 2>"$WORK/$mode.err"
    rc=$?
    end=$EPOCHREALTIME
    if [[ $rc -ne 0 ]]; then
        STATUS[$mode]="exit $rc: $(tail -n 2 "$WORK/$mode.err" | tr '\n' ' ')"
        return 1
    fi
    if [[ $mode == csv ]]; then
        flows=$(sed -n 's/^netflow: [0-9]* packets, \([0-9]*\) flows.*/\1/p' "$WORK/$mode.err")
    else
        flows=$(sed -n 's/^netflow: http: \([0-9]*\) flows\? delivered.*/\1/p' "$WORK/$mode.err")
    fi
    FLOWS[$mode]=$flows
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    if [[ -z ${BEST[$mode]:-} ]] || awk -v a="$wall" -v b="${BEST[$mode]}" 'BEGIN { exit !(a < b) }'; then
        BEST[$mode]=$wall
    fi
}

echo "HTTP delivery: netflow on ${PIN[*]:-any CPU}, nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') on ${SPIN[*]:-any CPU}, $URL"
failed=0
for ((i = 1; i <= RUNS; i++)); do
    for m in "${MODES[@]}"; do
        [[ -z ${STATUS[$m]:-} ]] || continue
        run_once "$m" || { failed=1; echo "ERROR: $m failed (${STATUS[$m]})"; }
    done
done
kill -USR1 "$nginx_pid" 2>/dev/null  # reopen logs: flushes the buffered access log
sleep 0.5

echo
printf '%-10s %9s %10s %12s %10s\n' mode seconds flows flows/s "vs csv"
declare -A FPS
for m in "${MODES[@]}"; do
    if [[ -n ${BEST[$m]:-} && -z ${STATUS[$m]:-} ]]; then
        FPS[$m]=$(awk -v n="${FLOWS[$m]}" -v s="${BEST[$m]}" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
        ratio=$(awk -v a="${FPS[$m]}" -v b="${FPS[csv]:-0}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
        printf '%-10s %9s %10s %12s %9sx\n' "$m" "${BEST[$m]}" "${FLOWS[$m]}" "${FPS[$m]}" "$ratio"
    else
        printf '%-10s failed: %s\n' "$m" "${STATUS[$m]:-}"
    fi
done
requests=$(wc -l <"$WORK/nginx/logs/requests.log" 2>/dev/null || echo 0)
echo "nginx answered $requests requests over all runs"
for m in http http-b100; do
    if [[ -n ${FLOWS[$m]:-} && ${FLOWS[$m]} != "${FLOWS[csv]:-}" ]]; then
        echo "ERROR: $m delivered ${FLOWS[$m]} flows, the CSV has ${FLOWS[csv]:-?}"
        failed=1
    fi
done
if [[ -n ${FPS[http-b100]:-} && -n ${FPS[csv]:-} ]] &&
    awk -v a="${FPS[http-b100]}" -v b="${FPS[csv]}" 'BEGIN { exit !(a >= 0.8 * b) }'; then
    echo "PASS: with --batch 100, HTTP delivery within 20% of the CSV's flows/s"
else
    echo "FAIL: with --batch 100, HTTP delivery within 20% of the CSV's flows/s"
fi
exit "$failed"
