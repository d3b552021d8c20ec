#!/usr/bin/env python3
"""Writes the seed corpus of bacnet_fuzz (see bacnet_fuzz.cc for the input layout): the BACnet/IP
conversations of the public captures in ../../../../shared/pcaps (read with tshark) and a few
hand-made exchanges.

Run from this directory: ./make_corpus.py
"""
import pathlib
import subprocess

HERE = pathlib.Path(__file__).parent
OUT = HERE / "corpus" / "bacnet_fuzz"
PCAPS = HERE / ".." / ".." / ".." / ".." / "shared" / "pcaps"


def frame(direction, datagram, seconds=0):
    assert 0 < len(datagram) <= 2048
    n = len(datagram) - 1
    return bytes([seconds << 4 | (n >> 8) << 1 | direction, n & 0xFF]) + datagram


def seed(datagrams):
    return b"".join(frame(d, datagram) for d, datagram in datagrams)


def from_pcap(name, limit):
    out = subprocess.run(["tshark", "-n", "-r", str(PCAPS / name), "-Y", "udp", "-T", "fields",
                          "-e", "ip.src", "-e", "udp.payload"], capture_output=True, text=True, check=True)
    client, datagrams = None, []
    for line in out.stdout.splitlines()[:limit]:
        src, payload = line.split("\t")
        client = client or src
        datagrams.append((0 if src == client else 1, bytes.fromhex(payload)))
    return seed(datagrams)


def bvlc(function, body):
    return bytes([0x81, function]) + (len(body) + 4).to_bytes(2, "big") + body


def unicast(apdu, control=0x00):
    return bvlc(0x0A, bytes([0x01, control]) + apdu)


def broadcast(apdu):
    return bvlc(0x0B, bytes([0x01, 0x00]) + apdu)


def tag(number, context, value):
    assert len(value) < 254
    lvt = len(value) if len(value) < 5 else 5
    head = bytes([number << 4 | (0x08 if context else 0) | lvt])
    return head + (bytes([len(value)]) if lvt == 5 else b"") + value


def obj(kind, instance):
    return (kind << 22 | instance).to_bytes(4, "big")


def uint(v):
    return v.to_bytes(max(1, (v.bit_length() + 7) // 8), "big")


def text(s):
    return b"\x00" + s.encode()


OPEN = lambda n: bytes([n << 4 | 0x0E])  # noqa: E731
CLOSE = lambda n: bytes([n << 4 | 0x0F])  # noqa: E731
DEVICE, ANALOG_OUTPUT = 8, 1

i_am = bytes([0x10, 0x00]) + tag(12, False, obj(DEVICE, 721)) + tag(2, False, uint(1476)) + \
    tag(9, False, uint(3)) + tag(2, False, uint(15))
who_is = bytes([0x10, 0x08]) + tag(0, True, uint(0)) + tag(1, True, uint(4194303))
read_name = bytes([0x00, 0x05, 0x01, 0x0C]) + tag(0, True, obj(DEVICE, 721)) + tag(1, True, uint(77))
name_ack = bytes([0x30, 0x01, 0x0C]) + tag(0, True, obj(DEVICE, 721)) + tag(1, True, uint(77)) + OPEN(3) + \
    tag(7, False, text("PLC_12")) + CLOSE(3)
rpm = bytes([0x00, 0x05, 0x02, 0x0E]) + tag(0, True, obj(DEVICE, 721)) + OPEN(1) + tag(0, True, uint(121)) + \
    tag(0, True, uint(70)) + CLOSE(1)
rpm_ack = bytes([0x30, 0x02, 0x0E]) + tag(0, True, obj(DEVICE, 721)) + OPEN(1) + tag(2, True, uint(121)) + \
    OPEN(4) + tag(7, False, text("Acme")) + CLOSE(4) + tag(2, True, uint(70)) + OPEN(5) + \
    tag(9, False, uint(2)) + tag(9, False, uint(32)) + CLOSE(5) + CLOSE(1)
write = bytes([0x00, 0x05, 0x03, 0x0F]) + tag(0, True, obj(ANALOG_OUTPUT, 0)) + tag(1, True, uint(85)) + \
    OPEN(3) + tag(4, False, bytes.fromhex("42c80000")) + CLOSE(3) + tag(4, True, uint(8))
reinit = bytes([0x00, 0x05, 0x04, 0x14]) + tag(0, True, uint(1)) + tag(1, True, text("secret"))
error = bytes([0x50, 0x04, 0x14]) + tag(9, False, uint(4)) + tag(9, False, uint(26))

SEEDS = {
    "discovery_and_read": [(0, broadcast(who_is)), (1, broadcast(i_am)), (0, unicast(read_name, 0x04)),
                           (1, unicast(name_ack)), (0, unicast(rpm, 0x04)), (1, unicast(rpm_ack))],
    "writes_and_errors": [(0, unicast(write, 0x04)), (1, unicast(bytes([0x20, 0x03, 0x0F]))),
                          (0, unicast(reinit, 0x04)), (1, unicast(error)), (1, unicast(bytes([0x60, 0x09, 0x09]))),
                          (1, unicast(bytes([0x71, 0x01, 0x04])))],
    "network_and_bvll": [(1, bvlc(0x0B, bytes([0x01, 0x80, 0x01, 0x00, 0x03, 0x00, 0x04]))),
                         (0, bvlc(0x05, bytes([0x0E, 0x10]))), (1, bvlc(0x00, bytes([0x00, 0x30]))),
                         (0, bvlc(0x04, bytes([10, 0, 0, 9, 0xBA, 0xC0, 0x01, 0x00]) + i_am)),
                         (0, bvlc(0x0A, bytes([0x01, 0x28, 0x00, 0x05, 0x01, 0x3D, 0x00, 0x07, 0x01, 0x05, 0xFF])
                                  + bytes([0x20, 0x01, 0x0F])))],
}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, datagrams in SEEDS.items():
        (OUT / name).write_bytes(seed(datagrams))
    captures = {
        "example_head": ("bacnet_cisagov_bacnet_example.pcap", 40),
        "segmented": ("bacnet_cisagov_bacnet_segmented_data.pcap", 20),
        "error_reject_abort": ("bacnet_cisagov_bacnet_error_reject_abort.pcap", 45),
    }
    for name, (pcap, limit) in captures.items():
        (OUT / name).write_bytes(from_pcap(pcap, limit))


if __name__ == "__main__":
    main()
