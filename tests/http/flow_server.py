#!/usr/bin/env python3
"""A flow-collecting HTTP server for netflow's -u tests, on 127.0.0.1.

    flow_server.py --port-file F --log L --requests R [--port P] [--mode M]
                   [--require-header 'Name: value'] [--tls CERT KEY]
                   [--reject-status S] [--delay SECONDS]

Writes the port it listens on to F (P, or a free one when P is 0), then
serves POSTs with HTTP/1.1 keep-alive, one thread per connection:
  ok      200, body {"verdict": "benign", "flows": 1} for an object, an
          array of {"verdict": "benign"}, one per flow, for an array
  flaky   500 to every other request (the 1st, 3rd, ...), else as ok
  hang    accepts and reads the request, never answers
  reject  400 (or --reject-status) to every request
  cut     every other request (the 1st, 3rd, ...) is answered with the start
          of a response cut inside its headers ("HTTP/1.1 200 OK\r\n
          Content-Le"), then the connection is closed; else as ok
--delay waits that long before each answer.
Every answered request is one line of R: "STATUS NFLOWS". Every request
answered 200 appends its body, as received, as one line of L. A request
without Content-Type: application/json gets 415, one without the required
header 401. --tls serves https with that certificate. SIGTERM stops the server between two requests: a request is
either answered and logged, or neither, so a flow is never counted as
received by a server that the client saw fail.
"""
import argparse
import json
import os
import signal
import socketserver
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()  # answer + log are one step against SIGTERM
counter = {"requests": 0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--requests", required=True)
    ap.add_argument("--mode", default="ok", choices=["ok", "flaky", "hang", "reject", "cut"])
    ap.add_argument("--reject-status", type=int, default=400)
    ap.add_argument("--delay", type=float, default=0)
    ap.add_argument("--require-header")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = ap.parse_args()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes

        def log_message(self, *a):
            pass

        def answer(self, status, body, nflows):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            with open(args.requests, "a") as f:
                f.write(f"{status} {nflows}\n")

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            if args.mode == "hang":
                while True:
                    time.sleep(3600)
            if args.delay:
                time.sleep(args.delay)
            with lock:
                counter["requests"] += 1
                n = counter["requests"]
                try:
                    doc = json.loads(raw)
                    nflows = len(doc) if isinstance(doc, list) else 1
                except ValueError:
                    self.answer(400, '{"error":"not JSON"}', 0)
                    return
                ctype = self.headers.get("Content-Type", "")
                if ctype.split(";")[0].strip() != "application/json":
                    self.answer(415, '{"error":"want application/json"}', nflows)
                    return
                if args.require_header:
                    name, value = args.require_header.split(":", 1)
                    if self.headers.get(name.strip()) != value.strip():
                        self.answer(401, '{"error":"missing header"}', nflows)
                        return
                if args.mode == "reject":
                    self.answer(args.reject_status, '{"error":"rejected"}', nflows)
                    return
                if args.mode == "cut" and n % 2 == 1:
                    # Not logged as received: the client cannot know it was.
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Le")
                    self.wfile.flush()
                    self.close_connection = True
                    with open(args.requests, "a") as f:
                        f.write(f"cut {nflows}\n")
                    return
                if args.mode == "flaky" and n % 2 == 1:
                    self.answer(500, '{"error":"try again"}', nflows)
                    return
                verdict = [{"verdict": "benign"}] * nflows if isinstance(doc, list) else \
                    {"verdict": "benign", "flows": 1}
                self.answer(200, json.dumps(verdict), nflows)
                with open(args.log, "ab") as f:
                    f.write(raw.replace(b"\n", b" ") + b"\n")

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 64

    server = Server(("127.0.0.1", args.port), Handler)
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*args.tls)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)

    def stop(signum, frame):
        lock.acquire()  # never in the middle of an answer
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
