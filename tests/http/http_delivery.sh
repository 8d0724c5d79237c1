#!/usr/bin/env bash
# -u URL against a real HTTP server on 127.0.0.1 (flow_server.py): every
# flow arrives exactly once with the CSV's values, through failures (500s,
# a server stopped for 5 s, the spool), a server that never answers does not
# hang the program past its timeout, batching, -v, --header, and the usage
# errors of a bad URL.
#   http_delivery.sh NETFLOW REPO_ROOT GEN_SYNTHETIC_FLOWS WORKDIR
set -uo pipefail
netflow=$1
root=$2
gen=$3
work=$4/http_delivery
# shellcheck source=tests/http/http_test.sh
source "$root/tests/http/http_test.sh"

# Every column, as in the golden test, so every value is compared.
fields=$("$netflow" -f "$golden/dns.pcap" -c - --version 3 --no-label 2>/dev/null | head -1 | tr -d '\r')
fields="$fields,L7_PROTO_NAME,SERVER_NAME,Label,Attack"
declare -A filter=([http]="" [dns]="" [ftp]="" [ping]="ip or ip6" [http6]="ip or ip6")
args_for() {  # args_for NAME: the input and column arguments of a golden capture
    a=(-f "$golden/$1.pcap" --fields "$fields")
    [ -n "${filter[$1]}" ] && a+=(--filter "${filter[$1]}")
}
for name in http dns ftp ping http6; do
    args_for "$name"
    "$netflow" "${a[@]}" -c "$work/$name.csv" 2>/dev/null || fail "$name: CSV conversion failed"
done
"$netflow" -f "$golden/http.pcap" -c "$work/http-default.csv" 2>/dev/null || fail "http: CSV failed"
"$gen" "$work/many.pcap" 1000 1000 2>/dev/null || fail "gen_synthetic_flows"
"$netflow" -f "$work/many.pcap" -c "$work/many.csv" 2>/dev/null || fail "many: CSV failed"
"$gen" "$work/some.pcap" 200 200 2>/dev/null || fail "gen_synthetic_flows"
"$netflow" -f "$work/some.pcap" -c "$work/some.csv" 2>/dev/null || fail "some: CSV failed"
many_rows=$(($(wc -l <"$work/many.csv") - 1))
[ "$many_rows" = 1000 ] || fail "many.pcap: $many_rows rows, want 1000"

# ------------------------------------------------------------ usage errors
for bad in "ftp://127.0.0.1/x" "not a url" "http://" "127.0.0.1:8080/x" "file:///etc/passwd" \
    "http://exa mple.com/"; do
    "$netflow" -f "$golden/http.pcap" -u "$bad" --spool "$work/usage.spool" >"$work/u.out" 2>"$work/u.err"
    rc=$?
    [ "$rc" = 2 ] || fail "-u '$bad' exited $rc, want 2"
    [ "$(wc -l <"$work/u.err")" = 1 ] || fail "-u '$bad': not one line: $(cat "$work/u.err")"
done
"$netflow" -f "$golden/http.pcap" -u http://127.0.0.1:9/ --header 'no colon' 2>/dev/null
[ $? = 2 ] || fail "--header without a colon is not a usage error"
"$netflow" -f "$golden/http.pcap" -c "$work/x.csv" --batch 10 2>/dev/null
[ $? = 2 ] || fail "--batch with -c is not a usage error"
[ ! -e "$work/usage.spool" ] || fail "a usage error created the spool"

# ------------------------------------------------------------ every golden flow exactly once
start_server "$work/ok" ok 0 --require-header "Authorization: Bearer t0k3n"
for name in http dns ftp ping http6; do
    args_for "$name"
    "$netflow" "${a[@]}" -u "$url" --header "Authorization: Bearer t0k3n" -v \
        --spool "$work/ok/spool" >"$work/ok/$name.out" 2>"$work/ok/$name.err"
    rc=$?
    [ "$rc" = 0 ] || fail "$name: exit $rc: $(cat "$work/ok/$name.err")"
    rows=$(($(wc -l <"$work/$name.csv") - 1))
    grep -q "http: $rows flows\? delivered" "$work/ok/$name.err" ||
        fail "$name: summary does not say $rows delivered: $(tail -1 "$work/ok/$name.err")"
    # -v: the server's answer, one line per flow, on stdout.
    [ "$(grep -c '^{"verdict": "benign", "flows": 1}$' "$work/ok/$name.out")" = "$rows" ] ||
        fail "$name: -v printed $(wc -l <"$work/ok/$name.out") lines, want $rows verdicts"
done
[ ! -e "$work/ok/spool" ] || fail "the spool is left after a full delivery"
python3 "$here/check_flows.py" --received "$work/ok/log" \
    $(for n in http dns ftp ping http6; do echo --csv "$work/$n.csv"; done) ||
    fail "golden flows over HTTP differ from the CSV"
[ "$(requests "$work/ok" 401)" = 0 ] || fail "--header was not sent"
stop_server

# ------------------------------------------------------------ 500s, a stopped server, the spool
# Every other request answered 500: every flow arrives, once.
start_server "$work/flaky" flaky 0
args_for http
"$netflow" -f "$work/some.pcap" -u "$url" --spool "$work/flaky/spool" 2>"$work/flaky/a.err"
rc=$?
[ "$rc" = 0 ] || fail "flaky: exit $rc: $(cat "$work/flaky/a.err")"
grep -q 'failed requests\?, retried' "$work/flaky/a.err" || fail "flaky: no retry in the summary"
[ "$(requests "$work/flaky" 500)" -ge 100 ] || fail "flaky: fewer 500s than expected"
csvs=(--csv "$work/some.csv")

# The server stopped for 5 s in the middle of a run, then restarted on the
# same port: the run retries, spools what its queue cannot hold (queue of
# 10) and sends the spool once the server answers again.
stop_server
"$netflow" -f "$work/some.pcap" -u "$url" --spool "$work/flaky/spool" --queue-size 10 \
    --timeout 30 2>"$work/flaky/b.err" &
nf=$!
sleep 5
start_server "$work/flaky" flaky "$port"
wait "$nf"
rc=$?
[ "$rc" = 0 ] || fail "stopped server: exit $rc: $(cat "$work/flaky/b.err")"
grep -q 'flows spooled while the queue was full' "$work/flaky/b.err" ||
    fail "stopped server: nothing went through the spool: $(tail -1 "$work/flaky/b.err")"
[ ! -e "$work/flaky/spool" ] || fail "stopped server: spool left after delivery"
csvs+=(--csv "$work/some.csv")

stop_server
python3 "$here/check_flows.py" --received "$work/flaky/log" "${csvs[@]}" ||
    fail "500s and a stopped server: flows lost or duplicated"

# Server down for a whole run: exit 1, the flows are in the spool and the
# summary says how many and where; the next run sends them, once.
"$netflow" -f "$golden/dns.pcap" --fields "$fields" -u "$url" --spool "$work/down.spool" \
    --timeout 1 2>"$work/down.err"
rc=$?
[ "$rc" = 1 ] || fail "server down: exit $rc, want 1"
dns_rows=$(($(wc -l <"$work/dns.csv") - 1))
grep -q "$dns_rows flows\? not delivered.*$work/down.spool" "$work/down.err" ||
    fail "server down: the error does not say $dns_rows flows and the spool: $(cat "$work/down.err")"
[ "$(wc -l <"$work/down.spool" 2>/dev/null)" = "$dns_rows" ] || fail "server down: spool lines"
python3 "$here/check_flows.py" --received "$work/down.spool" --csv "$work/dns.csv" ||
    fail "server down: the spool differs from the CSV"
start_server "$work/back" ok "$port"
"$netflow" -f "$golden/dns.pcap" --fields "$fields" -u "$url" --spool "$work/down.spool" \
    2>"$work/back.err"
rc=$?
[ "$rc" = 0 ] || fail "spool re-send: exit $rc: $(cat "$work/back.err")"
grep -q "$dns_rows flows\? from an earlier run's spool" "$work/back.err" ||
    fail "spool re-send: not in the summary: $(tail -1 "$work/back.err")"
[ ! -e "$work/down.spool" ] || fail "spool re-send: spool left"
stop_server
# dns.pcap twice: the spooled run, then this one.
python3 "$here/check_flows.py" --received "$work/back/log" --csv "$work/dns.csv" \
    --csv "$work/dns.csv" || fail "spool re-send: flows lost or duplicated"

# ------------------------------------------------------------ a server that never answers
# The program exits within its --timeout after the end of the capture, the
# flows in the spool (and none delivered).
# The bound: --timeout after the end of the capture. The capture's own time
# (start-up, nDPI, the file; slow under ASan on a loaded machine) is
# measured by the same conversion to CSV just before.
t0=$EPOCHREALTIME
"$netflow" -f "$golden/dns.pcap" --fields "$fields" -c "$work/dns-timed.csv" 2>/dev/null
capture=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
start_server "$work/hang" hang 0
t0=$EPOCHREALTIME
timeout -k 5 60 "$netflow" -f "$golden/dns.pcap" --fields "$fields" -u "$url" --timeout 3 \
    --spool "$work/hang.spool" 2>"$work/hang.err"
rc=$?
secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
stop_server
[ "$rc" = 1 ] || fail "hanging server: exit $rc, want 1 (124 is a hang): $(cat "$work/hang.err")"
awk -v s="$secs" -v c="$capture" 'BEGIN { exit !(s >= 3 && s < 3 + 2 * c + 2) }' ||
    fail "hanging server: took $secs s with --timeout 3 (the capture alone: $capture s)"
python3 "$here/check_flows.py" --received "$work/hang.spool" --csv "$work/dns.csv" ||
    fail "hanging server: the spool does not hold every flow"
echo "hanging server: exited after $secs s with --timeout 3 (the capture alone: $capture s)"

# ------------------------------------------------------------ batching (and -v per flow)
for batch in 7 100 1000 5000; do
    start_server "$work/batch$batch" ok 0
    "$netflow" -f "$work/many.pcap" -u "$url" --batch "$batch" --flush-interval 60 -v \
        --spool "$work/batch.spool" >"$work/batch$batch.out" 2>"$work/batch$batch.err"
    rc=$?
    stop_server
    [ "$rc" = 0 ] || fail "--batch $batch: exit $rc: $(cat "$work/batch$batch.err")"
    want=$(((1000 + batch - 1) / batch))
    got=$(requests "$work/batch$batch" 200)
    [ "$got" = "$want" ] || fail "--batch $batch: 1000 flows in $got requests, want $want"
    [ "$(requests "$work/batch$batch" 200)" = "$(wc -l <"$work/batch$batch/requests")" ] ||
        fail "--batch $batch: requests other than 200"
    grep -qv '^\[' "$work/batch$batch/log" && fail "--batch $batch: a body that is not an array"
    # -v: the server answers a batch with one verdict per flow: one line
    # each, as compact JSON (nlohmann-json's).
    [ "$(grep -c '^{"verdict":"benign"}$' "$work/batch$batch.out")" = 1000 ] ||
        fail "--batch $batch -v: $(wc -l <"$work/batch$batch.out") lines, want 1000 verdicts"
    python3 "$here/check_flows.py" --received "$work/batch$batch/log" --csv "$work/many.csv" ||
        fail "--batch $batch: flows lost or duplicated"
done
# Without --flush-interval a partial batch still goes out while the run is
# live: covered by the flush timer; without --batch every body is one object.
grep -q '^\[' "$work/ok/log" && fail "without --batch a body is an array"

# ------------------------------------------------------------ https
# Certificates are verified against the system CA store: a self-signed
# server is refused (never sent a flow), the flows stay in the spool.
if openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" \
    >/dev/null 2>&1; then
    start_server "$work/tls" ok 0 --tls "$work/cert.pem" "$work/key.pem"
    "$netflow" -f "$golden/http.pcap" -u "https://127.0.0.1:$port/predict" --timeout 2 \
        --spool "$work/tls.spool" 2>"$work/tls.err"
    rc=$?
    stop_server
    [ "$rc" = 1 ] || fail "self-signed https: exit $rc, want 1: $(cat "$work/tls.err")"
    grep -qi 'certificate' "$work/tls.err" || fail "self-signed https: $(cat "$work/tls.err")"
    [ ! -s "$work/tls/requests" ] || fail "self-signed https: a request got through"
    python3 "$here/check_flows.py" --received "$work/tls.spool" --csv "$work/http-default.csv" ||
        fail "self-signed https: the spool does not hold the flows"
else
    fail "openssl could not make a test certificate"
fi

# ------------------------------------------------------------ persistent connections, HTTP/2
# nginx (make deps) answering 200, logging each request's protocol and
# connection number: plain http keeps its connections alive (1000 requests
# on at most 4 connections, one per request in flight); https with a
# certificate trusted through --cacert negotiates HTTP/2 (ALPN) and
# multiplexes the requests as streams.
nginx_pid=
start_nginx() {  # start_nginx DIR [ssl]: sets $port
    local dir=$1 listen
    mkdir -p "$dir/logs"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    listen="127.0.0.1:$port"
    [ "${2:-}" = ssl ] && listen="$listen ssl http2"
    cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 256; }
http {
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    keepalive_requests 100000;
    log_format proto '\$server_protocol \$connection \$status \$uri';
    server {
        listen $listen;
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        access_log $dir/logs/requests.log proto;
        location / { return 200 '{"verdict":"ok"}'; }
    }
}
CONF
    nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" &
    nginx_pid=$!
    for _ in $(seq 100); do
        curl -sk -o /dev/null "http$([ "${2:-}" = ssl ] && echo s)://127.0.0.1:$port/ready" &&
            return 0
        sleep 0.1
    done
    fail "nginx did not start: $(cat "$dir/logs/error.log")"
}
stop_nginx() {
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
    nginx_pid=
}
trap 'stop_server; stop_nginx; rm -rf "$work"' EXIT
if [ -s "$work/cert.pem" ] && command -v nginx >/dev/null; then
    for scheme in http https; do
        start_nginx "$work/nginx-$scheme" "$([ $scheme = https ] && echo ssl)"
        "$netflow" -f "$work/many.pcap" -u "$scheme://127.0.0.1:$port/predict" \
            --cacert "$work/cert.pem" --spool "$work/nginx.spool" 2>"$work/nginx-$scheme.err"
        rc=$?
        stop_nginx
        # The readiness probes (/ready) are not counted.
        grep -v ' /ready$' "$work/nginx-$scheme/logs/requests.log" >"$work/nginx-$scheme.log"
        log=$work/nginx-$scheme.log
        [ "$rc" = 0 ] || fail "$scheme via nginx: exit $rc: $(cat "$work/nginx-$scheme.err")"
        grep -q 'http: 1000 flows delivered in 1000 requests' "$work/nginx-$scheme.err" ||
            fail "$scheme via nginx: $(tail -1 "$work/nginx-$scheme.err")"
        [ "$(awk '$3 == 200' "$log" | wc -l)" = 1000 ] || fail "$scheme: nginx answered $(wc -l <"$log")"
        conns=$(awk '{ print $2 }' "$log" | sort -u | wc -l)
        [ "$conns" -le 4 ] || fail "$scheme: 1000 requests on $conns connections (no keep-alive?)"
        want=HTTP/1.1
        [ $scheme = https ] && want=HTTP/2.0
        [ "$(awk -v p="$want" '$1 == p' "$log" | wc -l)" = 1000 ] ||
            fail "$scheme: not every request was $want: $(sort "$log" | uniq -c | head -3)"
        echo "$scheme via nginx: 1000 requests, $want, $conns connection(s)"
    done
else
    fail "no certificate or no nginx (make deps) for the connection tests"
fi
"$netflow" -f "$golden/http.pcap" -u http://127.0.0.1:9/ --cacert "$work/none.pem" 2>/dev/null
[ $? = 2 ] || fail "an unreadable --cacert is not a usage error"

# ------------------------------------------------------------ rejected (4xx)
start_server "$work/reject" reject 0
"$netflow" -f "$golden/http.pcap" -u "$url" --spool "$work/reject.spool" 2>"$work/reject.err"
rc=$?
stop_server
http_rows=$(($(wc -l <"$work/http.csv") - 1))
[ "$rc" = 1 ] || fail "rejected: exit $rc, want 1"
grep -q "$http_rows flows\? rejected by the server (HTTP 400), not retried" "$work/reject.err" ||
    fail "rejected: not reported: $(cat "$work/reject.err")"
[ "$(wc -l <"$work/reject/requests")" = "$http_rows" ] || fail "rejected: a 400 was retried"

# Under ASan/UBSan an error report can hide behind an expected exit 1.
if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work"/*.err "$work"/*/*.err \
    2>/dev/null; then
    fail "sanitizer reports in the files above"
fi

if [ "$failures" -gt 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "http delivery: all checks passed"
