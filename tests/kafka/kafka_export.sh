#!/usr/bin/env bash
# --export kafka://BROKERS/TOPIC against librdkafka's mock cluster (three
# brokers on 127.0.0.1, kafka_mock_broker) with kcat as the consumer: every
# flow exactly once with the CSV's values, keyed by its canonical 5-tuple,
# one key in one partition; brokers down then back (flows spooled meanwhile,
# then sent: nothing lost, nothing twice); brokers down past --timeout
# (delivered + spooled == flows, the spool sent by the next run); a broker
# address where nothing listens (bounded time, exit 1, flows spooled, as -u);
# usage errors.
#   kafka_export.sh NETFLOW REPO_ROOT KAFKA_MOCK_BROKER GEN_SYNTHETIC_FLOWS WORKDIR CORPUS_DIR
set -uo pipefail
netflow=$1
root=$2
mock=$3
gen=$4
work=$5/kafka_export
corpus=${6:-}
here=$root/tests/kafka
golden=$root/tests/golden
check_flows=$root/tests/http/check_flows.py
rm -rf "$work" && mkdir -p "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
command -v kcat >/dev/null || { echo "FAIL: kcat is not installed (make deps)"; exit 1; }

# ------------------------------------------------------------ the mock cluster
# Commands go in through a FIFO held open on fd 7; each answer is one line
# of $work/broker.out after the bootstrap line.
topics=(golden corpus many outage outage_long spool_next bad)
mkfifo "$work/broker.in"
"$mock" --brokers 3 --partitions 4 --lifetime 550 $(printf -- '--topic %s ' "${topics[@]}") \
    <"$work/broker.in" >"$work/broker.out" 2>"$work/broker.err" &
broker_pid=$!
exec 7>"$work/broker.in"
cleanup() {
    exec 7>&- 2>/dev/null
    kill -TERM "$broker_pid" 2>/dev/null
    wait "$broker_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 100); do
    [ -s "$work/broker.out" ] && break
    sleep 0.1
done
bootstrap=$(head -1 "$work/broker.out")
[[ "$bootstrap" == 127.0.0.1:* ]] || { fail "mock broker did not start: $(cat "$work/broker.err")"; exit 1; }
answers=0
broker() {  # broker down|up: all three brokers, and wait for "ok"
    echo "$1" >&7
    answers=$((answers + 1))
    for _ in $(seq 100); do
        [ "$(($(wc -l <"$work/broker.out") - 1))" -ge "$answers" ] && break
        sleep 0.1
    done
    [ "$(tail -1 "$work/broker.out")" = ok ] || fail "broker $1: $(tail -1 "$work/broker.out")"
}
consume() {  # consume TOPIC OUT: every message of TOPIC as partition<TAB>key<TAB>value
    timeout 60 kcat -C -b "$bootstrap" -t "$1" -e -q -f '%p\t%k\t%s\n' >"$2" 2>"$2.err" ||
        fail "kcat on $1 failed: $(tail -3 "$2.err")"
}

# Every column, as in the golden and http tests, so every value is compared.
fields=$("$netflow" -f "$golden/dns.pcap" -c - --version 3 --no-label 2>/dev/null | head -1 | tr -d '\r')
fields="$fields,L7_PROTO_NAME,SERVER_NAME,Label,Attack"
declare -A filter=([http]="" [dns]="" [ftp]="" [ping]="ip or ip6" [http6]="ip or ip6")
args_for() {  # args_for NAME: the input and column arguments of a golden capture
    a=(-f "$golden/$1.pcap" --fields "$fields")
    [ -n "${filter[$1]}" ] && a+=(--filter "${filter[$1]}")
}
rows() { echo $(($(wc -l <"$1") - 1)); }

# ------------------------------------------------------------ usage errors
k="kafka://$bootstrap/golden"
usage_error() {  # usage_error WHAT ARGS...: exit 2, one line, no spool made
    local what=$1
    shift
    "$netflow" -f "$golden/http.pcap" "$@" --spool "$work/usage.spool" >"$work/u.out" 2>"$work/u.err"
    rc=$?
    [ "$rc" = 2 ] || fail "$what: exit $rc, want 2: $(cat "$work/u.err")"
    [ "$(wc -l <"$work/u.err")" = 1 ] || fail "$what: not one line: $(cat "$work/u.err")"
    grep -q '^netflow: error: ' "$work/u.err" || fail "$what: $(cat "$work/u.err")"
}
usage_error "unknown --kafka-opt key" --export "$k" --kafka-opt no.such.key=1
grep -q 'no.such.key' "$work/u.err" || fail "the unknown key is not named: $(cat "$work/u.err")"
usage_error "--kafka-opt without =" --export "$k" --kafka-opt linger.ms
usage_error "bad --kafka-opt value" --export "$k" --kafka-opt compression.type=bogus
usage_error "acks=1 with idempotence" --export "$k" --kafka-opt acks=1
usage_error "--kafka-opt bootstrap.servers" --export "$k" --kafka-opt bootstrap.servers=h:1
usage_error "no topic" --export "kafka://$bootstrap"
usage_error "bad port" --export "kafka://127.0.0.1:99999/t"
usage_error "bad topic" --export "kafka://$bootstrap/a/b"
usage_error "--kafka-opt without --export" -c "$work/x.csv" --kafka-opt linger.ms=1
[ ! -e "$work/usage.spool" ] || fail "a usage error created the spool"

# ------------------------------------------------------------ golden captures: every column
: >"$work/golden.csvs"
for name in http dns ftp ping http6; do
    args_for "$name"
    "$netflow" "${a[@]}" -c "$work/$name.csv" 2>/dev/null || fail "$name: CSV conversion failed"
    "$netflow" "${a[@]}" --export "kafka://$bootstrap/golden" --spool "$work/golden.spool" \
        2>"$work/$name.err"
    rc=$?
    [ "$rc" = 0 ] || fail "$name: exit $rc: $(cat "$work/$name.err")"
    n=$(rows "$work/$name.csv")
    grep -q "^netflow: kafka: $n flows\? delivered to golden; 0 flows left in the spool$" \
        "$work/$name.err" || fail "$name: summary does not say $n delivered: $(tail -1 "$work/$name.err")"
done
[ ! -e "$work/golden.spool" ] || fail "the spool is left after a full delivery"
consume golden "$work/golden.kc"
total=0
for name in http dns ftp ping http6; do total=$((total + $(rows "$work/$name.csv"))); done
python3 "$here/check_kafka.py" --consumed "$work/golden.kc" --expect "$total" \
    --values-out "$work/golden.values" || fail "golden: messages or keys wrong"
python3 "$check_flows" --received "$work/golden.values" \
    $(for n in http dns ftp ping http6; do echo --csv "$work/$n.csv"; done) ||
    fail "golden flows over Kafka differ from the CSV"

# ------------------------------------------------------------ a capture of the nDPI corpus
# With a 0.5 s idle timeout many conversations are cut into several records
# (402 flows, 60 keys with more than one): each key's records must share a
# partition.
if [ -n "$corpus" ] && [ -r "$corpus/pcap/1kxun.pcap" ]; then
    cap=$corpus/pcap/1kxun.pcap
    "$netflow" -f "$cap" --filter "ip or ip6" --idle-timeout 0.5 -c "$work/corpus.csv" 2>/dev/null ||
        fail "corpus: CSV failed"
    "$netflow" -f "$cap" --filter "ip or ip6" --idle-timeout 0.5 --export "kafka://$bootstrap/corpus" \
        --spool "$work/corpus.spool" 2>"$work/corpus.err" || fail "corpus: $(cat "$work/corpus.err")"
    consume corpus "$work/corpus.kc"
    python3 "$here/check_kafka.py" --consumed "$work/corpus.kc" --expect "$(rows "$work/corpus.csv")" \
        --min-partitions 4 --values-out "$work/corpus.values" || fail "corpus: messages or keys wrong"
    python3 "$check_flows" --received "$work/corpus.values" --csv "$work/corpus.csv" ||
        fail "corpus flows over Kafka differ from the CSV"
    repeated=$(cut -f2 "$work/corpus.kc" | sort | uniq -d | wc -l)
    [ "$repeated" -ge 20 ] || fail "corpus: only $repeated keys with several records"
else
    fail "the nDPI corpus is not at '$corpus' (1kxun.pcap)"
fi

# ------------------------------------------------------------ many flows
"$gen" "$work/many.pcap" 6000 3000 2>/dev/null || fail "gen_synthetic_flows"
"$netflow" -f "$work/many.pcap" -c "$work/many.csv" 2>/dev/null || fail "many: CSV failed"
"$netflow" -f "$work/many.pcap" --export "kafka://$bootstrap/many" --spool "$work/many.spool" \
    2>"$work/many.err" || fail "many: $(cat "$work/many.err")"
consume many "$work/many.kc"
python3 "$here/check_kafka.py" --consumed "$work/many.kc" --expect "$(rows "$work/many.csv")" \
    --min-partitions 4 --values-out "$work/many.values" || fail "many: messages or keys wrong"
python3 "$check_flows" --received "$work/many.values" --csv "$work/many.csv" ||
    fail "many flows over Kafka differ from the CSV"

# ------------------------------------------------------------ brokers down, then back
# The brokers are down when the run starts: librdkafka's queue (1000 here)
# fills, the rest goes to the spool; once they are back, the queue and the
# spool are delivered. Nothing lost, nothing twice.
"$gen" "$work/outage.pcap" 20000 20000 2>/dev/null || fail "gen_synthetic_flows"
"$netflow" -f "$work/outage.pcap" -c "$work/outage.csv" 2>/dev/null || fail "outage: CSV failed"
broker down
"$netflow" -f "$work/outage.pcap" --export "kafka://$bootstrap/outage" --spool "$work/outage.spool" \
    --timeout 60 --kafka-opt queue.buffering.max.messages=1000 2>"$work/outage.err" &
pid=$!
for _ in $(seq 600); do
    [ -s "$work/outage.spool" ] && break
    sleep 0.1
done
[ -s "$work/outage.spool" ] || fail "outage: nothing spooled while the brokers were down"
sleep 1
broker up
for _ in $(seq 1200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$pid" 2>/dev/null && { fail "outage: netflow still running 120 s after the brokers came back"; kill -TERM "$pid"; }
wait "$pid"
rc=$?
[ "$rc" = 0 ] || fail "outage: exit $rc: $(cat "$work/outage.err")"
grep -q "^netflow: kafka: 20000 flows delivered to outage; .*[0-9]* flows spooled; [0-9]* sent again from the spool; 0 flows left in the spool$" \
    "$work/outage.err" || fail "outage: summary: $(tail -1 "$work/outage.err")"
grep -q "^netflow: kafka: .*; retrying$" "$work/outage.err" || fail "outage: the brokers' failure was not reported"
[ ! -e "$work/outage.spool" ] || fail "outage: the spool is left"
consume outage "$work/outage.kc"
python3 "$here/check_kafka.py" --consumed "$work/outage.kc" --expect 20000 --min-partitions 4 \
    --values-out "$work/outage.values" || fail "outage: messages or keys wrong"
python3 "$check_flows" --received "$work/outage.values" --csv "$work/outage.csv" ||
    fail "outage: flows over Kafka differ from the CSV"

# ------------------------------------------------------------ brokers down past --timeout
# The capture comes through a FIFO: the first 3000 flows are exported (the
# second wave's first packet ends them) and delivered; then the brokers go
# down and the other 3000 end with the input: after --timeout 3 without an
# acknowledgement they are spooled, exit 1. Delivered + spooled == flows,
# each exactly once. The next run, brokers back, sends the spool first.
"$gen" "$work/long.pcap" 6000 3000 2>/dev/null || fail "gen_synthetic_flows"
"$netflow" -f "$work/long.pcap" -c "$work/long.csv" 2>/dev/null || fail "long: CSV failed"
python3 - "$work/long.pcap" "$work/long.head" "$work/long.tail" 6001 <<'PY' || fail "cannot split the capture"
import struct, sys
src, head, tail, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
data = open(src, "rb").read()
pos = 24
for _ in range(n):
    pos += 16 + struct.unpack_from("<I", data, pos + 8)[0]
open(head, "wb").write(data[:pos])
open(tail, "wb").write(data[pos:])
PY
mkfifo "$work/long.fifo"
start=$(date +%s)
"$netflow" -f "$work/long.fifo" --export "kafka://$bootstrap/outage_long" --spool "$work/long.spool" \
    --timeout 3 2>"$work/long.err" &
pid=$!
exec 8>"$work/long.fifo"
cat "$work/long.head" >&8
for _ in $(seq 120); do
    consume outage_long "$work/long.kc"
    [ "$(wc -l <"$work/long.kc")" -ge 3000 ] && break
    sleep 0.5
done
[ "$(wc -l <"$work/long.kc")" = 3000 ] || fail "long: $(wc -l <"$work/long.kc") flows delivered before the outage, want 3000"
sleep 1  # the acknowledgements reach netflow
broker down
cat "$work/long.tail" >&8
exec 8>&-
for _ in $(seq 600); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$pid" 2>/dev/null && { fail "long: netflow still running 60 s after its input ended"; kill -TERM "$pid"; }
wait "$pid"
rc=$?
elapsed=$(($(date +%s) - start))
[ "$rc" = 1 ] || fail "long: exit $rc, want 1: $(cat "$work/long.err")"
grep -q "^netflow: error: kafka: 3000 flows not delivered (.*): kept in the spool $work/long.spool, sent on the next run$" \
    "$work/long.err" || fail "long: error line: $(cat "$work/long.err")"
grep -q "^netflow: kafka: 3000 flows delivered to outage_long; 3000 flows spooled; 3000 flows left in the spool $work/long.spool$" \
    "$work/long.err" || fail "long: summary: $(tail -1 "$work/long.err")"
[ "$(wc -l <"$work/long.spool")" = 3000 ] || fail "long: $(wc -l <"$work/long.spool") lines in the spool, want 3000"
[ "$elapsed" -lt 60 ] || fail "long: $elapsed s"
python3 "$here/check_kafka.py" --consumed "$work/long.kc" --expect 3000 \
    --values-out "$work/long.values" || fail "long: messages or keys wrong"
cat "$work/long.spool" >>"$work/long.values"
python3 "$check_flows" --received "$work/long.values" --csv "$work/long.csv" ||
    fail "long: delivered + spooled differ from the CSV"
broker up
"$netflow" -f "$golden/http.pcap" -c "$work/http-default.csv" 2>/dev/null || fail "http: CSV failed"
"$netflow" -f "$golden/http.pcap" --export "kafka://$bootstrap/outage_long" --spool "$work/long.spool" \
    --timeout 60 2>"$work/next.err"
rc=$?
[ "$rc" = 0 ] || fail "next run: exit $rc: $(cat "$work/next.err")"
grep -q "^netflow: kafka: 3002 flows delivered to outage_long; 3000 flows from an earlier run's spool; 3000 sent again from the spool; 0 flows left in the spool$" \
    "$work/next.err" || fail "next run: summary: $(tail -1 "$work/next.err")"
[ ! -e "$work/long.spool" ] || fail "next run: the spool is left"
consume outage_long "$work/long2.kc"
python3 "$here/check_kafka.py" --consumed "$work/long2.kc" --expect 6002 \
    --values-out "$work/long2.values" || fail "next run: messages or keys wrong"
python3 "$check_flows" --received "$work/long2.values" --csv "$work/long.csv" \
    --csv "$work/http-default.csv" || fail "next run: the topic differs from the CSVs"

# ------------------------------------------------------------ nothing listening
# As -u with an unreachable URL: bounded by --timeout, exit 1, the flows in
# the spool, one error line naming the reason and the spool.
args_for http
start=$(date +%s)
"$netflow" "${a[@]}" --export "kafka://127.0.0.1:1/bad" --spool "$work/bad.spool" --timeout 2 \
    >"$work/bad.out" 2>"$work/bad.err"
rc=$?
elapsed=$(($(date +%s) - start))
[ "$rc" = 1 ] || fail "unreachable: exit $rc, want 1: $(cat "$work/bad.err")"
[ "$elapsed" -lt 20 ] || fail "unreachable: $elapsed s with --timeout 2"
[ ! -s "$work/bad.out" ] || fail "unreachable: output on stdout"
grep -q "^netflow: error: kafka: 2 flows not delivered (.*Connection refused.*): kept in the spool $work/bad.spool, sent on the next run$" \
    "$work/bad.err" || fail "unreachable: error line: $(cat "$work/bad.err")"
[ "$(grep -c '^netflow: error' "$work/bad.err")" = 1 ] || fail "unreachable: not one error line"
python3 "$check_flows" --received "$work/bad.spool" --csv "$work/http.csv" ||
    fail "unreachable: the spool differs from the CSV"

echo "failures: $failures"
[ "$failures" = 0 ]
