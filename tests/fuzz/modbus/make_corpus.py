#!/usr/bin/env python3
"""Writes the seed corpus of modbus_fuzz (see modbus_fuzz.cc for the input layout).

Run from this directory: ./make_corpus.py
"""
import pathlib
import struct

OUT = pathlib.Path(__file__).parent / "corpus" / "modbus_fuzz"


def adu(tid, unit, pdu):
    return struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + bytes(pdu)


def seed(steps, tail=b""):
    """steps: (direction, chunk) pairs, direction 0 = client, 1 = server, chunk b"" = gap."""
    plan, stream = bytearray(), bytearray()
    for direction, chunk in steps:
        assert len(chunk) < 128
        plan.append((0x80 if direction else 0) | len(chunk))
        stream += chunk
    assert len(plan) < 8
    return bytes([len(plan)]) + bytes(plan) + bytes(stream) + tail


SEEDS = {
    "read_holding": seed([(0, adu(1, 17, [3, 0, 0x6B, 0, 3])), (1, adu(1, 17, [3, 6, 2, 0x2B, 0, 0, 0, 0x64]))]),
    "write_multiple": seed([(0, adu(2, 1, [0x10, 0, 1, 0, 2, 4, 0, 0x0A, 1, 2])),
                            (1, adu(2, 1, [0x10, 0, 1, 0, 2]))]),
    "exception": seed([(0, adu(3, 0, [3, 2, 0x58, 0, 0x0A])), (1, adu(3, 0, [0x83, 2]))]),
    "device_id": seed([(0, adu(4, 1, [0x2B, 0x0E, 1, 0])),
                       (1, adu(4, 1, [0x2B, 0x0E, 1, 0x83, 0xFF, 3, 2, 0, 4, *b"Acme", 1, 3, *b"X-1"]))]),
    "report_server_id": seed([(0, adu(5, 10, [0x11])), (1, adu(5, 10, [0x11, 6, 0, 0xFF, *b"Wing"]))]),
    "diagnostics": seed([(0, adu(6, 1, [8, 0, 1, 0, 0])), (1, adu(6, 1, [8, 0, 1, 0, 0]))]),
    "umas": seed([(0, adu(7, 0, [0x5A, 0, 2])), (1, adu(7, 0, [0x5A, 0, 0xFE, 1, 2])),
                  (0, adu(8, 0, [0x5A, 0x12, 0x41, 0xFF, 0]))]),
    "file_records": seed([(0, adu(9, 1, [0x14, 7, 6, 0, 4, 0, 1, 0, 2])),
                          (1, adu(9, 1, [0x14, 6, 5, 6, 0x0D, 0xFE, 0, 0x20]))],
                         adu(10, 1, [0x15, 9, 6, 0, 4, 0, 7, 0, 1, 0xAF, 0x04])),
    "split_and_gap": seed([(0, adu(11, 1, [1, 0, 0, 0, 8])[:5]), (0, b""),
                           (0, adu(12, 1, [0x17, 0, 3, 0, 6, 0, 0x0E, 0, 1, 2, 0, 0xFF]))],
                          adu(12, 1, [0x17, 0x0C] + [0] * 12)),
    "fifo_and_mask": seed([(0, adu(13, 1, [0x18, 4, 0xDE])), (1, adu(13, 1, [0x18, 0, 6, 0, 2, 1, 0xB8, 0x12, 0x84])),
                           (0, adu(14, 1, [0x16, 0, 4, 0, 0xF2, 0, 0x25]))]),
}

OUT.mkdir(parents=True, exist_ok=True)
for name, data in SEEDS.items():
    (OUT / name).write_bytes(data)
