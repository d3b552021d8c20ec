#!/usr/bin/env python3
"""Writes the seed corpus of http_fuzz (input layout: tests/support/stream_fuzz_driver.h).

Run from this directory: ./make_corpus.py
"""
import pathlib

OUT = pathlib.Path(__file__).parent / "corpus" / "http_fuzz"


def seed(steps, tail=b""):
    """steps: (direction, chunk) pairs, direction 0 = client, 1 = server, chunk b"" = gap."""
    plan, stream = bytearray(), bytearray()
    for direction, chunk in steps:
        assert len(chunk) < 128
        plan.append((0x80 if direction else 0) | len(chunk))
        stream += chunk
    assert len(plan) < 8
    return bytes([len(plan)]) + bytes(plan) + bytes(stream) + tail


GET = b"GET /index.html HTTP/1.1\r\nHost: plc01.example.com\r\nUser-Agent: Wget/1.14\r\n\r\n"
OK = b"HTTP/1.1 200 OK\r\nServer: Apache/2.4.3\r\nContent-Length: 11\r\n\r\nhello world"
SEEDS = {
    "get": seed([(0, GET)], OK),
    "post_chunked": seed([(0, b"POST /upload HTTP/1.1\r\nHost: 10.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
                          (0, b"4\r\nWiki\r\n5\r\npedia\r\n0\r\nX-T: 1\r\n\r\n")],
                         b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"),
    "pipelined": seed([(0, GET + b"HEAD / HTTP/1.1\r\n\r\n")],
                      OK + b"HTTP/1.1 404 Not Found\r\nContent-Length: 99\r\n\r\n"),
    "until_close": seed([(0, b"GET / HTTP/1.0\r\n\r\n")], b"HTTP/1.0 200 OK\r\n\r\nsome body until close"),
    "gap_in_body": seed([(0, GET), (1, OK[:70]), (1, b""), (1, OK[75:])], b"GET /next HTTP/1.1\r\n\r\n"),
    "upgrade": seed([(0, b"GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")],
                    b"HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x05hello"),
    "connect": seed([(0, b"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n")],
                    b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01"),
}

OUT.mkdir(parents=True, exist_ok=True)
for name, data in SEEDS.items():
    (OUT / name).write_bytes(data)
