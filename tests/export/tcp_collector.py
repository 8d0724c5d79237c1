#!/usr/bin/env python3
"""An IPFIX-over-TCP collector on 127.0.0.1:--port that is down at first:
it starts listening after --delay S seconds. With --first N it reads N
messages on the first connection, closes it and stops listening for --down
S seconds, then listens again and reads a second connection; with
--first 0 it reads one connection until the exporter closes it. Writes a JSON report to --report: per connection, the
messages, the flow data records (sets 256, 257), and whether the first
message carried the templates (set 2)."""
import argparse
import json
import signal
import socket
import struct
import time


def read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def messages(conn, limit):
    while limit is None or limit > 0:
        head = read_exact(conn, 16)
        if head is None:
            return
        version, length = struct.unpack("!HH", head[:4])
        if version != 10 or length < 16:
            raise ValueError(f"not IPFIX: version {version} length {length}")
        body = read_exact(conn, length - 16)
        if body is None:
            return
        yield head + body
        if limit is not None:
            limit -= 1


def sets(message):
    off = 16
    while off + 4 <= len(message):
        set_id, length = struct.unpack("!HH", message[off:off + 4])
        yield set_id, message[off + 4:off + length]
        off += length


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--delay", type=float, default=0)
    ap.add_argument("--report", required=True)
    ap.add_argument("--first", type=int, default=3)
    ap.add_argument("--down", type=float, default=1.5)
    ap.add_argument("--seconds", type=float, default=120)
    args = ap.parse_args()
    signal.alarm(int(args.seconds))
    time.sleep(args.delay)
    port = args.port
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind(("127.0.0.1", port))
    lst.listen(4)
    report = []
    for limit in ((args.first, None) if args.first else (None,)):
        conn, _ = lst.accept()
        info = {"messages": 0, "flows": 0, "templates_first": None}
        lengths = {}
        for m in messages(conn, limit):
            ids = [s for s, _ in sets(m)]
            for set_id, body in sets(m):
                if set_id == 2:
                    off = 0
                    while off + 4 <= len(body):
                        tid, count = struct.unpack("!HH", body[off:off + 4])
                        off += 4
                        total = 0
                        for _ in range(count):
                            element, length = struct.unpack("!HH", body[off:off + 4])
                            off += 8 if element & 0x8000 else 4
                            total += length
                        lengths[tid] = total
                elif set_id in (256, 257):
                    if set_id not in lengths:
                        raise ValueError("data before its template on this connection")
                    info["flows"] += len(body) // lengths[set_id]
            if info["templates_first"] is None:
                info["templates_first"] = 2 in ids
            info["messages"] += 1
            info["sequence_last"] = struct.unpack("!I", m[8:12])[0]
        report.append(info)
        conn.close()
        if limit is not None:
            lst.close()
            time.sleep(args.down)
            lst = socket.socket()
            lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            lst.bind(("127.0.0.1", port))
            lst.listen(4)
    with open(args.report, "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    main()
