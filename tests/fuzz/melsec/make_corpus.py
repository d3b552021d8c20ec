#!/usr/bin/env python3
"""Writes the seed corpus of melsec_fuzz (stream_fuzz_driver layout; bit 7 of byte 0 = UDP)."""
import os, struct

def req(cmd, sub, data, serial=None):
    head = b'\x50\x00' if serial is None else b'\x54\x00' + struct.pack('<HH', serial, 0)
    return head + b'\x00\xff\xff\x03\x00' + struct.pack('<HHHH', 6 + len(data), 0x10, cmd, sub) + data
def resp(end, data, serial=None):
    head = b'\xd0\x00' if serial is None else b'\xd4\x00' + struct.pack('<HH', serial, 0)
    return head + b'\x00\xff\xff\x03\x00' + struct.pack('<HH', 2 + len(data), end) + data
def seed(flags, chunks):
    plan = bytes((0x80 if srv else 0) | len(b) for srv, b in chunks[:-1])
    return bytes([len(chunks) - 1 | flags]) + plan + b''.join(b for _, b in chunks)

d100 = b'\x64\x00\x00\xa8\x0a\x00'
melsoft_req = bytes.fromhex('57010000001111070000ffff030000fe03000020001c0a1614' + '00' * 20 + '0121010000000001')
melsoft_resp = bytes.fromhex('d70100000011117f000000a80300ffff03000038009c0a1814' + '00' * 22 +
                             '012101000000465835552d33324d542f455300000000294a000800000000')
seeds = {
    'mc3e_tcp': seed(0, [(False, req(0x0401, 0, d100)), (True, resp(0, b'\x00' * 20)),
                         (False, req(0x1401, 0, d100 + b'\x01\x00' * 10)), (True, resp(0xC059, b''))]),
    'mc4e_udp': seed(0x80, [(False, req(0x0101, 0, b'', 1)), (True, resp(0, b'Q03UDECPU       \x68\x02', 1)),
                            (False, req(0x1002, 0, b'\x01\x00', 2)), (True, resp(0, b'', 2))]),
    'random_tcp': seed(0, [(False, req(0x0403, 0, b'\x02\x00\x05\x00\x00\xa8\x06\x00\x00\xa8')),
                           (False, req(0x1402, 1, b'\x01\x20\x00\x00\x90\x01')), (True, resp(0, b'\x01\x00\x02\x00'))]),
    'melsoft_udp': seed(0x80, [(False, b'\x5a\x00\x00\x01'), (True, bytes.fromhex('da0000011400c0a80365c0a80365')),
                               (False, melsoft_req), (True, melsoft_resp)]),
    'melsoft_tcp': seed(0, [(False, melsoft_req), (True, melsoft_resp)]),
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'melsec_fuzz')
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f: f.write(data)
