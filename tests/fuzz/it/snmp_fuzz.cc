// Fuzzes the SNMP session and BER parser (see fuzz_driver.h for the input layout).
#include "dissectors/snmp/snmp_parser.h"
#include "dissectors/snmp/snmp_session.h"
#include "tests/fuzz/it/fuzz_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ots::fuzz::NullSink sink;
  ots::snmp::SnmpSession session(sink);
  ots::Bytes body = ots::fuzz::drive(session, {data, size}, ots::fuzz::unicast_context(17, ots::snmp::kAgentPort));
  ots::snmp::probe(ots::Direction::FromClient, body);
  ots::snmp::Oid oid;
  ots::snmp::decode_oid(body, oid);
  return 0;
}
