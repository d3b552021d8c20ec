// Fuzzes the PROFINET RT / DCP session and wire parser (see l2_fuzz.h for the input layout).
#include "dissectors/profinet/profinet_session.h"
#include "dissectors/profinet/profinet_wire.h"
#include "tests/fuzz/l2/l2_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::Bytes body = ots::l2_fuzz::run<ots::profinet::ProfinetSession>(data, size);
  ots::profinet::probe(body);
  return 0;
}
