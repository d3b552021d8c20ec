// Fuzzes the DNS session and wire parser (see fuzz_driver.h for the input layout).
#include "dissectors/dns/dns_parser.h"
#include "dissectors/dns/dns_session.h"
#include "tests/fuzz/it/fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::fuzz::NullSink sink;
  ots::dns::DnsSession session(sink);
  ots::Bytes body = ots::fuzz::drive(session, {data, size}, ots::fuzz::unicast_context(17, ots::dns::kMdnsPort));
  ots::dns::probe(ots::Direction::FromClient, body);
  return 0;
}
