#!/usr/bin/env python3
"""Writes the seed corpus of enip_fuzz (see enip_fuzz.cc for the input layout).

Run from this directory: ./make_corpus.py
"""
import pathlib
import struct

OUT = pathlib.Path(__file__).parent / "corpus" / "enip_fuzz"


def encap(command, body, session=0x12020100, status=0):
    return struct.pack("<HHIIQI", command, len(body), session, status, 0, 0) + body


def cpf(*items):
    out = struct.pack("<H", len(items))
    for item_type, data in items:
        out += struct.pack("<HH", item_type, len(data)) + data
    return out


def rr(cip):
    return encap(0x6F, struct.pack("<IH", 0, 10) + cpf((0, b""), (0xB2, cip)))


def unit(conn, seq, cip):
    return encap(0x70, struct.pack("<IH", 0, 0) + cpf((0xA1, struct.pack("<I", conn)),
                                                    (0xB1, struct.pack("<H", seq) + cip)))


def request(service, path, data=b""):
    return bytes([service, len(path) // 2]) + path + data


def response(service, status=0, data=b""):
    return bytes([service | 0x80, 0, status, 0]) + data


IDENTITY = struct.pack("<HHHBBHI", 1, 12, 58, 4, 3, 0x30, 0x00524D8E) + b"\x0b1756-ENBT/A\x03"
LIST_IDENTITY = encap(0x63, cpf((0x0C, struct.pack("<H", 1) + bytes([0, 2, 0xAF, 0x12, 10, 1, 1, 164]) +
                                 bytes(8) + IDENTITY)), 0)
FORWARD_OPEN = (bytes([0x0A, 0x0E]) + struct.pack("<IIHHI", 0, 0x7691B4EB, 0x1234, 1, 0xCAFE) + bytes([3, 0, 0, 0]) +
                struct.pack("<IHIH", 10000, 0x43F4, 10000, 0x43F4) + bytes([0xA3, 3, 1, 0, 0x20, 2, 0x24, 1]))
FORWARD_OPEN_REPLY = struct.pack("<IIHHIII", 0x3A7B78, 0x7691B4EB, 0x1234, 1, 0xCAFE, 10000, 10000) + b"\x00\x00"
INNER = request(0x01, b"\x20\x01\x24\x01")
UNCONNECTED_SEND = bytes([0x0A, 0x0E]) + struct.pack("<H", len(INNER)) + INNER + bytes([1, 0, 1, 0])


def msp(*entries):
    out = struct.pack("<H", len(entries))
    offset = 2 + 2 * len(entries)
    for e in entries:
        out += struct.pack("<H", offset)
        offset += len(e)
    return out + b"".join(entries)


def seed(steps, udp=False):
    """steps: (direction, chunk) pairs, direction 0 = client, 1 = server; the last chunk is the tail."""
    plan, stream = bytearray(), bytearray()
    for direction, chunk in steps[:-1]:
        assert len(chunk) < 128
        plan.append((0x80 if direction else 0) | len(chunk))
        stream += chunk
    assert len(plan) < 8
    return bytes([(len(plan) << 1) | int(udp)]) + bytes(plan) + bytes(stream) + steps[-1][1]


SYMBOL = b"\x91\x05Speed\x00"
SEEDS = {
    "list_identity": seed([(0, encap(0x63, b"", 0)), (1, LIST_IDENTITY)]),
    "list_identity_udp": seed([(0, encap(0x63, b"", 0)), (1, LIST_IDENTITY)], udp=True),
    "register": seed([(0, encap(0x65, b"\x01\x00\x00\x00", 0)), (1, encap(0x65, b"\x01\x00\x00\x00"))]),
    "get_attributes_all": seed([(0, rr(request(0x01, b"\x20\x01\x24\x01"))), (1, rr(response(0x01, 0, IDENTITY)))]),
    "forward_open": seed([(0, rr(request(0x54, b"\x20\x06\x24\x01", FORWARD_OPEN))),
                          (1, rr(response(0x54, 0, FORWARD_OPEN_REPLY)))]),
    "unconnected_send": seed([(0, rr(request(0x52, b"\x20\x06\x24\x01", UNCONNECTED_SEND))),
                              (1, rr(response(0x01, 0, IDENTITY)))]),
    "multiple_services": seed([(0, unit(0x11, 7, request(0x0A, b"\x20\x02\x24\x01",
                                                         msp(request(0x4C, SYMBOL, b"\x01\x00"),
                                                             request(0x4D, SYMBOL, b"\xc4\x00\x01\x00\x2a\x00\x00\x00"))))),
                               (1, unit(0x22, 7, response(0x0A, 0, msp(response(0x4C, 0, b"\xc4\x00\x05\x00\x00\x00"),
                                                                       response(0x4D)))))]),
    "pccc": seed([(0, rr(request(0x4B, b"\x20\x67\x24\x01", b"\x07\x01\x00\x44\x33\x22\x11\x0f\x00\x34\x12\xab"))),
                  (1, rr(response(0x4B, 0, b"\x07\x01\x00\x44\x33\x22\x11\x4f\x00\x34\x12")))]),
    "io": seed([(0, cpf((0x8002, struct.pack("<II", 0x3A7B78, 1)), (0xB1, b"\x01\x00\xaa\xbb"))),
                (1, cpf((0x8002, struct.pack("<II", 0x7691B4EB, 2)), (0xB1, b"\x02\x00\xcc")))], udp=True),
}

if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in SEEDS.items():
        (OUT / name).write_bytes(data)
