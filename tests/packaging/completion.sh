#!/usr/bin/env bash
# The bash completion generated at build time proposes every flag of
# `netflow --help`, the choices of the enumerated ones, and files after -f.
#   completion.sh NETFLOW COMPLETION_FILE
set -uo pipefail
netflow=$1
completion=$2
fail() {
    echo "FAIL: $*"
    exit 1
}
bash -n "$completion" || fail "not valid bash"
# shellcheck source=/dev/null
source "$completion"
complete -p netflow | grep -q -- '-F _netflow' || fail "no completion registered for netflow"

# complete WORDS...: what the function proposes for the last word.
complete_words() {
    COMP_WORDS=(netflow "$@")
    COMP_CWORD=$#
    COMPREPLY=()
    _netflow
    printf '%s\n' "${COMPREPLY[@]}"
}

proposed=$(complete_words -)
flags=$("$netflow" --help | grep -oE '^  (-[a-zA-Z],)?--[a-z0-9-]+' | tr ',' '\n' | tr -d ' ')
for flag in $flags; do
    grep -qx -- "$flag" <<<"$proposed" || fail "completion does not propose $flag"
done
[ "$(complete_words --backend '' | sort | tr '\n' ' ')" = "auto pcap xdp " ] ||
    fail "--backend: $(complete_words --backend '')"
[ "$(complete_words --capture t)" = "tap" ] || fail "--capture t: $(complete_words --capture t)"
[ "$(complete_words --labels-format u)" = "unsw-nb15" ] || fail "--labels-format u"
[ "$(complete_words --version '' | tr '\n' ' ')" = "1 2 3 " ] || fail "--version"
[ "$(complete_words --metr)" = "--metrics" ] || fail "--metr: $(complete_words --metr)"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
touch "$dir/capture.pcap"
[ "$(complete_words -f "$dir/cap")" = "$dir/capture.pcap" ] || fail "-f does not complete files"
[ -z "$(complete_words --fields '')" ] || fail "--fields proposed something"
echo "completion: $(echo "$flags" | wc -l) flags, choices and files"
