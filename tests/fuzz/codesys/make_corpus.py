#!/usr/bin/env python3
"""Writes the seed corpus of codesys_fuzz (stream_fuzz_driver layout; bit 7 of byte 0 = UDP)."""
import os, struct

def datagram(service, payload):
    return bytes([0xC5, 0x6B, 0x40, service, 0, 0x33]) + bytes([4, 0xD2, 192, 168, 0, 10, 4, 0xD2, 192, 168, 0, 20, 0, 0]) + payload
def block(dg): return b'\x00\x01\x17\xe8' + struct.pack('<I', 8 + len(dg)) + dg
def service(group, svc, request, content=b''):
    b = bytes([1, 0x81 if request else 0x01]) + struct.pack('<HIIII', 7, 1, 0, 20 + len(content), 0)
    b += struct.pack('<HHHHIII', 0xCD55, 16, group | (0 if request else 0x80), svc, 0x11223344, len(content), 0)
    return datagram(0x40, b + content)
def utf16(text): return text.encode('utf-16-le') + b'\x00\x00'
def device_info():
    node, device, vendor = 'PLC-1', 'CODESYS Control Win V3', 'CODESYS GmbH'
    b = struct.pack('<HHIHBBHHHHHHI', 0xC280, 0x400, 42, 4, 1, 0, 37, len(node), len(device), len(vendor), 0x1006, 1, 0)
    b += bytes([10, 0, 19, 4]) + struct.pack('<I', 0) + b'\x00' + utf16(node) + utf16(device) + utf16(vendor)
    return datagram(4, b)
def seed(flags, chunks):
    plan = bytes((0x80 if srv else 0) | len(b) for srv, b in chunks[:-1])
    return bytes([len(chunks) - 1 | flags]) + plan + b''.join(b for _, b in chunks)

seeds = {
    'login_tcp': seed(0, [(False, block(service(1, 2, True))), (True, block(service(1, 2, False)))]),
    'channel_tcp': seed(0, [(False, block(datagram(0x40, b'\xc3\x00\x01\x01'))), (True, block(datagram(0x40, b'\x83\x00\x01\x01'))),
                            (False, block(service(2, 0x05, True, b'\x5a' * 16)))]),
    'name_service_udp': seed(0x80, [(False, datagram(3, struct.pack('<HHI', 0xC202, 0x400, 42))), (True, device_info())]),
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'codesys_fuzz')
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f: f.write(data)
