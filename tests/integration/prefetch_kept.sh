#!/usr/bin/env bash
# The cache hints are in the built program (userspace/common/Prefetch.h):
# each function below exists only to prefetch, or prefetches on its hot
# path, and must hold at least one prefetch instruction (in its body or
# in the clones GCC splits from it, "[clone .part.0]"). GCC 12 compiled
# LabelMatcher::prefetch (now start), a loop of __builtin_prefetch calls, to a bare
# `ret`, and nothing else showed it: the rows stay the same, only slower.
#   prefetch_kept.sh NETFLOW
set -uo pipefail
netflow=$1
functions=(
    "netflow::LabelMatcher::start(netflow::FlowView const&, netflow::LabelLookup&) const"
    "netflow::LabelMatcher::advance(netflow::LabelLookup&) const"
    "netflow::FlowTable::prefetchRecord(unsigned int) const"
    "netflow::FlowWorker::process(netflow::FlowMeter&, netflow::WorkBatch const&)"
)
command -v objdump >/dev/null || { echo "FAIL: no objdump (binutils)"; exit 1; }
listing=$(objdump -d --no-show-raw-insn -C "$netflow") || { echo "FAIL: objdump $netflow"; exit 1; }
failures=0
for fn in "${functions[@]}"; do
    # The function's lines and its clones': from each "<name>:" or
    # "<name> [clone ...]:" header to the blank line.
    body=$(awk -v fn="<$fn>:" -v clone="<$fn [clone " \
        'index($0, fn) || (index($0, clone) && />:$/) { on = 1; next } on && /^$/ { on = 0 } on' \
        <<<"$listing")
    if [[ -z $body ]]; then
        echo "FAIL: $fn is not in $netflow (renamed? update this list)"
        failures=$((failures + 1))
        continue
    fi
    n=$(grep -cE $'\t(prefetch|prfm)' <<<"$body")
    if [[ $n -eq 0 ]]; then
        echo "FAIL: $fn has no prefetch instruction ($(wc -l <<<"$body") instructions)"
        failures=$((failures + 1))
    else
        echo "ok: $fn: $n prefetch instructions"
    fi
done
[[ $failures -eq 0 ]] && echo "PASS: prefetch_kept" || exit 1
