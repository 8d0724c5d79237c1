#!/usr/bin/env bash
# netflow --about: versions (the program's, nDPI, libbpf, libpcap as the
# libraries themselves report them), kernel features agreeing with
# `bpftool feature probe`, and with -i what --backend would choose: xdp on a
# lab veth (nothing left attached), pcap with --backend pcap or without
# privileges, none (exit 1) on a missing interface or one another sensor
# holds. --version keeps the earlier tool's meaning (the feature set).
#   about.sh NETFLOW REPO_ROOT
set -uo pipefail
netflow=$1
root=$2

# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"

about=$("$netflow" --about)
[ $? = 0 ] || fail "--about exit $?"
line() { grep -E "$1" <<<"$about" | head -1; }
[ -n "$(line '^netflow [0-9]+\.[0-9]+\.[0-9]+$')" ] || fail "no program version: $about"
ndpi=$(dpkg-query -W -f='${Version}' libndpi4.2 2>/dev/null | sed 's/[-+].*//')
[ -n "$(line "^  nDPI $ndpi")" ] || fail "nDPI version not $ndpi: $(line nDPI)"
libbpf=$(dpkg-query -W -f='${Version}' libbpf1 | sed 's/[-+].*//; s/^[0-9]*://')
[ -n "$(line "^  libbpf v${libbpf%.*}")" ] || fail "libbpf not $libbpf: $(line libbpf)"
[ -n "$(line '^  libpcap version 1\.')" ] || fail "no libpcap version"
[ -n "$(line '^  libxdp [0-9]')" ] || fail "no libxdp version"
[ -n "$(line "^kernel: Linux $(uname -r) ")" ] || fail "kernel release: $(line kernel)"
# libcurl is loaded when a run needs it (--about, -u), not by every run.
curl_version=$(dpkg-query -W -f='${Version}' libcurl4 | sed 's/[-+].*//; s/^[0-9]*://')
[ -n "$(line "^  libcurl/$curl_version ")" ] || fail "libcurl not $curl_version: $(line libcurl)"
loaded=$(LD_DEBUG=files "$netflow" -f "$root/tests/golden/dns.pcap" -c /dev/null 2>&1 | grep -c 'libcurl\.so')
[ "$loaded" = 0 ] || fail "a conversion to CSV loaded libcurl"
loaded=$(LD_DEBUG=files "$netflow" --about 2>&1 >/dev/null | grep -c 'file=libcurl\.so')
[ "$loaded" -ge 1 ] || fail "--about did not load libcurl through the dynamic loader"
# A libcurl that cannot be loaded: -u is one line and exit 2 before any
# packet, --about says why; a conversion to CSV does not notice.
nolib=$(mktemp -d)
: >"$nolib/libcurl.so.4"
out=$(LD_LIBRARY_PATH=$nolib "$netflow" -f "$root/tests/golden/dns.pcap" -u http://127.0.0.1:9/ 2>&1)
rc=$?
[ $rc = 2 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q "cannot load libcurl.so.4" <<<"$out" ||
    fail "-u without a loadable libcurl: exit $rc: $out"
out=$(LD_LIBRARY_PATH=$nolib "$netflow" --about)
[ $? = 0 ] && grep -q "^  libcurl: cannot load libcurl.so.4" <<<"$out" ||
    fail "--about without a loadable libcurl: $(grep -i curl <<<"$out")"
LD_LIBRARY_PATH=$nolib "$netflow" -f "$root/tests/golden/dns.pcap" -c /dev/null ||
    fail "a conversion to CSV needed libcurl"
rm -rf "$nolib"

# The kernel features, against bpftool's own probes.
probe=$(bpftool feature probe kernel 2>/dev/null)
xdp_helpers=$(awk '/helpers supported for program type xdp:/ {x=1; next} /helpers supported for program type/ {x=0} x' <<<"$probe")
expect() {  # expect NAME AVAILABLE(0/1)
    local want=no
    [ "$2" = 1 ] && want=yes
    [ -n "$(line "^  $1: $want")" ] || fail "$1: expected $want: $(line "^  $1:")"
}
expect "BPF ring buffer" "$(grep -c 'map_type ringbuf is available' <<<"$probe")"
expect "XDP" "$(grep -c 'program_type xdp is available' <<<"$probe")"
expect "AF_XDP \(tap\)" "$(grep -c 'map_type xskmap is available' <<<"$probe")"
expect "bpf_timer" "$(grep -c 'bpf_timer_init$' <<<"$xdp_helpers")"
expect "bpf_xdp_load_bytes" "$(grep -c 'bpf_xdp_load_bytes$' <<<"$xdp_helpers")"
expect "BTF" "$([ -r /sys/kernel/btf/vmlinux ] && echo 1 || echo 0)"
# tcx: kernel 6.6 and later.
IFS=. read -r major minor _ <<<"$(uname -r)"
expect "tcx" "$([ "$major" -gt 6 ] || { [ "$major" = 6 ] && [ "${minor%%[!0-9]*}" -ge 6 ]; } && echo 1 || echo 0)"

# Usage: no file or output with --about; --version is still the feature set.
out=$("$netflow" --about -f "$root/tests/golden/http.pcap" 2>&1)
[ $? = 2 ] || fail "--about -f accepted: $out"
out=$("$netflow" --about -c x.csv 2>&1)
[ $? = 2 ] || fail "--about -c accepted: $out"
[ "$("$netflow" -f "$root/tests/golden/http.pcap" -c - --version 1 2>/dev/null | head -1 | tr -d '\r' | tr ',' '\n' | wc -l)" = 14 ] ||
    fail "--version 1 no longer selects NF-v1 (12 columns + Label, Attack)"

out=$("$netflow" --about -i no-such-if0)
[ $? = 1 ] || fail "--about -i no-such-if0: exit $?"
grep -q '^backend (--backend auto) on no-such-if0: none: .*does not exist' <<<"$out" ||
    fail "missing interface: $(tail -1 <<<"$out")"

nf_lab_up "a$$" || fail "lab"
out=$(nf_cli "$netflow" --about -i "$NF_CLI_IF")
[ $? = 0 ] || fail "--about -i $NF_CLI_IF: exit $?: $out"
grep -q "^backend (--backend auto) on $NF_CLI_IF: xdp$" <<<"$out" || fail "not xdp on a veth: $out"
grep -q "^  capturing on $NF_CLI_IF: XDP native, TC egress" <<<"$out" || fail "no attach detail: $out"
nf_cli ip link show "$NF_CLI_IF" | grep -q xdp && fail "--about left XDP attached"
out=$(nf_cli "$netflow" --about -i "$NF_CLI_IF" --xdp-mode generic)
grep -q "^  capturing on $NF_CLI_IF: XDP generic" <<<"$out" || fail "--xdp-mode generic: $out"
out=$(nf_cli "$netflow" --about -i "$NF_CLI_IF" --backend pcap)
grep -q "^backend (--backend pcap) on $NF_CLI_IF: pcap" <<<"$out" || fail "--backend pcap: $out"

# Unprivileged: the probes cannot tell, auto would fall back to libpcap.
out=$(nf_cli setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
    --bounding-set=-all "$netflow" --about -i "$NF_CLI_IF")
grep -q '^  BPF ring buffer: unknown' <<<"$out" || fail "unprivileged ring buffer probe: $out"
grep -q "^backend (--backend auto) on $NF_CLI_IF: pcap (the kernel path is unavailable" <<<"$out" ||
    fail "unprivileged: $out"

# A running sensor holds the interface: none, naming it; the sensor goes on.
nf_sensor_start "$NF_CLI_NS" 100 "$work/netflow.log" -i "$NF_CLI_IF" -v -c "$work/live.csv"
out=$(nf_cli "$netflow" --about -i "$NF_CLI_IF")
[ $? = 1 ] || fail "--about beside a running sensor: exit 0: $out"
grep -q "^backend (--backend auto) on $NF_CLI_IF: none: .*$NF_CLI_IF" <<<"$out" || fail "busy: $out"
nf_cli ping -c 2 -i 0.2 -q "$NF_SRV_IP4" >/dev/null || fail "ping"
nf_sensor_stop "$work/netflow.log"
grep -q ',1,' "$work/live.csv" || fail "the running sensor lost its flow after --about"
echo "about: versions, $(grep -c ': yes' <<<"$about") kernel features as bpftool probes them, backend choices"
