#!/usr/bin/env python3
"""Writes the seed corpus of iec104_fuzz (see iec104_fuzz.cc for the input layout).

Run from this directory: ./make_corpus.py
"""
import pathlib
import struct

OUT = pathlib.Path(__file__).parent / "corpus" / "iec104_fuzz"


def u_frame(control):
    return bytes([0x68, 4, control, 0, 0, 0])


def s_frame(nr):
    return bytes([0x68, 4, 1, 0]) + struct.pack("<H", nr << 1)


def asdu(type_id, vsq, cot, ca, objects, originator=0):
    return bytes([type_id, vsq, cot, originator]) + struct.pack("<H", ca) + bytes(objects)


def i_frame(ns, nr, asdu_bytes):
    return bytes([0x68, 4 + len(asdu_bytes)]) + struct.pack("<HH", ns << 1, nr << 1) + asdu_bytes


def obj(ioa, element):
    return list(struct.pack("<I", ioa)[:3]) + list(element)


CP56 = [0xD8, 0x00, 0x19, 0x13, 0x0D, 0x08, 0x09]


def seed(steps, tail=b""):
    """steps: (direction, chunk) pairs, direction 0 = client, 1 = server, chunk b"" = gap."""
    plan, stream = bytearray(), bytearray()
    for direction, chunk in steps:
        assert len(chunk) < 128
        plan.append((0x80 if direction else 0) | len(chunk))
        stream += chunk
    assert len(plan) < 8
    return bytes([len(plan)]) + bytes(plan) + bytes(stream) + tail


SEEDS = {
    "startdt": seed([(0, u_frame(0x07)), (1, u_frame(0x0B)), (0, u_frame(0x43)), (1, u_frame(0x83))]),
    "interrogation": seed([(0, i_frame(0, 0, asdu(100, 1, 6, 37133, obj(0, [20])))),
                           (1, i_frame(0, 1, asdu(100, 1, 7, 37133, obj(0, [20])))),
                           (1, i_frame(1, 1, asdu(1, 0x8A, 20, 37133, obj(10010, [0, 0x80] + [0] * 8))))],
                          i_frame(2, 1, asdu(100, 1, 10, 37133, obj(0, [20])))),
    "commands_with_time": seed([(0, i_frame(20, 77, asdu(59, 1, 6, 3, obj(4601, [0x82] + CP56)))),
                                (1, i_frame(77, 21, asdu(59, 1, 7, 3, obj(4601, [0x82] + CP56)))),
                                (0, i_frame(21, 78, asdu(58, 1, 6, 3, obj(4602, [0x01] + CP56))))],
                               i_frame(78, 22, asdu(58, 1, 0x47, 3, obj(4602, [0x01] + CP56)))),
    "setpoints": seed([(0, i_frame(0, 0, asdu(50, 1, 6, 3, obj(5020, [0, 0, 0x40, 0x41, 0x80])))),
                       (0, i_frame(1, 0, asdu(63, 1, 6, 3, obj(5021, [0, 0, 0x40, 0x41, 0x00] + CP56)))),
                       (0, i_frame(2, 0, asdu(48, 1, 8, 3, obj(5022, [0, 0x40, 0x00]))))],
                      s_frame(3)),
    "measurements": seed([(1, i_frame(0, 0, asdu(13, 2, 3, 3, obj(1301, [0, 0, 0x44, 0x42, 0]) +
                                                   obj(1302, [0, 0, 0x3D, 0x44, 0])))),
                          (1, i_frame(1, 0, asdu(11, 0x81, 3, 37133, obj(39999, [2, 0, 0])))),
                          (1, i_frame(2, 0, asdu(36, 1, 3, 3, obj(7, [0, 0, 0x80, 0x3F, 0] + CP56))))],
                         i_frame(0, 3, asdu(70, 1, 4, 37133, obj(0, [1])))),
    "system_commands": seed([(0, i_frame(0, 0, asdu(103, 1, 6, 1, obj(0, CP56)))),
                             (0, i_frame(1, 0, asdu(101, 1, 6, 1, obj(0, [0x85])))),
                             (0, i_frame(2, 0, asdu(105, 1, 6, 1, obj(0, [1])))),
                             (0, i_frame(3, 0, asdu(102, 1, 5, 1, obj(9, []))))],
                            i_frame(0, 4, asdu(107, 1, 7, 1, obj(0, [0x34, 0x12] + CP56)))),
    "file_transfer": seed([(0, i_frame(0, 0, asdu(122, 1, 13, 1, obj(5, [1, 0, 0, 1])))),
                           (1, i_frame(0, 1, asdu(120, 1, 13, 1, obj(5, [1, 0, 3, 0, 0, 0])))),
                           (1, i_frame(1, 1, asdu(125, 1, 13, 1, obj(5, [1, 0, 1, 3, 0xAA, 0xBB, 0xCC]))))],
                          i_frame(2, 1, asdu(126, 1, 5, 1, obj(5, [1, 0, 3, 0, 0, 0x20] + CP56)))),
    "split_and_gap": seed([(0, u_frame(0x07)[:3]), (0, b""), (0, u_frame(0x07)),
                           (1, i_frame(0, 0, asdu(1, 1, 3, 1, obj(1, [1])))[:8]), (1, b"")],
                          i_frame(5, 0, asdu(3, 1, 3, 1, obj(2, [2])))),
    "malformed": seed([(0, u_frame(0x0F)), (0, bytes([0x68, 2, 0, 0, 0x55])),
                       (1, i_frame(0, 0, asdu(42, 1, 3, 1, obj(1, [1])))),
                       (1, i_frame(1, 0, asdu(36, 127, 3, 1, obj(1, [0] * 12))))],
                      i_frame(0, 0, asdu(1, 1, 0, 1, obj(1, [1])))),
}

OUT.mkdir(parents=True, exist_ok=True)
for name, data in SEEDS.items():
    (OUT / name).write_bytes(data)
