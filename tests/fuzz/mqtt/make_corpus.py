#!/usr/bin/env python3
"""Writes the seed corpus of mqtt_fuzz: client→server then server→client packets in the
stream_fuzz_driver layout (byte 0 = cut count, cut lengths ≤ 127 with bit 7 = from server)."""
import os, struct

def s(text): return struct.pack('>H', len(text)) + text
def pkt(first, body):
    out, n = bytes([first]), len(body)
    while True:
        d, n = n % 128, n // 128
        out += bytes([d | (0x80 if n else 0)])
        if not n: return out + body
def seed(flags, chunks):
    """chunks: list of (from_server, bytes); each ≤ 127 bytes except the last."""
    plan = bytes((0x80 if srv else 0) | len(b) for srv, b in chunks[:-1])
    return bytes([len(chunks) - 1 | flags]) + plan + b''.join(b for _, b in chunks)

connect4 = pkt(0x10, s(b'MQTT') + b'\x04\xc2\x00\x3c' + s(b'client-1') + s(b'user') + s(b'pw'))
connect5 = pkt(0x10, s(b'MQTT') + b'\x05\x06\x00\x3c\x00' + s(b'c5') + b'\x00' + s(b'will') + s(b'x'))
connack = pkt(0x20, b'\x00\x00')
publish = pkt(0x32, s(b'plant/temp') + b'\x00\x01' + b'21.5')
publish5 = pkt(0x32, s(b'topicX') + b'\x00\x01\x02\x01\x01' + b'hi')
subscribe = pkt(0x82, b'\x00\x02' + s(b'a/#') + b'\x01' + s(b'b/+') + b'\x00')
suback = pkt(0x90, b'\x00\x02\x01\x80')
seeds = {
    'conversation311': seed(0, [(False, connect4), (True, connack), (False, publish + subscribe), (True, suback)]),
    'conversation5': seed(0, [(False, connect5), (True, pkt(0x20, b'\x00\x00\x00')), (False, publish5),
                              (True, pkt(0x40, b'\x00\x01\x10\x00'))]),
    'ping_disconnect': seed(0, [(False, pkt(0xC0, b'') + pkt(0xE0, b'')), (True, pkt(0xD0, b''))]),
    'split': bytes([3, 3, 0x85, 0]) + connect4 + connack + publish,
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'mqtt_fuzz')
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f: f.write(data)
