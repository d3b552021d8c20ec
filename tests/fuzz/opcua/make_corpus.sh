#!/bin/sh
# Regenerates the seed corpus from the shared captures: each seed is "0 cut points" followed by
# one direction's first payloads of an OPC UA stream (the fuzz input layout of opcua_fuzz.cc
# sends the remainder of the input to the server direction).
set -e
pcaps=${1:-../../../../shared/pcaps}
out=corpus/opcua_fuzz
mkdir -p "$out"
n=0
for f in opcua_cisagov_open62541_client-server-getEndpoints.pcap opcua_cisagov_open62541_create_monitored_items.pcap \
         opcua_cisagov_python_opcua-client-server_encrypted.pcap; do
  for port in tcp.srcport tcp.dstport; do
    tshark -n -r "$pcaps/$f" -Y "tcp.len>0 && $port==4840" -T fields -e tcp.payload 2>/dev/null | head -6 |
      while read -r hex; do n=$((n+1)); printf '00%s' "$hex" | xxd -r -p > "$out/$(basename "$f" .pcap)_${port}_$n"; done
  done
done
