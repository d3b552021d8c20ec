// Fuzzes the TLS session (framing, handshake reassembly, hellos, certificates) as the flow
// layer drives it (input layout: tests/support/stream_fuzz_driver.h), then the stateless
// parsers straight on the input.
#include "dissectors/tls/tls_fingerprint.h"
#include "dissectors/tls/tls_parser.h"
#include "dissectors/tls/tls_session.h"
#include "tests/support/stream_fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::test_support::TouchingSink sink;
  ots::tls::TlsSession session(sink);
  ots::test_support::drive_session(session, data, size);

  ots::Bytes input(data, size);
  ots::tls::probe(ots::Direction::FromClient, input);
  ots::tls::ClientHello client;
  if (ots::tls::parse_client_hello(input, client) == ots::tls::Anomaly::None) {
    std::string text;
    ots::tls::Ja4Scratch scratch;
    ots::tls::ja3_string(client, text);
    ots::tls::ja4(client, scratch, text);
  }
  ots::tls::CertificateSummary summary;
  ots::tls::parse_certificate(input, summary);
  return 0;
}
