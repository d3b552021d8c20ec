#!/usr/bin/env python3
# Regenerates the seed corpus from the shared captures: byte 0 = 0x80 (UDP, no cut points) or
# 0x00 (TCP, no cut points), then one FINS/UDP datagram or FINS/TCP message.
import subprocess
import sys

pcaps = sys.argv[1] if len(sys.argv) > 1 else '../../../../shared/pcaps'
out = 'corpus/fins_fuzz'


def payloads(pcap, display_filter, field):
    run = subprocess.run(['tshark', '-n', '-r', f'{pcaps}/{pcap}', '-Y', display_filter, '-T', 'fields', '-e', field],
                         capture_output=True, text=True, check=True)
    return [line.strip() for line in run.stdout.split('\n') if line.strip()]


for i, hex_payload in enumerate(payloads('fins_cisagovfork_omron.pcap', 'udp', 'udp.payload')[::12]):
    open(f'{out}/udp_{i}', 'wb').write(b'\x80' + bytes.fromhex(hex_payload))
for i, hex_payload in enumerate(payloads('fins_cisagovfork_omron_fins_tcp_commands_responses.pcap', 'tcp.len>0',
                                         'tcp.payload')[:12]):
    open(f'{out}/tcp_{i}', 'wb').write(b'\x00' + bytes.fromhex(hex_payload))
