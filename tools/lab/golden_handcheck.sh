#!/usr/bin/env bash
# tools/lab/golden_handcheck.sh CAPTURE — the per-direction facts of a capture,
# straight from tshark fields with plain shell arithmetic (no flow logic, no
# shared code with netflow or golden_oracle.py). Used to write and re-check
# the tables in tests/golden/README.md.
#
# For every direction (src addr, src port, dst addr, dst port, L4 protocol) in
# first-seen order: packets, IP bytes (IPv4 total length / IPv6 payload length
# + 40), min/max IP length, OR of the TCP flag byte, max raw TCP window.
# Then the application facts: DNS messages, FTP server lines, ICMP types.
set -euo pipefail
cap=${1:?usage: golden_handcheck.sh CAPTURE}
T=(tshark -n -r "$cap" -o tcp.desegment_tcp_streams:FALSE
   -o ip.defragment:FALSE -o ipv6.defragment:FALSE)

echo "# directions of $cap"
printf '%-40s %5s %8s %5s %5s %6s %6s\n' direction pkts ipbytes min max flags winmax
# One line per packet: src,sport,dst,dport,proto,iplen,flags,win
"${T[@]}" -T fields -E separator=, -E occurrence=f \
    -e ip.src -e ipv6.src -e tcp.srcport -e udp.srcport \
    -e ip.dst -e ipv6.dst -e tcp.dstport -e udp.dstport \
    -e ip.proto -e ipv6.nxt -e ip.len -e ipv6.plen -e tcp.flags \
    -e tcp.window_size_value 2>/dev/null |
{
  declare -A n b lo hi fl win
  order=()
  while IFS=, read -r s4 s6 ts us d4 d6 td ud p4 p6 l4 l6 f w; do
    len=${l4:-$(( ${l6:-0} + 40 ))}
    key="$s4$s6:${ts:-$us} > $d4$d6:${td:-$ud} p$p4$p6"
    [ -z "${n[$key]:-}" ] && order+=("$key")
    n[$key]=$(( ${n[$key]:-0} + 1 ))
    b[$key]=$(( ${b[$key]:-0} + len ))
    [ -z "${lo[$key]:-}" ] || [ "$len" -lt "${lo[$key]}" ] && lo[$key]=$len
    [ -z "${hi[$key]:-}" ] || [ "$len" -gt "${hi[$key]}" ] && hi[$key]=$len
    fl[$key]=$(( ${fl[$key]:-0} | ${f:-0} ))
    [ "${w:-0}" -gt "${win[$key]:-0}" ] && win[$key]=$w
    :
  done
  for k in "${order[@]}"; do
    printf '%-40s %5d %8d %5d %5d  0x%02x %6d\n' "$k" "${n[$k]}" "${b[$k]}" \
        "${lo[$k]}" "${hi[$k]}" $(( ${fl[$k]} & 0xff )) "${win[$k]:-0}"
  done
}

if "${T[@]}" -Y dns 2>/dev/null | grep -q .; then
  echo "# DNS messages: frame, sport(udp/tcp), id, response, qtype, ancount, answer types, answer ttls"
  "${T[@]}" -Y dns -T fields -e frame.number -e udp.srcport -e tcp.srcport \
      -e dns.id -e dns.flags.response -e dns.qry.type -e dns.count.answers \
      -e dns.resp.type -e dns.resp.ttl 2>/dev/null
fi
if "${T[@]}" -Y 'tcp.port == 21' 2>/dev/null | grep -q .; then
  echo "# FTP: server bytes (tcp.srcport == 21) joined; complete lines that are final replies"
  "${T[@]}" -Y 'tcp.srcport == 21 && tcp.len > 0' -T fields -e tcp.payload 2>/dev/null |
      tr -d ':\n' | xxd -r -p | tr -d '\r' | grep -E '^[0-9]{3} ' || true
fi
if "${T[@]}" -Y 'icmp || icmpv6' 2>/dev/null | grep -q .; then
  echo "# ICMP: frame, src, icmp type/code, icmpv6 type/code"
  "${T[@]}" -Y 'icmp || icmpv6' -T fields -e frame.number -e ip.src -e ipv6.src \
      -e icmp.type -e icmp.code -e icmpv6.type -e icmpv6.code 2>/dev/null
fi
