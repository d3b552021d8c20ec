// Fuzzes the LLDP session and wire parser (see l2_fuzz.h for the input layout).
#include "dissectors/lldp/lldp_session.h"
#include "dissectors/lldp/lldp_wire.h"
#include "tests/fuzz/l2/l2_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::Bytes body = ots::l2_fuzz::run<ots::lldp::LldpSession>(data, size);
  ots::lldp::probe(body);
  return 0;
}
