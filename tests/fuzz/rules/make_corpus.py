#!/usr/bin/env python3
"""Writes the seed corpora of the rule-engine fuzz targets (run from this directory)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.join(HERE, "..", "..", "unit", "rules", "data", "ics_test.rules")


def write(target, name, data):
    path = os.path.join(HERE, "corpus", target)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as f:
        f.write(data)


# ---- rules_parse_fuzz: rule texts ----
with open(RULES, "rb") as f:
    text = f.read()
write("rules_parse_fuzz", "ics_test.rules", text)
chunks = text.split(b"\n\n")
for i, chunk in enumerate(chunks):
    write("rules_parse_fuzz", "chunk%02d.rules" % i, chunk)
write("rules_parse_fuzz", "lists.rules",
      b"alert tcp [10.0.0.0/8,!10.1.0.0/16,[192.168.0.1,2001:db8::/32]] [1024:,!8080] <> $HOME_NET :1023 "
      b"(msg:\"x\\;y\"; content:!\"|00 01|a\\\"b\"; nocase; depth:10; sid:1;)\n")
write("rules_parse_fuzz", "keywords.rules",
      b"alert tcp any any -> any any (byte_test:4,!&,0x10,-2,relative,little,string,hex,bitmask 0xF0; "
      b"byte_jump:2,0,relative,multiplier 4,align,from_end,post_offset -2; isdataat:!3,relative; "
      b"pcre:\"/a(b|c)*?d/smixAEGR\"; threshold: type threshold, track by_both, count 3, seconds 9; "
      b"flowbits:isset,a|b; dsize:10<>20; sid:2;)\n"
      b"alert dnp3 any any -> any any (dnp3_ind:reserved_1,need_time; dnp3_obj:12,1; dnp3_data; content:\"z\"; sid:3;)\n"
      b"alert tcp any any -> any any (modbus: access write coils, address <10, value 0xFF00; modbus: unit !3; sid:4;)\n")
write("rules_parse_fuzz", "broken.rules", b"alert tcp any any -> any any (content:\"|0\"; sid:5;\n\\\n(")

# ---- rules_eval_fuzz: flags, protocol, payload ----
def mbap(unit, pdu, tid=1):
    return struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + bytes(pdu)


def crc_dnp3(data):
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA6BC if crc & 1 else crc >> 1
    return struct.pack("<H", (~crc) & 0xFFFF)


def dnp3(app, master=True):
    user = bytes([0xC0]) + bytes(app)
    header = bytes([0x05, 0x64, 5 + len(user), 0xC4 if master else 0x44, 0x0A, 0, 1, 0])
    out = header + crc_dnp3(header)
    for i in range(0, len(user), 16):
        block = user[i:i + 16]
        out += block + crc_dnp3(block)
    return out


def enip(command, data=b""):
    return struct.pack("<HHIIQI", command, len(data), 1, 0, 0, 0) + data


TO_SERVER_EST = 0x03
seeds = {
    "modbus_listen_only": bytes([TO_SERVER_EST | (0 << 5), 1]) + mbap(1, [0x08, 0x00, 0x04, 0x00, 0x00]),
    "modbus_write": bytes([TO_SERVER_EST, 0]) + mbap(1, [0x10, 0x00, 0x96, 0x00, 0x02, 0x04, 0, 7, 0, 9, 0xEE]),
    "modbus_umas": bytes([TO_SERVER_EST, 1]) + mbap(1, [0x5A, 0x00, 0x10]) + mbap(1, [0x5A, 0x00, 0x41]),
    "modbus_busy": bytes([0x02, 1]) + mbap(1, [0x83, 0x06]),
    "dnp3_cold_restart": bytes([TO_SERVER_EST | (1 << 5), 2]) + dnp3([0xC0, 0x0D, 60, 2, 0x06]),
    "dnp3_restart_iin": bytes([0x02 | (1 << 5), 2]) + dnp3([0xC0, 0x81, 0x80, 0x40], master=False),
    "dnp3_udp_data": bytes([0x01 | (1 << 3) | (1 << 5), 2]) + dnp3([0xC0, 0x01] + list(b"xxABCxx")),
    "enip_list_identity": bytes([0x01 | (2 << 5), 3]) + enip(0x63),
    "enip_read_tag": bytes([0x03 | (2 << 5), 3]) + enip(
        0x6F, bytes([0, 0, 0, 0, 10, 0, 2, 0, 0, 0, 0, 0, 0xB2, 0, 6, 0, 0x4C, 2, 0x20, 0x6B, 0x24, 1])),
    "s7_stop": bytes([TO_SERVER_EST | (3 << 5), 0]) + bytes(
        [0x03, 0, 0, 0x21, 0x02, 0xF0, 0x80, 0x32, 1, 0, 0, 0, 1, 0, 0x10, 0, 0, 0x29, 0, 0, 0, 0, 0, 9]) + b"P_PROGRAM",
    "icmp_ping": bytes([0x01 | (2 << 3), 0]) + b"ping",
    "numbers": bytes([TO_SERVER_EST | (4 << 5), 0]) + b"12345abc",
}
for name, data in seeds.items():
    write("rules_eval_fuzz", name, data)
