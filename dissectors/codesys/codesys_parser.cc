#include "dissectors/codesys/codesys_parser.h"

#include <algorithm>
#include <iterator>

namespace ots::codesys {
namespace {

constexpr std::string_view kAnomalyNames[] = {
    "codesys.none", "codesys.invalid_block_driver", "codesys.invalid_datagram", "codesys.truncated",
    "codesys.truncated_message",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));

constexpr uint8_t kBlockDriverMagic[] = {0x00, 0x01, 0x17, 0xE8};
constexpr uint8_t kDatagramMagic = 0xC5;
constexpr uint8_t kHeaderWords = 3;
constexpr uint16_t kProtocolStandard = 0xCD55, kProtocolSecure = 0x7557;
constexpr uint8_t kChannelApplicationBlock = 0x01, kFirstBlock = 0x01;
constexpr uint16_t kNsDeviceInfo = 0xC280;
constexpr size_t kNsDeviceInfoFixedSize = 37;

struct GroupName {
  uint16_t group;
  std::string_view name;
};
constexpr GroupName kGroups[] = {
    {0x01, "CmpDevice"},      {0x02, "CmpApp"},          {0x03, "CmpMonitor"},    {0x04, "CmpVisuServer"},
    {0x05, "CmpLog"},         {0x06, "CmpSettings"},     {0x07, "SysEthernet"},   {0x08, "CmpFileTransfer"},
    {0x09, "CmpIecVarAccess"}, {0x0B, "CmpIoMgr"},       {0x0C, "CmpUserMgr"},    {0x0F, "CmpTraceMgr"},
    {0x11, "PlcShell"},       {0x12, "CmpAppBP"},        {0x13, "CmpAppForce"},   {0x18, "CmpAlarmManager"},
    {0x1B, "CmpMonitor2"},    {0x1D, "CmpCodeMeter"},    {0x1F, "CmpCoreDump"},   {0x22, "CmpOpenSSL"},
};

constexpr ServiceInfo kServices[] = {
    {0x01, 0x01, "CmpDevice.GetTargetIdent", false},
    {0x01, 0x02, "CmpDevice.Login", false},
    {0x01, 0x03, "CmpDevice.Logout", false},
    {0x01, 0x04, "CmpDevice.ResetOrigin", true},
    {0x01, 0x05, "CmpDevice.Echo", false},
    {0x01, 0x06, "CmpDevice.SetOperatingMode", true},
    {0x01, 0x07, "CmpDevice.GetOperatingMode", false},
    {0x01, 0x08, "CmpDevice.InteractiveLogin", false},
    {0x01, 0x09, "CmpDevice.RenameNode", true},
    {0x01, 0x0A, "CmpDevice.SessionCreate", false},
    {0x01, 0x0B, "CmpDevice.ResetOriginGetConfig", false},
    {0x02, 0x01, "CmpApp.Login", false},
    {0x02, 0x02, "CmpApp.Logout", false},
    {0x02, 0x03, "CmpApp.CreateApp", true},
    {0x02, 0x04, "CmpApp.DeleteApp", true},
    {0x02, 0x05, "CmpApp.Download", true},
    {0x02, 0x06, "CmpApp.OnlineChange", true},
    {0x02, 0x07, "CmpApp.DeviceDownload", true},
    {0x02, 0x08, "CmpApp.CreateDevApp", true},
    {0x02, 0x10, "CmpApp.Start", true},
    {0x02, 0x11, "CmpApp.Stop", true},
    {0x02, 0x12, "CmpApp.Reset", true},
    {0x02, 0x13, "CmpApp.SetBreakpoint", true},
    {0x02, 0x14, "CmpApp.ReadStatus", false},
    {0x02, 0x15, "CmpApp.DeleteBreakpoint", true},
    {0x02, 0x16, "CmpApp.ReadCallStack", false},
    {0x02, 0x17, "CmpApp.GetAreaOffset", false},
    {0x02, 0x18, "CmpApp.ReadAppList", false},
    {0x02, 0x19, "CmpApp.SetNextStatement", true},
    {0x02, 0x20, "CmpApp.ReleaseForceList", true},
    {0x02, 0x21, "CmpApp.UploadForceList", false},
    {0x02, 0x22, "CmpApp.SingleCycle", true},
    {0x02, 0x23, "CmpApp.CreateBootProject", true},
    {0x02, 0x24, "CmpApp.ReInitApp", true},
    {0x02, 0x25, "CmpApp.ReadAppStateList", false},
    {0x02, 0x26, "CmpApp.LoadBootApp", true},
    {0x02, 0x27, "CmpApp.RegisterBootApp", true},
    {0x02, 0x28, "CmpApp.CheckFileConsistency", false},
    {0x02, 0x29, "CmpApp.ReadAppInfo", false},
    {0x02, 0x30, "CmpApp.DownloadCompact", true},
    {0x02, 0x31, "CmpApp.ReadProjectInfo", false},
    {0x02, 0x32, "CmpApp.DefineFlow", false},
    {0x02, 0x33, "CmpApp.ReadFlowValues", false},
    {0x02, 0x34, "CmpApp.DownloadEncrypted", true},
    {0x02, 0x35, "CmpApp.ReadAppContent", false},
    {0x02, 0x36, "CmpApp.SaveRetains", false},
    {0x02, 0x37, "CmpApp.RestoreRetains", true},
    {0x02, 0x38, "CmpApp.GetAreaAddress", false},
    {0x05, 0x01, "CmpLog.GetEntries", false},
    {0x05, 0x02, "CmpLog.GetComponentNames", false},
    {0x05, 0x03, "CmpLog.GetLoggerList", false},
    {0x08, 0x01, "CmpFileTransfer.GetFileInfo", false},
    {0x08, 0x02, "CmpFileTransfer.StartDownload", true},
    {0x08, 0x03, "CmpFileTransfer.RestartDownload", true},
    {0x08, 0x04, "CmpFileTransfer.Download", true},
    {0x08, 0x05, "CmpFileTransfer.StartUpload", false},
    {0x08, 0x06, "CmpFileTransfer.RestartUpload", false},
    {0x08, 0x07, "CmpFileTransfer.Upload", false},
    {0x08, 0x08, "CmpFileTransfer.End", false},
    {0x08, 0x09, "CmpFileTransfer.Cancel", false},
    {0x08, 0x0C, "CmpFileTransfer.GetDirInfo", false},
    {0x08, 0x0E, "CmpFileTransfer.DeleteFile", true},
    {0x08, 0x0F, "CmpFileTransfer.RenameFile", true},
    {0x08, 0x10, "CmpFileTransfer.CreateDir", true},
    {0x08, 0x11, "CmpFileTransfer.DeleteDir", true},
    {0x08, 0x12, "CmpFileTransfer.RenameDir", true},
    {0x09, 0x01, "CmpIecVarAccess.RegisterVarList", false},
    {0x09, 0x02, "CmpIecVarAccess.UnregisterVarList", false},
    {0x09, 0x03, "CmpIecVarAccess.ReadVarList", false},
    {0x09, 0x04, "CmpIecVarAccess.WriteVarList", true},
    {0x09, 0x05, "CmpIecVarAccess.ReadVars", false},
    {0x09, 0x06, "CmpIecVarAccess.WriteVars", true},
    {0x09, 0x07, "CmpIecVarAccess.GetRootNodes", false},
    {0x09, 0x08, "CmpIecVarAccess.GetChildNodes", false},
    {0x09, 0x09, "CmpIecVarAccess.GetTypes", false},
    {0x09, 0x0A, "CmpIecVarAccess.GetAddressInfo", false},
    {0x1B, 0x01, "CmpMonitor2.Read", false},
    {0x1B, 0x02, "CmpMonitor2.Write", true},
};

void parse_services(ByteReader& r, Message& m) {
  m.protocol_id = r.le16();
  uint16_t header_size = r.le16();
  uint16_t group = r.le16();
  m.service = r.le16();
  m.session_id = r.le32();
  r.le32();  // content size
  if (!r.ok()) return;
  if ((m.protocol_id != kProtocolStandard && m.protocol_id != kProtocolSecure) || header_size < 12) {
    m.anomaly = Anomaly::Truncated;
    return;
  }
  m.is_response = group & 0x80;
  m.group = group & 0x7F;
  m.layer = Layer::Service;
}

void parse_channel(ByteReader& r, Message& m) {
  m.channel_type = r.u8();
  if (!r.ok()) return;
  if (m.channel_type != kChannelApplicationBlock) {
    bool management = (m.channel_type & 0x40) != 0 || m.channel_type == 0x83 || m.channel_type == 0x84;
    if (management) m.layer = Layer::Channel;
    return;
  }
  uint8_t flags = r.u8();
  m.channel_id = r.le16();
  r.le32();  // block id
  r.le32();  // ack id
  if (!r.ok() || (flags & kFirstBlock) == 0) return;  // follow-up blocks continue a service already reported
  r.le32();  // remaining size
  r.le32();  // CRC-32 of the service data
  parse_services(r, m);
}

void parse_name_service(ByteReader& r, Message& m, Bytes payload) {
  m.ns_command = r.le16();
  r.le16();  // version
  r.le32();  // message id
  if (!r.ok()) return;
  m.layer = Layer::NameService;
  if (m.ns_command != kNsDeviceInfo) return;
  r.le16();  // max channels
  r.u8();    // byte order
  r.u8();
  uint16_t node_offset = r.le16();
  uint16_t node_length = r.le16(), device_length = r.le16(), vendor_length = r.le16();
  r.le16();  // target type
  r.le16();  // target id
  r.le32();
  Bytes firmware = r.bytes(4);
  r.le32();
  r.u8();  // serial number length
  if (!r.ok()) return;
  std::copy(firmware.begin(), firmware.end(), m.firmware);
  ByteReader names(payload);
  names.skip(node_offset >= kNsDeviceInfoFixedSize && node_offset < payload.size() ? node_offset
                                                                                    : kNsDeviceInfoFixedSize);
  auto name = [&names](uint16_t chars) {
    Bytes text = names.bytes(size_t{chars} * 2);
    if (names.has(2) && names.peek_u8() == 0 && names.peek_u8(1) == 0) names.skip(2);  // terminator
    return text;
  };
  m.node_name = name(node_length);
  m.device_name = name(device_length);
  m.vendor_name = name(vendor_length);
  if (names.ok()) {
    m.has_device_info = true;
  } else {
    m.node_name = m.device_name = m.vendor_name = {};
    r.skip(r.remaining() + 1);  // report the answer as truncated
  }
}

}  // namespace

std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[static_cast<size_t>(a)]; }

const ServiceInfo* find_service(uint16_t group, uint16_t service) {
  for (const auto& s : kServices) {
    if (s.group == group && s.service == service) return &s;
  }
  return nullptr;
}

std::string_view group_name(uint16_t group) {
  for (const auto& g : kGroups) {
    if (g.group == group) return g.name;
  }
  return "CODESYS service";
}

Message parse_datagram(Bytes datagram, bool complete) {
  Message m;
  ByteReader r(datagram);
  uint8_t magic = r.u8();
  uint8_t lengths_and_hops = r.u8();
  r.u8();  // packet info: priority, signal, address type, data block length
  m.datagram_service = r.u8();
  r.u8();  // message id
  uint8_t address_lengths = r.u8();
  size_t header = kDatagramFixedSize + 2 * (size_t{address_lengths & 0x0Fu} + (address_lengths >> 4));
  header = (header + 3) & ~size_t{3};
  if (!r.ok() || magic != kDatagramMagic || (lengths_and_hops & 0x07) != kHeaderWords || datagram.size() < header) {
    m.anomaly = Anomaly::InvalidDatagram;
    return m;
  }
  Bytes payload = datagram.subspan(header);
  ByteReader body(payload);
  if (m.datagram_service == kServiceChannelManager) {
    parse_channel(body, m);
  } else if (m.datagram_service == kServiceNameServer || m.datagram_service == kServiceNameClient) {
    parse_name_service(body, m, payload);
  }
  if (!body.ok() && complete && m.anomaly == Anomaly::None) m.anomaly = Anomaly::Truncated;
  return m;
}

FrameSize frame_size(Bytes stream) {
  FrameSize out;
  size_t prefix = std::min(stream.size(), std::size(kBlockDriverMagic));
  if (!std::equal(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(prefix), std::begin(kBlockDriverMagic))) {
    out.status = FrameStatus::Invalid;
    return out;
  }
  ByteReader r(stream);
  r.skip(4);
  uint32_t length = r.le32();
  if (!r.ok()) return out;
  if (length < kBlockDriverHeaderSize + kDatagramFixedSize || length > kMaxBlockLength) {
    out.status = FrameStatus::Invalid;
    return out;
  }
  out.status = FrameStatus::Ok;
  out.size = length;
  return out;
}

void append_utf16(std::string& out, Bytes utf16) {
  ByteReader r(utf16);
  for (size_t i = 0; i < kMaxNameLength && r.has(2); ++i) {
    uint16_t c = r.le16();
    out.push_back(c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '?');
  }
}

ProbeResult probe(Bytes payload) {
  if (payload.empty()) return ProbeResult::NeedMoreData;
  if (payload[0] == kBlockDriverMagic[0]) {
    FrameSize size = frame_size(payload);
    if (size.status == FrameStatus::Invalid) return ProbeResult::NoMatch;
    if (payload.size() <= kBlockDriverHeaderSize) return ProbeResult::NeedMoreData;
    payload = payload.subspan(kBlockDriverHeaderSize);
  }
  if (payload.size() < kDatagramFixedSize) return payload[0] == kDatagramMagic ? ProbeResult::NeedMoreData : ProbeResult::NoMatch;
  Message m = parse_datagram(payload, false);
  if (m.anomaly == Anomaly::InvalidDatagram) return ProbeResult::NoMatch;
  uint8_t service = m.datagram_service;
  bool known = service == kServiceChannelManager || (service >= 1 && service <= 4);
  return known ? ProbeResult::Match : ProbeResult::NoMatch;
}

}  // namespace ots::codesys
