#include "dissectors/profinet/profinet_wire.h"

#include <array>

namespace ots::profinet {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Anomaly::kCount)> kAnomalyNames = {
    "",
    "profinet.truncated",
    "profinet.invalid_dcp_length",
    "profinet.invalid_dcp_service",
    "profinet.too_many_blocks",
};

bool service_fits(const DcpHeader& h) {
  bool request = h.is_request();
  bool response = h.service_type == service_type::kResponseSuccess ||
                  h.service_type == service_type::kResponseUnsupported;
  switch (h.frame_id) {
    case frame_id::kDcpIdentifyRequest: return h.service_id == service::kIdentify && request;
    case frame_id::kDcpIdentifyResponse: return h.service_id == service::kIdentify && response;
    case frame_id::kDcpHello: return h.service_id == service::kHello && request;
    case frame_id::kDcpGetSet:
      return (h.service_id == service::kGet || h.service_id == service::kSet) && (request || response);
    default: return false;
  }
}

BlockLayout layout_of(const DcpHeader& h) {
  if (h.service_id == service::kGet && h.is_request()) return BlockLayout::OptionList;
  if (h.service_id == service::kIdentify && h.is_request()) return BlockLayout::Plain;
  if (h.service_id == service::kSet && !h.is_request()) return BlockLayout::Plain;
  return BlockLayout::WithInfo;
}

}  // namespace

std::string_view anomaly_name(Anomaly a) {
  auto index = static_cast<size_t>(a);
  return index < kAnomalyNames.size() ? kAnomalyNames[index] : std::string_view{};
}

FrameKind classify(uint16_t id) {
  if (id <= frame_id::kPtcpLowLast || id >= frame_id::kPtcpHighFirst) return FrameKind::Ptcp;
  if (id <= frame_id::kRtClass1McLast) return FrameKind::RtCyclic;
  if (id == frame_id::kAlarmHigh || id == frame_id::kAlarmLow) return FrameKind::Alarm;
  if (id >= frame_id::kDcpHello && id <= frame_id::kDcpIdentifyResponse) return FrameKind::Dcp;
  return FrameKind::Reserved;
}

uint16_t cyclic_range(uint16_t id) {
  if (classify(id) != FrameKind::RtCyclic) return 0;
  if (id >= frame_id::kRtClass1McFirst) return frame_id::kRtClass1McFirst;
  if (id >= frame_id::kRtClass1First) return frame_id::kRtClass1First;
  return frame_id::kRtClass23First;
}

DcpMessage parse_dcp(Bytes frame) {
  DcpMessage out;
  ByteReader r(frame);
  DcpHeader& h = out.header;
  h.frame_id = r.be16();
  h.service_id = r.u8();
  h.service_type = r.u8();
  h.xid = r.be32();
  h.response_delay = r.be16();
  h.data_length = r.be16();
  if (!r.ok()) {
    out.anomaly = Anomaly::Truncated;
    return out;
  }
  if (!service_fits(h)) {
    out.anomaly = Anomaly::InvalidDcpService;
    return out;
  }
  out.layout = layout_of(h);
  out.blocks = r.bytes(h.data_length);  // what follows is Ethernet padding
  if (!r.ok()) out.anomaly = Anomaly::InvalidDcpLength;
  return out;
}

bool BlockReader::next(DcpBlock& out) {
  if (anomaly_ != Anomaly::None || reader_.empty()) return false;
  if (count_ == kMaxBlocks) {
    anomaly_ = Anomaly::TooManyBlocks;
    return false;
  }
  out = DcpBlock{};
  out.key = reader_.be16();
  if (layout_ != BlockLayout::OptionList) {
    uint16_t length = reader_.be16();
    size_t info_size = layout_ == BlockLayout::WithInfo ? 2 : 0;
    if (reader_.ok() && length < info_size) {
      anomaly_ = Anomaly::InvalidDcpLength;
      return false;
    }
    out.info = info_size ? reader_.be16() : 0;
    out.value = reader_.bytes(length - info_size);
    if ((length & 1) && reader_.remaining() > 0) reader_.skip(1);  // padding to an even length
  }
  if (!reader_.ok()) {
    anomaly_ = Anomaly::InvalidDcpLength;
    return false;
  }
  ++count_;
  return true;
}

bool parse_ip_suite(Bytes value, IpSuite& out) {
  if (value.size() < 12) return false;
  out.ip = IpAddr::v4(value.data());
  out.mask = IpAddr::v4(value.data() + 4);
  out.gateway = IpAddr::v4(value.data() + 8);
  return true;
}

bool parse_device_id(Bytes value, DeviceId& out) {
  ByteReader r(value);
  out.vendor = r.be16();
  out.device = r.be16();
  return r.ok();
}

ProbeResult probe(Bytes frame) {
  if (frame.size() < 2) return ProbeResult::NeedMoreData;
  uint16_t id = static_cast<uint16_t>(frame[0] << 8 | frame[1]);
  switch (classify(id)) {
    case FrameKind::RtCyclic:
    case FrameKind::Alarm: return ProbeResult::Match;
    case FrameKind::Dcp: {
      if (frame.size() < kDcpHeaderSize) return ProbeResult::NeedMoreData;
      DcpMessage message = parse_dcp(frame);
      return message.anomaly == Anomaly::None ? ProbeResult::Match : ProbeResult::NoMatch;
    }
    default: return ProbeResult::NoMatch;
  }
}

}  // namespace ots::profinet
