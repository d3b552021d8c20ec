// Fuzzes the NetBIOS name service session (see fuzz_driver.h for the input layout).
#include "dissectors/nbns/nbns_session.h"
#include "tests/fuzz/it/fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::fuzz::NullSink sink;
  ots::nbns::NbnsSession session(sink);
  ots::Bytes body = ots::fuzz::drive(session, {data, size}, ots::fuzz::unicast_context(17, 137));
  ots::nbns::probe(ots::Direction::FromClient, body);
  return 0;
}
