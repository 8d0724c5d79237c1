# shellcheck shell=bash
# tests/http/http_test.sh — what the -u test scripts share. *Sourced* after
# the script has set $root (the repository) and $work (its own directory,
# made empty here and removed at exit). Gives:
#   here, golden                 tests/http and tests/golden
#   fail MESSAGE                 prints FAIL and counts it in $failures
#   start_server DIR MODE [PORT [ARGS...]]
#                                flow_server.py (MODE, on PORT or a free
#                                one) logging into DIR; sets $port, $url
#   stop_server                  SIGTERM to it (also at exit)
#   requests DIR STATUS          how many requests it answered STATUS
here=$root/tests/http
golden=$root/tests/golden
rm -rf "$work" && mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
server_pid=
stop_server() {
    if [ -n "$server_pid" ]; then
        kill -TERM "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
        server_pid=
    fi
}
trap 'stop_server; rm -rf "$work"' EXIT

start_server() {
    local dir=$1 mode=$2 want=${3:-0}
    shift 3 2>/dev/null || shift $#
    mkdir -p "$dir"
    rm -f "$dir/port"
    python3 "$here/flow_server.py" --port "$want" --port-file "$dir/port" --log "$dir/log" \
        --requests "$dir/requests" --mode "$mode" "$@" 2>"$dir/server.err" &
    server_pid=$!
    for _ in $(seq 100); do
        [ -s "$dir/port" ] && break
        sleep 0.1
    done
    port=$(cat "$dir/port" 2>/dev/null)
    [ -n "$port" ] || { fail "flow_server did not start: $(cat "$dir/server.err")"; exit 1; }
    url="http://127.0.0.1:$port/predict"
}

requests() { awk -v s="$2" '$1 == s' "$1/requests" 2>/dev/null | wc -l; }
