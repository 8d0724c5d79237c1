#!/usr/bin/env python3
"""Holds a TCP port on 127.0.0.1 bound but not listening, and prints it.

    exec {fd}< <(exec python3 tests/support/hold_port.py 2>/dev/null)
    holder=$!; read -r port <&"$fd"     # ... kill "$holder" at the end

A connection to the port is refused, as to one nobody uses; and while this
runs no other process can bind it. (A port bound and closed at once, then
used as "closed", was taken once by a server of a test started in
parallel: the run under test then waited for an answer instead of being
refused.) Exits after 600 s at the latest.
"""
import socket
import time

s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(600)
