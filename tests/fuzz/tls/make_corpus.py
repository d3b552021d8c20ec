#!/usr/bin/env python3
"""Writes the seed corpus of tls_fuzz (input layout: tests/support/stream_fuzz_driver.h).

Run from this directory: ./make_corpus.py
"""
import pathlib
import struct

OUT = pathlib.Path(__file__).parent / "corpus" / "tls_fuzz"
CERT = bytes.fromhex(
    "308201c230820167a00302010202140cdf6a5824c02b957eec46bd1b792b9f29862a9c300a06082a8648ce3d040302303631183016"
    "060355040a0c0f41636d65204175746f6d6174696f6e311a301806035504030c11706c6330312e6578616d706c652e636f6d301e17"
    "0d3236313132373233353531325a170d3336313132343233353531325a303631183016060355040a0c0f41636d65204175746f6d61"
    "74696f6e311a301806035504030c11706c6330312e6578616d706c652e636f6d3059301306072a8648ce3d020106082a8648ce3d03"
    "010703420004d941dd4cfffac4457383f37b29c6ccd864415a428518f6f0209b5461a9344802754c49f36827a967dd6a7e44c9f773"
    "8c50ae6158ea980a61597f0d54e1fee92da3533051301d0603551d0e04160414a6a500686321fc9e46f41c599e7f6c5fb3c930aa30"
    "1f0603551d23041830168014a6a500686321fc9e46f41c599e7f6c5fb3c930aa300f0603551d130101ff040530030101ff300a0608"
    "2a8648ce3d04030203490030460221008b3b41630ddb8203bb57e92a68cf7fc1e1eea1804953666c614f4e38ee2c36be022100a06e"
    "57385949bb4d245af07402413161a6a3cfc73d18b90a458da56b81ab031b")


def record(kind, body, version=0x0303):
    return struct.pack(">BHH", kind, version, len(body)) + body


def handshake(kind, body):
    return bytes([kind]) + len(body).to_bytes(3, "big") + body


def ext(kind, data):
    return struct.pack(">HH", kind, len(data)) + data


def u16s(values, one_byte=False):
    raw = b"".join(struct.pack(">H", v) for v in values)
    return (bytes([len(raw)]) if one_byte else struct.pack(">H", len(raw))) + raw


def client_hello(name=b"plc01.example.com", version=0x0303):
    sni = struct.pack(">HBH", len(name) + 3, 0, len(name)) + name
    alpn = b"\x02h2\x08http/1.1"
    extensions = b"".join([
        ext(0x0a0a, b""), ext(0, sni), ext(0x10, struct.pack(">H", len(alpn)) + alpn),
        ext(0x0a, u16s([0x1a1a, 0x1d, 0x17])), ext(0x0b, b"\x01\x00"),
        ext(0x0d, u16s([0x0403, 0x0804])), ext(0x2b, u16s([0x0304, 0x0303], True)),
    ])
    body = struct.pack(">H", version) + b"\x11" * 32 + b"\0" + u16s([0x1a1a, 0x1301, 0xc02f, 0x002f]) + b"\x01\x00"
    return record(22, handshake(1, body + struct.pack(">H", len(extensions)) + extensions), 0x0301)


def server_hello(cipher=0xc02f, extensions=b""):
    body = b"\x03\x03" + b"\x22" * 32 + b"\0" + struct.pack(">HB", cipher, 0)
    return handshake(2, body + struct.pack(">H", len(extensions)) + extensions)


def certificate():
    entry = len(CERT).to_bytes(3, "big") + CERT
    return handshake(11, len(entry).to_bytes(3, "big") + entry)


def seed(steps, tail=b""):
    """steps: (direction, chunk) pairs, direction 0 = client, 1 = server, chunk b"" = gap."""
    plan, stream = bytearray(), bytearray()
    for direction, chunk in steps:
        assert len(chunk) < 128
        plan.append((0x80 if direction else 0) | len(chunk))
        stream += chunk
    assert len(plan) < 8
    return bytes([len(plan)]) + bytes(plan) + bytes(stream) + tail


def chunks(data, size=127):
    return [data[i:i + size] for i in range(0, len(data), size)]


hello = client_hello()
SEEDS = {
    "handshake_tls12": seed([(0, c) for c in chunks(hello)],
                            record(22, server_hello() + certificate() + handshake(14, b"")) + record(20, b"\x01")),
    "handshake_tls13": seed([(0, c) for c in chunks(hello)],
                            record(22, server_hello(0x1301, ext(0x2b, b"\x03\x04"))) + record(20, b"\x01")
                            + record(23, b"\x42" * 40)),
    "alert": seed([(0, c) for c in chunks(hello)], record(21, b"\x02\x28")),
    "fragmented_certificate": seed([(0, c) for c in chunks(hello)],
                                   b"".join(record(22, part) for part in chunks(server_hello() + certificate(), 100))),
    "gap_in_record": seed([(0, hello[:100]), (0, b""), (0, hello[110:200])], record(21, b"\x01\x00")),
    "client_only": seed([(0, c) for c in chunks(hello + record(22, handshake(16, b"\x33" * 20)) + record(20, b"\x01"))]),
    # 0x30 % 8 == 0 cut points: the whole input is one stream, and parse_certificate() sees a whole DER.
    "bare_certificate": CERT,
}

OUT.mkdir(parents=True, exist_ok=True)
for name, data in SEEDS.items():
    (OUT / name).write_bytes(data)
