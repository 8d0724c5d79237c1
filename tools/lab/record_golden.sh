#!/usr/bin/env bash
# tools/lab/record_golden.sh — record the golden captures of real traffic made
# by real programs (nginx/curl, dnsmasq/dig, vsftpd/ftp, ping) in a private
# two-namespace veth lab (tools/lab/netns.sh), then write the independent
# oracle's rows next to each capture (tools/lab/golden_oracle.py).
#
# Usage (as root):  tools/lab/record_golden.sh [OUT_DIR]     (default tests/golden)
#
# Writes OUT_DIR/{http,http6,dns,ftp,ping}.pcap and NAME.oracle.csv, replacing
# earlier ones. Idempotent: every run builds a fresh lab with a unique suffix
# and removes it, its servers and its temp dir on exit (also on error/^C).
# All traffic stays between 10.77.0.1/fd77::1 (client ns) and
# 10.77.0.2/fd77::2 (server ns). tcpdump runs on the client-side veth.
# Every wait loop is bounded; the whole run takes about 30 s.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${1:-$REPO/tests/golden}

# shellcheck source=tools/lab/netns.sh
source "$HERE/netns.sh"
# shellcheck source=tools/lab/servers.sh
source "$HERE/servers.sh"

if [ "$(id -u)" != 0 ]; then
  echo "record_golden.sh: must run as root (network namespaces)" >&2
  exit 1
fi
nf_lab_require_tools tcpdump nginx dnsmasq dig vsftpd ftp curl ping ethtool \
  ss python3 tshark timeout

mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/nf-golden.XXXXXX)
chmod 755 "$WORK"          # nginx workers (nobody) and vsftpd (ftp) read below it
CAP_PID=

cleanup() {
  local rc=$?
  set +e
  [ -n "$CAP_PID" ] && kill -INT "$CAP_PID" 2>/dev/null
  nf_servers_stop
  nf_lab_down                # also kills anything left inside the namespaces
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "record_golden: $*" >&2; }

# Fixed timestamp for every served file (Last-Modified, FTP listing dates).
FILE_DATE=$NF_FILE_DATE

# capture_start NAME : tcpdump on the client veth, only traffic to/from the
# server addresses, full packets, written packet by packet.
capture_start() {
  local name=$1
  rm -f "$WORK/$name.pcap"
  ip netns exec "$NF_CLI_NS" tcpdump -i "$NF_CLI_IF" -s 0 -U -n -Z root \
      -w "$WORK/$name.pcap" "host $NF_SRV_IP4 or host $NF_SRV_IP6" \
      2>"$WORK/$name.tcpdump.log" &
  CAP_PID=$!
  nf_wait_for "tcpdump ($name)" 50 grep -q 'listening on' "$WORK/$name.tcpdump.log"
  sleep 0.3
}

# capture_stop NAME : let the last packets arrive, stop tcpdump, install file.
capture_stop() {
  local name=$1
  sleep 1
  kill -INT "$CAP_PID"
  wait "$CAP_PID" || true
  CAP_PID=
  grep -E 'packets (captured|dropped)' "$WORK/$name.tcpdump.log" | sed "s/^/  $name: /" >&2
  rm -f "$OUT/$name.pcap"
  cp "$WORK/$name.pcap" "$OUT/$name.pcap"
  chmod 644 "$OUT/$name.pcap"
}

# ---------------------------------------------------------------- the lab
nf_lab_up "g$$"
log "lab up: $NF_CLI_NS ($NF_CLI_IP4, $NF_CLI_IP6) <-> $NF_SRV_NS ($NF_SRV_IP4, $NF_SRV_IP6)"

# ---------------------------------------------------------------- HTTP
record_http() {
  nf_http_server_start "$WORK/nginx"

  local curl=(curl -sS --fail --max-time 10 -A golden-curl/1.0 -o /dev/null)
  capture_start http
  nf_cli "${curl[@]}" --local-port 40080 "http://$NF_SRV_IP4/small.html"
  sleep 1.5
  nf_cli "${curl[@]}" --local-port 40081 "http://$NF_SRV_IP4/big.bin"
  capture_stop http

  capture_start http6
  nf_cli "${curl[@]}" -g --local-port 40082 "http://[$NF_SRV_IP6]/small.html"
  capture_stop http6
  nf_servers_stop
}

# ---------------------------------------------------------------- DNS
record_dns() {
  local d=$WORK/dnsmasq
  nf_dns_server_start "$d"

  # dig: fixed query IDs and source ports, no EDNS cookie (random bytes).
  q() { # q QID SRCPORT TYPE NAME [dig options...]
    local qid=$1 port=$2 type=$3 name=$4
    shift 4
    nf_cli dig +qid="$qid" -b "$NF_CLI_IP4#$port" @"$NF_SRV_IP4" +nocookie \
        +time=2 +tries=1 "$@" "$name" "$type" >>"$d/dig.out"
  }
  capture_start dns
  q 4097 41001 A    www.golden.test;    sleep 0.2   # 0x1001
  q 4098 41002 A    alias.golden.test;  sleep 0.2   # 0x1002
  q 4099 41003 AAAA v6only.golden.test; sleep 0.2   # 0x1003
  q 4100 41004 A    nx.golden.test;     sleep 0.2   # 0x1004
  q 4101 41005 A    alias.golden.test +tcp          # 0x1005
  # > 1 s after the TCP flow ended: under the contract it is exported before
  # the UDP flows above (ended TCP flow, t - last > 1 s).
  sleep 1.5
  q 4102 41006 A    addr.golden.test                # 0x1006
  capture_stop dns
  nf_servers_stop
}

# ---------------------------------------------------------------- FTP
record_ftp() {
  local d=$WORK/vsftpd
  mkdir -p "$d/root/pub"
  printf 'Welcome to the netflow golden FTP server.\nAnonymous access only; this text makes the 220 reply multi-line.\n' \
      >"$d/banner.txt"
  printf 'This is the anonymous FTP root.\nThese lines make the 230 reply multi-line.\n' \
      >"$d/root/.message"
  python3 -c '
import sys
line = b"golden ftp file line 0123456789\n"
sys.stdout.buffer.write(line * 64)' >"$d/root/pub/readme.txt"
  touch -d "$FILE_DATE" "$d/root/.message" "$d/root/pub/readme.txt" "$d/root/pub" "$d/root"
  chmod -R a+rX,go-w "$d"
  cat >"$d/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=$NF_SRV_IP4
listen_port=21
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$d/root
local_enable=NO
write_enable=NO
secure_chroot_dir=/var/run/vsftpd/empty
pasv_enable=YES
pasv_address=$NF_SRV_IP4
pasv_min_port=30000
pasv_max_port=30009
port_enable=NO
connect_from_port_20=NO
banner_file=$d/banner.txt
dirmessage_enable=YES
hide_ids=YES
use_localtime=NO
seccomp_sandbox=NO
xferlog_enable=YES
vsftpd_log_file=$d/vsftpd.log
EOF
  chmod 600 "$d/vsftpd.conf"
  _nf_server_start vsftpd "$WORK" vsftpd "$d/vsftpd.conf"
  nf_wait_for "vsftpd" 50 nf_srv_listening tcp 21

  capture_start ftp
  # tnftp, scripted: login (multi-line 220 and 230), FEAT (multi-line 211),
  # a listing and a download over passive data connections, QUIT (221).
  nf_cli timeout 20 ftp -n -p -v "$NF_SRV_IP4" >"$d/ftp.out" 2>&1 <<EOF
user anonymous golden@
quote FEAT
cd pub
ls
get readme.txt $d/readme.got
quit
EOF
  capture_stop ftp
  cmp -s "$d/root/pub/readme.txt" "$d/readme.got" || { log "ftp download failed"; cat "$d/ftp.out" >&2; return 1; }
  nf_servers_stop
}

# ---------------------------------------------------------------- ICMP
record_ping() {
  capture_start ping
  nf_cli ping -n -c 4 -W 2 "$NF_SRV_IP4" >/dev/null
  nf_cli ping -n -6 -c 3 -W 2 "$NF_SRV_IP6" >/dev/null
  capture_stop ping
}

record_http
record_dns
record_ftp
record_ping

# ---------------------------------------------------------------- oracle
# The oracle fails (exit 3) if a flow would hit an idle/active timeout.
# Expected flow counts: a capture with extra or missing flows (noise, a
# failed transfer) is rejected rather than silently committed.
# The filter modes match tests/golden/check_golden.sh: the IPv6 captures are
# converted with --filter 'ip or ip6', the others with the default filter.
declare -A EXPECTED_FLOWS=([http]=2 [http6]=1 [dns]=6 [ftp]=3 [ping]=2)
declare -A FILTER_MODE=([http]=default [http6]=ip [dns]=default [ftp]=default [ping]=ip)
for name in http http6 dns ftp ping; do
  python3 "$HERE/golden_oracle.py" --columns full --filter-mode "${FILTER_MODE[$name]}" \
    "$OUT/$name.pcap" >"$OUT/$name.oracle.csv"
  rows=$(( $(wc -l <"$OUT/$name.oracle.csv") - 1 ))
  if [ "$rows" != "${EXPECTED_FLOWS[$name]}" ]; then
    log "$name.pcap: $rows flows, expected ${EXPECTED_FLOWS[$name]}"
    exit 1
  fi
done
ls -l "$OUT"/*.pcap "$OUT"/*.oracle.csv >&2
log "done"
