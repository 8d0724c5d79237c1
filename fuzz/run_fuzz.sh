#!/usr/bin/env bash
# fuzz/run_fuzz.sh BUILD_DIR SECONDS [TARGET...]
#
# Runs each libFuzzer target (all of fuzz/CMakeLists.txt's by default) for
# SECONDS on its corpus, BUILD_DIR/fuzz-corpus/TARGET, which keeps growing
# from run to run: the seeds of fuzz/seeds/TARGET, and for the capture
# target the repo's captures and a few small ones of the shared corpus.
# Prints one line a target with the executions reached; a crash, a leak, a
# sanitizer report or a timeout leaves its input in BUILD_DIR/fuzz-artifacts/
# and makes the script exit 1 (after the other targets have run). The
# translator's target loads BPF programs: without root it is skipped.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(cd "$1" && pwd)
seconds=$2
shift 2
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
    targets=(capture_fuzz dns_parser_fuzz ftp_reply_fuzz spool_reader_fuzz
             fields_parser_fuzz cli_parser_fuzz rules_parser_fuzz cbpf_translate_fuzz)
fi

# The shared corpus: ../shared next to the repo (CI), or /work/shared.
shared=""
for d in "$repo/../shared/pcaps/ndpi/pcap" /work/shared/pcaps/ndpi/pcap; do
    [ -d "$d" ] && { shared=$d; break; }
done
# Small captures of other link types and formats (pcapng, PPP, Cisco HDLC,
# raw IP, Linux cooked, GRE, Teredo, ...).
shared_seeds=(443-chrome.pcap NTPv3.pcap dlt_ppp.pcap BGP_Cisco_hdlc_slarp.pcap BGP_redist.pcap
              ah.pcapng bfcp.pcapng bjnp.pcap nats.pcap rtcp_multiple_pkts_in_the_same_datagram.pcap
              gre.pcapng teredo.pcap someip_sd_sample.pcap)

mkdir -p "$build/fuzz-artifacts"
failed=0
for t in "${targets[@]}"; do
    bin=$build/fuzz/$t
    if [ ! -x "$bin" ]; then
        echo "fuzz $t: not built ($bin)" >&2
        failed=1
        continue
    fi
    if [ "$t" = cbpf_translate_fuzz ] && [ "$(id -u)" != 0 ]; then
        echo "fuzz $t: SKIP (loads BPF programs: needs root; CI runs as root)"
        continue
    fi
    corpus=$build/fuzz-corpus/$t
    mkdir -p "$corpus"
    [ -d "$here/seeds/$t" ] && cp -n "$here/seeds/$t"/* "$corpus"/
    max_len=4096
    if [ "$t" = capture_fuzz ]; then
        max_len=65536
        for f in "$repo"/tests/golden/*.pcap; do
            [ "$(stat -c %s "$f")" -le $max_len ] && cp -n "$f" "$corpus"/
        done
        if [ -n "$shared" ]; then
            for f in "${shared_seeds[@]}"; do
                [ -f "$shared/$f" ] && cp -n "$shared/$f" "$corpus"/
            done
        fi
    fi
    log=$build/fuzz-artifacts/$t.log
    # -timeout: one input taking longer is a hang; -rss_limit_mb: a leak.
    "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=30 -rss_limit_mb=4096 \
        -max_len=$max_len -artifact_prefix="$build/fuzz-artifacts/$t-" "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    files=$(find "$corpus" -type f | wc -l)
    if [ $rc = 0 ]; then
        echo "fuzz $t: ${runs:-?} executions in ${seconds} s, coverage ${cov:-?}, corpus $files inputs"
    else
        failed=1
        echo "fuzz $t: FAILED (exit $rc) after ${runs:-?} executions; log $log" >&2
        grep -E 'ERROR|SUMMARY|runtime error|Test unit written|cbpf_translate_fuzz:' "$log" |
            head -n 20 >&2
    fi
done
exit $failed
