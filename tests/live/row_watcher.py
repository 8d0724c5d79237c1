#!/usr/bin/env python3
"""Notes when each row of a live output becomes visible to a reader.

    row_watcher.py SOURCE ARRIVALS [SECONDS]

SOURCE is a FIFO (read line by line until its writer closes it: netflow
-c - writing into a pipe) or a regular file (polled every 20 ms for new
complete lines, as `tail -f` would: netflow -c FILE, or the flow server's
log of POSTed flows), for at most SECONDS (60). Each complete line is
appended to ARRIVALS, prefixed by the wall-clock time in milliseconds at
which it was seen and a tab, and flushed at once.
"""
import os
import stat
import sys
import time


def now_ms():
    return int(time.time() * 1000)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    source, arrivals = sys.argv[1], sys.argv[2]
    deadline = time.monotonic() + (float(sys.argv[3]) if len(sys.argv) == 4 else 60.0)
    out = open(arrivals, "a", buffering=1)
    if os.path.exists(source) and stat.S_ISFIFO(os.stat(source).st_mode):
        with open(source, "rb") as f:  # blocks until the writer opens it
            for line in f:
                out.write(f"{now_ms()}\t{line.decode().rstrip()}\n")
                if time.monotonic() > deadline:
                    break
        return
    pos, partial = 0, b""
    while time.monotonic() < deadline:
        try:
            with open(source, "rb") as f:
                f.seek(pos)
                data = f.read()
        except FileNotFoundError:
            data = b""
        pos += len(data)
        partial += data
        *lines, partial = partial.split(b"\n")
        for line in lines:
            out.write(f"{now_ms()}\t{line.decode().rstrip()}\n")
        time.sleep(0.02)


if __name__ == "__main__":
    main()
