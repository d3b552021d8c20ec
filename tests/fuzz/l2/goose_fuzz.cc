// Fuzzes the GOOSE session and wire parser (see l2_fuzz.h for the input layout).
#include "dissectors/goose/goose_session.h"
#include "dissectors/goose/goose_wire.h"
#include "tests/fuzz/l2/l2_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::Bytes body = ots::l2_fuzz::run<ots::goose::GooseSession>(data, size);
  ots::goose::probe(body);
  return 0;
}
