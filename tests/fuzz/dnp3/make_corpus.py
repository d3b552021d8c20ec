#!/usr/bin/env python3
"""Writes the seed corpus of dnp3_fuzz (see dnp3_fuzz.cc for the input layout).

Run from this directory: ./make_corpus.py
"""
import pathlib

OUT = pathlib.Path(__file__).parent / "corpus" / "dnp3_fuzz"


def crc16(data):
    """DNP3 CRC: polynomial 0x3D65 reflected (0xA6BC), initial 0, complemented, little endian."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA6BC if crc & 1 else crc >> 1
    crc ^= 0xFFFF
    return bytes([crc & 0xFF, crc >> 8])


def link(control, dst, src, user_data=b""):
    header = bytes([0x05, 0x64, 5 + len(user_data), control, dst & 0xFF, dst >> 8, src & 0xFF, src >> 8])
    out = header + crc16(header)
    for i in range(0, len(user_data), 16):
        block = user_data[i:i + 16]
        out += block + crc16(block)
    return out


MASTER, OUTSTATION = 3, 4


def request(fragment, transport=0xC0):
    return link(0xC4, OUTSTATION, MASTER, bytes([transport]) + bytes(fragment))


def response(fragment, transport=0xC0):
    return link(0x44, MASTER, OUTSTATION, bytes([transport]) + bytes(fragment))


def seed(steps, tail=b"", udp=False, repair=True):
    """steps: (direction, chunk) pairs, direction 0 = client, 1 = server, chunk b"" = gap.
    Chunks longer than 127 bytes are cut into several steps of the same direction."""
    plan, stream = bytearray(), bytearray()
    for direction, chunk in steps:
        pieces = [chunk[i:i + 127] for i in range(0, len(chunk), 127)] or [b""]
        for piece in pieces:
            plan.append((0x80 if direction else 0) | len(piece))
            stream += piece
    assert len(plan) < 8
    flags = (0x80 if udp else 0) | (0x40 if repair else 0)
    return bytes([flags | len(plan)]) + bytes(plan) + bytes(stream) + tail


READ_CLASS0 = request([0xC1, 0x01, 0x3C, 0x01, 0x06])
CLASS0_RESPONSE = response([0xC1, 0x81, 0x00, 0x00, 0x1E, 0x02, 0x00, 0x00, 0x01,
                            0x01, 0x10, 0x00, 0x01, 0x20, 0x00])
CROB = [0x0C, 0x01, 0x28, 0x01, 0x00, 0x07, 0x00, 0x41, 0x01, 0x64, 0, 0, 0, 0, 0, 0, 0, 0]
BIG = bytes([0xC2, 0x81, 0x80, 0x00, 0x1E, 0x03, 0x01, 0x00, 0x00, 0x2B, 0x00]) + bytes(range(44 * 4))

SEEDS = {
    "read_class0": seed([(0, READ_CLASS0)], CLASS0_RESPONSE),
    "direct_operate": seed([(0, request([0xC2, 0x05] + CROB))], response([0xC2, 0x81, 0x00, 0x00] + CROB)),
    "multi_segment": seed([(0, request([0xC2, 0x01, 0x3C, 0x01, 0x06]))],
                          response(BIG[:100], 0x40) + response(BIG[100:], 0x81)),
    "unsolicited": seed([(1, response([0xF0, 0x82, 0x80, 0x00]))], request([0xD0, 0x00])),
    "device_attributes": seed([(0, request([0xC7, 0x01, 0x00, 0xFE, 0x06]))],
                              response([0xC7, 0x81, 0x00, 0x00, 0x00, 0xFC, 0x00, 0x00, 0x00, 0x01, 0x04]
                                       + list(b"ACME") + [0x00, 0xFA, 0x00, 0x00, 0x00, 0x01, 0x02]
                                       + list(b"X1"))),
    "auth": seed([(0, request([0xC1, 0x20, 0x78, 0x04, 0x07, 0x01, 0x01, 0x00]))],
                 response([0xC1, 0x83, 0x90, 0x00, 0x78, 0x05, 0x5B, 0x01, 0x0F, 0x00]
                          + [1, 0, 0, 0, 1, 0x89, 0x26, 0, 1, 2, 0, 4, 0, 0x73, 0x74])),
    "open_file": seed([(0, request([0xCE, 0x19, 0x46, 0x03, 0x5B, 0x01, 0x24, 0x00, 0x1A, 0x00, 0x0A, 0x00]
                                   + [0] * 16 + [1, 0, 0, 4, 4, 0] + list(b"./test.xml")))],
                      response([0xCE, 0x81, 0x10, 0x00, 0x46, 0x04, 0x5B, 0x01, 0x0D, 0x00]
                               + [0x78, 0x56, 0x34, 0x12, 0x3E, 0x7A, 0xBF, 0x03, 0, 0, 0, 4, 4])),
    "link_only": seed([(1, link(0x49, MASTER, OUTSTATION))], link(0x8B, OUTSTATION, MASTER)),
    "gap_resync": seed([(0, READ_CLASS0), (1, CLASS0_RESPONSE[:7]), (1, b""), (1, CLASS0_RESPONSE[5:])],
                       CLASS0_RESPONSE),
    "bad_crc": seed([(0, READ_CLASS0[:8] + b"\x00\x00" + READ_CLASS0[10:])], CLASS0_RESPONSE, repair=False),
    "udp": seed([(0, link(0xC9, OUTSTATION, MASTER) + READ_CLASS0)], CLASS0_RESPONSE, udp=True),
}

OUT.mkdir(parents=True, exist_ok=True)
for name, data in SEEDS.items():
    (OUT / name).write_bytes(data)
