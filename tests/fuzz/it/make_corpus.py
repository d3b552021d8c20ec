#!/usr/bin/env python3
"""Writes the seed corpora of the IT dissector fuzz targets from the shared captures (tshark needed).

Each seed is b'\\x00' (no cut points, see fuzz_driver.h) followed by one UDP payload, so the
whole datagram reaches the session in one call. Run from anywhere; rewrites corpus/<target>/.
"""
import pathlib
import subprocess

HERE = pathlib.Path(__file__).resolve().parent
PCAPS = HERE.parents[3] / "shared" / "pcaps"
SOURCES = {
    "dhcp_fuzz": ("dhcp_zeek_dhcp.pcap", "dhcp", 9),
    "dns_fuzz": ("dns_zeek_mdns.pcap", "mdns", 8),
    "nbns_fuzz": ("nbns_ndpi_netbios.pcap", "nbns", 40),
    "snmp_fuzz": ("snmp_zeek_snmpwalk-short.pcap", "snmp", 8),
}

for target, (pcap, display_filter, limit) in SOURCES.items():
    out = HERE / "corpus" / target
    out.mkdir(parents=True, exist_ok=True)
    rows = subprocess.run(["tshark", "-n", "-r", str(PCAPS / pcap), "-Y", display_filter, "-T", "fields",
                           "-e", "udp.payload"], capture_output=True, text=True, check=True).stdout.split()
    seen = set()
    for payload in rows:
        if payload in seen:
            continue
        seen.add(payload)
        (out / f"seed{len(seen):02d}").write_bytes(b"\x00" + bytes.fromhex(payload))
        if len(seen) >= limit:
            break
