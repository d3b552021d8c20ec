#!/usr/bin/env python3
"""Writes the seed corpus of tristation_fuzz (stream_fuzz_driver layout, one datagram per chunk)."""
import os, struct

def msg(kind, data): return bytes([kind, 0]) + struct.pack('<H', len(data)) + data + b'\xab\xcd'
def exe(direction, cmd, payload=b''): return msg(5, bytes([direction, 0x0c, cmd, 1, 0, 0, 0, 0]) + payload)
def seed(chunks):
    plan = bytes((0x80 if srv else 0) | len(b) for srv, b in chunks[:-1])
    return bytes([len(chunks) - 1]) + plan + b''.join(b for _, b in chunks)

seeds = {
    'connect': seed([(False, msg(1, b'\x00\x0c')), (True, msg(2, b'\x00\x0c'))]),
    'download': seed([(False, exe(0, 1, b'\x10\x20')), (True, exe(1, 102)), (False, exe(0, 20)), (True, exe(1, 109))]),
    'halt_rejected': seed([(False, exe(0, 21)), (True, exe(1, 212)), (False, msg(6, b'')), (True, msg(10, b''))]),
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'tristation_fuzz')
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f: f.write(data)
