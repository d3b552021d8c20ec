#!/usr/bin/env python3
"""Writes the seed corpora of the L2 fuzz targets (see l2_fuzz.h for the input layout)
from the frames of the shared captures (../../../../shared/pcaps, classic pcap files).

Run from this directory: ./make_corpus.py
"""
import pathlib
import struct

HERE = pathlib.Path(__file__).parent
PCAPS = HERE.parent.parent.parent.parent / "shared" / "pcaps"

# target -> (ethertype or SNAP protocol id, capture files)
TARGETS = {
    "lldp_fuzz": (0x88CC, ["lldp_assimilation_lldp.detailed.pcap", "lldp_assimilation_lldpmed_civicloc.pcap",
                           "profinet_cisagov_profinet_io_cm_mixed_1.pcap"]),
    "cdp_fuzz": (0x2000, ["cdp_assimilation_cdp_v2.pcap", "cdp_assimilation_n0.eth2.cdp.pcap"]),
    "profinet_fuzz": (0x8892, ["profinet_iti_ChangeIPUsingDCP.pcap", "profinet_iti_profinet-wireshark-bug.pcap",
                               "profinet_cisagov_profinet_io_cm_mixed_1.pcap"]),
    "goose_fuzz": (0x88B8, ["goose_iti_GOOSE.pcap", "goose_iti_Sample_File_GOOSE.pcap",
                            "goose_dina_GOOSE_malformed_asn1.pcap"]),
}


def frames(path):
    data = path.read_bytes()
    offset = 24
    while offset + 16 <= len(data):
        _, _, captured, _ = struct.unpack("<IIII", data[offset:offset + 16])
        yield data[offset + 16:offset + 16 + captured]
        offset += 16 + captured


def payload(frame, wanted):
    """The bytes after the EtherType (after VLAN tags), as the decoder hands them to a session."""
    offset = 12
    kind = struct.unpack(">H", frame[offset:offset + 2])[0]
    while kind == 0x8100:
        offset += 4
        kind = struct.unpack(">H", frame[offset:offset + 2])[0]
    body = frame[offset + 2:]
    if kind < 0x0600:  # 802.3 length: LLC payload, SNAP protocol id as the ethertype
        body = body[:kind]
        kind = struct.unpack(">H", body[6:8])[0] if body[:3] == b"\xaa\xaa\x03" and len(body) >= 8 else 0
    return body if kind == wanted else None


def main():
    for target, (ethertype, files) in TARGETS.items():
        out = HERE / "corpus" / target
        out.mkdir(parents=True, exist_ok=True)
        seen = set()
        small = []
        for name in files:
            for frame in frames(PCAPS / name):
                body = payload(frame, ethertype)
                if body is None or body in seen:
                    continue
                seen.add(body)
                (out / f"frame{len(seen):03d}").write_bytes(b"\x00" + body)  # no cuts: one frame
                if len(body) < 128:
                    small.append(body)
                if len(seen) >= 12:
                    break
        # Several short frames from two senders in one input.
        if len(small) >= 2:
            chosen = small[:4]
            plan = bytes((0x80 if i % 2 else 0) | len(b) for i, b in enumerate(chosen[:-1]))
            (out / "several_frames").write_bytes(bytes([len(plan)]) + plan + b"".join(chosen))


if __name__ == "__main__":
    main()
