#!/usr/bin/env python3
"""Writes the seed corpus of ads_fuzz (stream_fuzz_driver layout; bit 7 of byte 0 = UDP discovery)."""
import os, struct

CLIENT, PLC = bytes([192, 168, 1, 199, 1, 1]), bytes([5, 13, 117, 96, 1, 1])
def ams(cmd, response, data, error=0):
    target, source = (CLIENT, PLC) if response else (PLC, CLIENT)
    hdr = target + struct.pack('<H', 32771 if response else 851) + source + struct.pack('<H', 851 if response else 32771)
    hdr += struct.pack('<HHIII', cmd, 5 if response else 4, len(data), error, 1)
    return struct.pack('<HI', 0, 32 + len(data)) + hdr + data
def seed(flags, chunks):
    plan = bytes((0x80 if srv else 0) | len(b) for srv, b in chunks[:-1])
    return bytes([len(chunks) - 1 | flags]) + plan + b''.join(b for _, b in chunks)

route = bytes.fromhex('036614710000000006000000c0a801c701011027050000000c000d005348454e4855414a362d50430007000600c0a801c70101'
                      '0d000e0041646d696e6973747261746f720002000200310005000d005348454e4855414a362d504300')
reply = bytes.fromhex('036614710000000006000080050d756001011027010000000100040000000000')
seeds = {
    'read_state': seed(0, [(False, ams(4, False, b'')), (True, ams(4, True, b'\x00' * 4 + b'\x05\x00\x02\x00'))]),
    'read_write': seed(0, [(False, ams(9, False, struct.pack('<IIII', 0xF003, 0, 4, 12) + b'MAIN.bStart\x00')),
                           (True, ams(9, True, struct.pack('<III', 0, 4, 0x1234)))]),
    'device_info': seed(0, [(False, ams(1, False, b'')),
                            (True, ams(1, True, b'\x00' * 4 + b'\x03\x01\xb8\x0f' + b'Plc30 App'.ljust(16, b'\x00')))]),
    'write_control': seed(0, [(False, ams(5, False, b'\x06\x00\x00\x00' + b'\x00' * 4)), (True, ams(5, True, b'', 0x706))]),
    'add_route': seed(0x80, [(False, route), (True, reply)]),
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'ads_fuzz')
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f: f.write(data)
