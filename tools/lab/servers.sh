# shellcheck shell=bash
# tools/lab/servers.sh — real servers in the lab's server namespace, to be
# *sourced* after tools/lab/netns.sh (and nf_lab_up):
#
#   nf_http_server_start DIR   nginx on $NF_SRV_IP4:80 and [$NF_SRV_IP6]:80,
#                              serving DIR/www/small.html (162 bytes) and
#                              DIR/www/big.bin (200 KiB)
#   nf_dns_server_start DIR    dnsmasq on $NF_SRV_IP4:53 (UDP and TCP), no
#                              upstream; names under golden.test:
#                                www    A 10.77.0.80 (TTL 1234)
#                                alias  CNAME www (TTL 3600), then www's A
#                                v6only AAAA only
#                                addr   A 10.77.0.81
#                                anything else: NXDOMAIN
#   nf_servers_stop            stop every server started here (bounded)
#   nf_wait_for WHAT TRIES CMD...   run CMD every 0.1 s until it succeeds
#
# Servers write their logs under DIR. Every wait is bounded.
#
# The servers, and the clients of nf_mixed_traffic, run on CPU 0
# (NF_TRAFFIC_CPU): on veth a packet reaches every capture socket on the
# CPU that sent it, so packets sent from two CPUs at once may reach two
# sockets (the sensor's and tcpdump's) in different orders, and the same
# TCP segment counts as a retransmission for one and not the other (seen
# once in CI under load: RETRANSMITTED_OUT_PKTS live 13, recording 12, the
# same packets). On one CPU every socket sees one order.

NF_SERVER_PIDS=()
NF_FILE_DATE='2024-01-02 03:04:05 UTC'  # fixed mtime of served files

nf_wait_for() {
  local what=$1 tries=$2 i
  shift 2
  for ((i = 0; i < tries; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "servers.sh: timed out waiting for $what" >&2
  return 1
}

# nf_srv_listening PROTO PORT : something listens on PORT in the server ns.
nf_srv_listening() {
  local opt=-ltnH
  [ "$1" = udp ] && opt=-lunH
  ip netns exec "$NF_SRV_NS" ss "$opt" "sport = :$2" | grep -q .
}

# _nf_server_start NAME LOGDIR CMD... : CMD in the server ns, in the background.
NF_TRAFFIC_CPU=0

_nf_server_start() {
  local name=$1 dir=$2
  shift 2
  ip netns exec "$NF_SRV_NS" taskset -c "$NF_TRAFFIC_CPU" "$@" >"$dir/$name.out" 2>&1 &
  NF_SERVER_PIDS+=("$!")
}

nf_servers_stop() {
  local p
  for p in "${NF_SERVER_PIDS[@]}"; do
    kill "$p" 2>/dev/null || true
    timeout 5 tail --pid="$p" -f /dev/null 2>/dev/null || kill -9 "$p" 2>/dev/null || true
  done
  NF_SERVER_PIDS=()
}

nf_http_server_start() {
  local d=$1
  mkdir -p "$d/www" "$d/tmp"
  cat >"$d/www/small.html" <<'HTML'
<!DOCTYPE html>
<html><head><title>netflow golden</title></head>
<body><p>A small static page served by nginx for the netflow golden captures.</p></body>
</html>
HTML
  # 200 KiB of deterministic text.
  python3 -c '
import sys
line = b"netflow golden capture payload 0123456789abcdefghijklmnopqrstuvwxyz\n"
sys.stdout.buffer.write((line * (204800 // len(line) + 1))[:204800])' >"$d/www/big.bin"
  touch -d "$NF_FILE_DATE" "$d/www/small.html" "$d/www/big.bin"
  chmod -R a+rX "$d"
  cat >"$d/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 64; }
http {
  access_log $d/access.log;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  types { text/html html; application/octet-stream bin; }
  default_type application/octet-stream;
  server_tokens off;
  etag off;
  keepalive_timeout 10;
  server {
    listen $NF_SRV_IP4:80;
    listen [$NF_SRV_IP6]:80;
    root $d/www;
  }
}
EOF
  _nf_server_start nginx "$d" nginx -c "$d/nginx.conf" -p "$d"
  nf_wait_for "nginx" 50 nf_srv_listening tcp 80
}

nf_dns_server_start() {
  local d=$1
  mkdir -p "$d"
  _nf_server_start dnsmasq "$d" dnsmasq --keep-in-foreground --conf-file=/dev/null \
      --no-resolv --no-hosts --no-poll --no-negcache --bind-interfaces \
      --listen-address="$NF_SRV_IP4" --port=53 --user=root --group=root \
      --pid-file="$d/dnsmasq.pid" --log-facility="$d/dnsmasq.log" --log-queries \
      --local-ttl=1234 \
      --local=/golden.test/ \
      --host-record=www.golden.test,10.77.0.80 \
      --cname=alias.golden.test,www.golden.test,3600 \
      --host-record=v6only.golden.test,fd77::80 \
      --address=/addr.golden.test/10.77.0.81
  nf_wait_for "dnsmasq udp" 50 nf_srv_listening udp 53 &&
    nf_wait_for "dnsmasq tcp" 50 nf_srv_listening tcp 53
}

# The live tests' mixed traffic from the client to the servers started
# above: curl a small page and a 200 KiB file, dig over UDP and TCP, three
# pings; then waits out the 1 s linger of TCP ends. Each program must
# succeed: prints what failed and returns 1 otherwise.
nf_mixed_traffic() {
    local curl=(taskset -c "$NF_TRAFFIC_CPU" curl -sS --fail --max-time 10 -o /dev/null)
    local dig=(taskset -c "$NF_TRAFFIC_CPU" dig +time=2 +tries=1)
    nf_cli "${curl[@]}" "http://$NF_SRV_IP4/small.html" || { echo "curl small failed"; return 1; }
    nf_cli "${curl[@]}" "http://$NF_SRV_IP4/big.bin" || { echo "curl big failed"; return 1; }
    nf_cli "${dig[@]}" @"$NF_SRV_IP4" www.golden.test A >/dev/null ||
        { echo "dig failed"; return 1; }
    nf_cli "${dig[@]}" @"$NF_SRV_IP4" alias.golden.test A +tcp >/dev/null ||
        { echo "dig +tcp failed"; return 1; }
    nf_cli taskset -c "$NF_TRAFFIC_CPU" ping -c 3 -i 0.2 -q "$NF_SRV_IP4" >/dev/null ||
        { echo "ping failed"; return 1; }
    sleep 1.5
}
