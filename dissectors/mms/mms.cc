// The MMS descriptor: TCP port 102 as a hint; the probe claims flows whose first COTP data is an
// ISO session SPDU of an MMS association (CN / AC carrying a presentation CP / CPA, or GT + DT
// carrying fully-encoded presentation data). Connection TPDUs alone are not enough: NeedMoreData.
#include "dissectors/dissector.h"
#include "dissectors/mms/iso_transport.h"
#include "dissectors/mms/mms_session.h"
#include "dissectors/mms/mms_wire.h"

namespace ots {

namespace mms {

ProbeResult probe(Direction, Bytes payload) {
  const iso::FirstData first = iso::first_data(payload);
  switch (first.status) {
    case iso::FirstDataStatus::NotIso: return ProbeResult::NoMatch;
    case iso::FirstDataStatus::NeedMoreData: return ProbeResult::NeedMoreData;
    case iso::FirstDataStatus::Found: return probe_session_start(first.user_data);
  }
  return ProbeResult::NoMatch;
}

}  // namespace mms

namespace {
constexpr uint16_t kMmsPorts[] = {102};
}

extern const DissectorDescriptor kDissector_mms;
const DissectorDescriptor kDissector_mms{
    .name = mms::kProtocolName,
    .transports = transport_bit::Tcp,
    .ports = kMmsPorts,
    .ethertypes = {},
    .probe = &mms::probe,
    .make_session = &mms::make_session,
};

}  // namespace ots
