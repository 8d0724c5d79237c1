#!/usr/bin/env bash
# ThreadSanitizer over the threaded pipeline (make test-tsan): a netflow
# built with -fsanitize=thread converts, with 2, 3 and 8 workers, synthetic
# waves of timed-out flows, a golden capture with short timeouts (restarts,
# TCP ends) and two corpus captures with a stream input (rows flushed by the
# merger); any race report fails (exit 66), and the rows must equal
# --threads 1's; and four files read as one capture with 3 workers.
#   tsan_run.sh BUILD_TSAN_DIR
set -uo pipefail
build=$1
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
netflow=$build/netflow
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1"
failures=0

"$build/tools/gen_synthetic_flows" "$work/waves.pcap" 20000 3000 >/dev/null || exit 1
corpus=$repo/../shared/pcaps/ndpi/pcap
inputs=("$work/waves.pcap" "$repo/tests/golden/http.pcap" "$repo/tests/golden/ftp.pcap")
for f in teams.pcap quic.pcap; do
    [[ -f $corpus/$f ]] && inputs+=("$corpus/$f")
done
for input in "${inputs[@]}"; do
    name=$(basename "$input")
    args=(--version 3 --idle-timeout 1 --active-timeout 5 --filter '')
    if ! "$netflow" -f "$input" -c "$work/want.csv" "${args[@]}" --threads 1 2>"$work/err"; then
        echo "FAIL: $name --threads 1: $(tail -n 3 "$work/err")"
        failures=$((failures + 1))
        continue
    fi
    for n in 2 3 8; do
        # Once from the file, once from stdin (a stream: rows flushed as merged).
        if ! "$netflow" -f "$input" -c "$work/got.csv" "${args[@]}" --threads "$n" 2>"$work/err" ||
            ! "$netflow" -f - -c "$work/got_stream.csv" "${args[@]}" --threads "$n" \
                <"$input" 2>>"$work/err"; then
            echo "FAIL: $name --threads $n under TSan:"
            head -n 40 "$work/err"
            failures=$((failures + 1))
        elif ! cmp -s "$work/want.csv" "$work/got.csv" || ! cmp -s "$work/want.csv" "$work/got_stream.csv"; then
            echo "FAIL: $name --threads $n: rows differ from --threads 1"
            failures=$((failures + 1))
        fi
    done
done
# Several files as one capture (the merged reader feeding the workers).
many=(-f "$repo/tests/golden/http.pcap" -f "$repo/tests/golden/dns.pcap" -f "$repo/tests/golden/ftp.pcap"
    -f "$work/waves.pcap" --version 3 --idle-timeout 1)
if ! "$netflow" "${many[@]}" -c "$work/want.csv" --threads 1 2>"$work/err"; then
    echo "FAIL: 4 files --threads 1: $(tail -n 3 "$work/err")"
    failures=$((failures + 1))
elif ! "$netflow" "${many[@]}" -c "$work/got.csv" --threads 3 2>"$work/err"; then
    echo "FAIL: 4 files --threads 3 under TSan:"
    head -n 40 "$work/err"
    failures=$((failures + 1))
elif ! cmp -s "$work/want.csv" "$work/got.csv"; then
    echo "FAIL: 4 files --threads 3: rows differ from --threads 1"
    failures=$((failures + 1))
fi
if [[ $failures -eq 0 ]]; then
    echo "PASS: ThreadSanitizer: ${#inputs[@]} captures x --threads 2, 3, 8 (file and stdin), no report, rows of --threads 1"
    exit 0
fi
exit 1
