#!/usr/bin/env python3
"""Writes the hand-made seeds of the fuzz targets into fuzz/seeds/TARGET/.

The capture target also gets the repo's captures and a few small ones of
the shared corpus at run time (run_fuzz.sh); these are the rest. Run it
again after changing it; the files are committed.
"""
import ctypes
import ctypes.util
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "seeds", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def dns_name(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_seeds():
    query = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + dns_name("example.com") + \
        struct.pack("!HH", 1, 1)
    answer = struct.pack("!HHHHHH", 0x1234, 0x8180, 1, 1, 0, 0) + dns_name("example.com") + \
        struct.pack("!HH", 1, 1) + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + \
        bytes([93, 184, 216, 34])
    # Byte 0: bit 0 set = over TCP (2-byte length prefix).
    write("dns_parser_fuzz", "query_udp", b"\0" + query)
    write("dns_parser_fuzz", "answer_udp", b"\0" + answer)
    write("dns_parser_fuzz", "answer_tcp", b"\1" + struct.pack("!H", len(answer)) + answer)
    loop = struct.pack("!HHHHHH", 1, 0x8180, 1, 1, 0, 0) + b"\xc0\x0c"  # pointer to itself
    write("dns_parser_fuzz", "pointer_loop", b"\0" + loop)


def ftp_seeds():
    # Byte 0: the packet size the stream is also cut into.
    write("ftp_reply_fuzz", "login", b"\x03220 (vsFTPd 3.0.3)\r\n331 Please specify the password.\r\n"
          b"230 Login successful.\r\n")
    write("ftp_reply_fuzz", "multiline", b"\x05211-Features:\r\n EPRT\r\n PASV\r\n211 End\r\n")
    write("ftp_reply_fuzz", "cut", b"\x01150 Here comes\r\n226 Transfer compl")


def spool_seeds():
    write("spool_reader_fuzz", "two_flows", '{"IN_BYTES":1}\n{"IN_BYTES":2}\n')
    write("spool_reader_fuzz", "cut_tail", '{"IN_BYTES":1}\n{"IN_BY')
    write("spool_reader_fuzz", "empty_lines", '\n\n{"a":1}\n\n')
    write("spool_reader_fuzz", "not_a_spool", "IPV4_SRC_ADDR,L4_SRC_PORT\n1.2.3.4,80\n")


def fields_seeds():
    write("fields_parser_fuzz", "aliases", "Src IP, Dst IP, Src Port, Dst Port, Protocol, Timestamp")
    write("fields_parser_fuzz", "extras", "in_bytes,L7_PROTO_NAME, SERVER_NAME ,Label,Attack")
    write("fields_parser_fuzz", "bad", "IN_BYTES,,NOPE")


def cli_seeds():
    def argv(*args):
        return "\0".join(args)
    write("cli_parser_fuzz", "offline", argv("-f", "x.pcap", "-c", "out.csv", "--version", "3"))
    write("cli_parser_fuzz", "live", argv("-i", "eth0", "-u", "http://127.0.0.1:1/", "--spool",
                                         "s.jsonl", "--batch", "10", "--user", "nobody"))
    write("cli_parser_fuzz", "prefixes", argv("-f", "x", "-c", "-", "--max-f", "5", "--fil",
                                             "tcp", "--fields=IN_BYTES,Label"))
    write("cli_parser_fuzz", "help", argv("--help"))


def compile_filter(expression):
    """libpcap's optimized compilation for Ethernet, as (code, jt, jf, k) tuples."""
    pcap = ctypes.CDLL(ctypes.util.find_library("pcap"))
    pcap.pcap_open_dead.restype = ctypes.c_void_p

    class Insn(ctypes.Structure):
        _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                    ("k", ctypes.c_uint32)]

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_uint), ("insns", ctypes.POINTER(Insn))]

    handle = pcap.pcap_open_dead(1, 262144)
    prog = Program()
    if pcap.pcap_compile(ctypes.c_void_p(handle), ctypes.byref(prog), expression.encode(), 1,
                         0xFFFFFFFF) != 0:
        raise SystemExit("cannot compile " + expression)
    insns = [(prog.insns[i].code, prog.insns[i].jt, prog.insns[i].jf, prog.insns[i].k)
             for i in range(prog.len)]
    pcap.pcap_freecode(ctypes.byref(prog))
    pcap.pcap_close(ctypes.c_void_p(handle))
    return insns


def cbpf_seeds():
    # Byte 0: bit 7 = raw mode; byte 1: instructions - 1; 8 bytes each;
    # then frames, each a length byte and its bytes.
    frame = bytes.fromhex("020000000002020000000001080045000028000140004006000"
                          "00a0000010a0000029c40005000000001000000005012ffff0000")
    for name, expression in [("tcp_port_80", "tcp port 80"), ("udp_or_icmp", "udp or icmp"),
                             ("ip6_net", "ip6 and net fd00::/8"), ("vlan", "vlan and tcp"),
                             ("len", "greater 100 and ip[6:2] & 0x1fff = 0"),
                             ("tcp_flags", "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0")]:
        insns = compile_filter(expression)[:64]
        body = b"".join(struct.pack("<HBBI", *i) for i in insns)
        head = bytes([0, len(insns) - 1])
        write("cbpf_translate_fuzz", name, head + body + bytes([len(frame)]) + frame)
    write("cbpf_translate_fuzz", "raw_jump_out", bytes([0x80, 1]) +
          struct.pack("<HBBI", 0x05, 0, 0, 7) + struct.pack("<HBBI", 0x06, 0, 0, 1))


if __name__ == "__main__":
    dns_seeds()
    ftp_seeds()
    spool_seeds()
    fields_seeds()
    cli_seeds()
    cbpf_seeds()
