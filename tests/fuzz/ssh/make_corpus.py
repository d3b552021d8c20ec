#!/usr/bin/env python3
"""Writes the seed corpus of ssh_fuzz (input layout: tests/support/stream_fuzz_driver.h).

Run from this directory: ./make_corpus.py
"""
import pathlib
import struct

OUT = pathlib.Path(__file__).parent / "corpus" / "ssh_fuzz"


def seed(steps, tail=b""):
    """steps: (direction, chunk) pairs, direction 0 = client, 1 = server, chunk b"" = gap."""
    plan, stream = bytearray(), bytearray()
    for direction, chunk in steps:
        assert len(chunk) < 128
        plan.append((0x80 if direction else 0) | len(chunk))
        stream += chunk
    assert len(plan) < 8
    return bytes([len(plan)]) + bytes(plan) + bytes(stream) + tail


def kexinit(lists):
    payload = b"\x14" + b"\xc0" * 16 + b"".join(struct.pack(">I", len(l)) + l for l in lists) + b"\0" + b"\0" * 4
    padding = 8 - (5 + len(payload)) % 8
    if padding < 4:
        padding += 8
    return struct.pack(">IB", 1 + len(payload) + padding, padding) + payload + b"\0" * padding


LISTS = [b"curve25519-sha256", b"ssh-ed25519", b"aes128-ctr", b"aes128-ctr", b"hmac-sha2-256", b"hmac-sha2-256",
         b"none", b"none", b"", b""]
KEX = kexinit(LISTS)
SEEDS = {
    "openssh": seed([(0, b"SSH-2.0-OpenSSH_9.6\r\n"), (0, KEX[:100]), (0, KEX[100:])],
                    b"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3\r\n" + KEX),
    "preamble": seed([(1, b"Welcome\r\n"), (1, b"SSH-2.0-dropbear_2022.83\r\n")], KEX),
    "protocol_1": seed([(1, b"SSH-1.5-Old\r\n")], b"SSH-1.5-Client\r\n"),
    "gap": seed([(0, b"SSH-2.0-Open"), (0, b""), (0, b"SSH_9.6\r\n")], b"SSH-2.0-Cisco-1.25\r\n"),
}

OUT.mkdir(parents=True, exist_ok=True)
for name, data in SEEDS.items():
    (OUT / name).write_bytes(data)
