#include "dissectors/opcua/opcua_parser.h"

#include <iterator>

namespace ots::opcua {
namespace {

constexpr std::string_view kAnomalyNames[] = {
    "",
    "opcua.invalid_header",
    "opcua.invalid_size",
    "opcua.malformed_body",
    "opcua.unexpected_direction",
    "opcua.truncated_message",
};
static_assert(std::size(kAnomalyNames) == static_cast<size_t>(Anomaly::kCount));

struct MessageTypeInfo {
  char tag[3];
  MessageType type;
  uint32_t min_size;  // header plus the fixed fields
  bool final_only;    // UACP messages are never chunked
};
constexpr MessageTypeInfo kMessageTypes[] = {
    {{'H', 'E', 'L'}, MessageType::Hello, 32, true},         // 5 x uint32 + URL length
    {{'A', 'C', 'K'}, MessageType::Acknowledge, 28, true},   // 5 x uint32
    {{'E', 'R', 'R'}, MessageType::Error, 16, true},         // error + reason length
    {{'R', 'H', 'E'}, MessageType::ReverseHello, 16, true},  // server URI + endpoint URL lengths
    {{'O', 'P', 'N'}, MessageType::OpenChannel, 24, false},  // channel id, policy, cert, thumbprint lengths
    {{'M', 'S', 'G'}, MessageType::Message, 24, false},      // channel id, token id, sequence header
    {{'C', 'L', 'O'}, MessageType::CloseChannel, 24, false},
};

// OPC 10000-4 §5 services; ids from NodeIds.csv (<Service>Request/Response_Encoding_DefaultBinary).
constexpr ServiceInfo kServices[] = {
    {422, 425, "FindServers", false},
    {12208, 12209, "FindServersOnNetwork", false},
    {428, 431, "GetEndpoints", false},
    {437, 440, "RegisterServer", true},
    {12211, 12212, "RegisterServer2", true},
    {446, 449, "OpenSecureChannel", false},
    {452, 455, "CloseSecureChannel", false},
    {461, 464, "CreateSession", false},
    {467, 470, "ActivateSession", false},
    {473, 476, "CloseSession", false},
    {479, 482, "Cancel", false},
    {488, 491, "AddNodes", true},
    {494, 497, "AddReferences", true},
    {500, 503, "DeleteNodes", true},
    {506, 509, "DeleteReferences", true},
    {527, 530, "Browse", false},
    {533, 536, "BrowseNext", false},
    {554, 557, "TranslateBrowsePathsToNodeIds", false},
    {560, 563, "RegisterNodes", false},
    {566, 569, "UnregisterNodes", false},
    {615, 618, "QueryFirst", false},
    {621, 624, "QueryNext", false},
    {631, 634, "Read", false},
    {664, 667, "HistoryRead", false},
    {673, 676, "Write", true},
    {700, 703, "HistoryUpdate", true},
    {712, 715, "Call", true},
    {751, 754, "CreateMonitoredItems", false},
    {763, 766, "ModifyMonitoredItems", false},
    {769, 772, "SetMonitoringMode", false},
    {775, 778, "SetTriggering", false},
    {781, 784, "DeleteMonitoredItems", false},
    {787, 790, "CreateSubscription", false},
    {793, 796, "ModifySubscription", false},
    {799, 802, "SetPublishingMode", false},
    {826, 829, "Publish", false},
    {832, 835, "Republish", false},
    {841, 844, "TransferSubscriptions", false},
    {847, 850, "DeleteSubscriptions", false},
    {0, kServiceFault, "ServiceFault", false},
};

constexpr int kMaxDiagnosticDepth = 4;
constexpr int32_t kNullLength = -1;

const MessageTypeInfo* message_type_info(Bytes tag) {
  for (const MessageTypeInfo& info : kMessageTypes) {
    if (tag[0] == uint8_t(info.tag[0]) && tag[1] == uint8_t(info.tag[1]) && tag[2] == uint8_t(info.tag[2])) {
      return &info;
    }
  }
  return nullptr;
}

// An Int32 length prefix: -1 is null (empty), other negatives are invalid.
bool read_length(ByteReader& reader, uint32_t& length) {
  auto value = static_cast<int32_t>(reader.le32());
  if (!reader.ok() || value < kNullLength) return false;
  length = value == kNullLength ? 0 : static_cast<uint32_t>(value);
  return true;
}

bool skip_localized_text(ByteReader& reader, std::string_view* text) {
  uint8_t mask = reader.u8();
  std::string_view locale, value;
  if ((mask & 0x01) && !read_string(reader, locale)) return false;
  if ((mask & 0x02) && !read_string(reader, value)) return false;
  if (text != nullptr) *text = value;
  return reader.ok();
}

bool skip_diagnostic_info(ByteReader& reader, int depth) {
  if (depth > kMaxDiagnosticDepth) return false;
  uint8_t mask = reader.u8();
  // symbolic id, namespace URI, localized text, locale: Int32 indexes into the string table.
  for (uint8_t bit : {0x01, 0x02, 0x04, 0x08}) {
    if (mask & bit) reader.skip(4);
  }
  std::string_view additional;
  if ((mask & 0x10) && !read_string(reader, additional)) return false;
  if (mask & 0x20) reader.skip(4);  // inner status code
  if (mask & 0x40) return skip_diagnostic_info(reader, depth + 1);
  return reader.ok();
}

bool skip_extension_object(ByteReader& reader) {
  NodeId type;
  if (!read_node_id(reader, type)) return false;
  uint8_t encoding = reader.u8();
  if (encoding == 1 || encoding == 2) return skip_byte_string(reader);
  return reader.ok() && encoding == 0;
}

// Array of String (Int32 count, -1 null); walks at most kMaxArrayElements.
bool skip_string_array(ByteReader& reader) {
  uint32_t count = 0;
  if (!read_length(reader, count) || count > kMaxArrayElements) return false;
  std::string_view item;
  for (uint32_t i = 0; i < count; ++i) {
    if (!read_string(reader, item)) return false;
  }
  return true;
}

// EndpointDescription up to the server's ApplicationDescription.
bool read_first_endpoint(ByteReader& reader, ServiceDetails& out) {
  uint32_t count = 0;
  if (!read_length(reader, count)) return false;
  if (count == 0) return true;
  if (!read_string(reader, out.endpoint_url)) return false;
  if (!read_application_description(reader, out.description)) return false;
  out.has_description = true;
  return true;
}

}  // namespace

std::string_view anomaly_name(Anomaly a) {
  auto index = static_cast<size_t>(a);
  return index < std::size(kAnomalyNames) ? kAnomalyNames[index] : std::string_view{};
}

HeaderResult parse_header(Bytes stream) {
  HeaderResult result;
  // Reject a bad type as soon as its bytes are there, so hunting does not wait for 8 bytes.
  size_t known = stream.size() < 3 ? stream.size() : 3;
  bool prefix_of_a_type = false;
  for (const MessageTypeInfo& info : kMessageTypes) {
    bool same = true;
    for (size_t i = 0; i < known; ++i) same = same && stream[i] == uint8_t(info.tag[i]);
    prefix_of_a_type = prefix_of_a_type || same;
  }
  if (!prefix_of_a_type) {
    result.status = HeaderStatus::Invalid;
    result.anomaly = Anomaly::InvalidHeader;
    return result;
  }
  if (stream.size() < kHeaderSize) return result;
  ByteReader reader(stream);
  const MessageTypeInfo* info = message_type_info(reader.bytes(3));
  char chunk = static_cast<char>(reader.u8());
  uint32_t size = reader.le32();
  bool chunk_ok = chunk == 'F' || (!info->final_only && (chunk == 'C' || chunk == 'A'));
  if (!chunk_ok) {
    result.status = HeaderStatus::Invalid;
    result.anomaly = Anomaly::InvalidHeader;
    return result;
  }
  // An abort chunk carries only an error and a reason after the security headers.
  if (size < info->min_size || size > kMaxChunkSize) {
    result.status = HeaderStatus::Invalid;
    result.anomaly = Anomaly::InvalidSize;
    return result;
  }
  result.status = HeaderStatus::Ok;
  result.header = {info->type, chunk, size};
  return result;
}

ProbeResult probe_header(Bytes stream) {
  HeaderResult result = parse_header(stream);
  if (result.status == HeaderStatus::Invalid) return ProbeResult::NoMatch;
  return result.status == HeaderStatus::Ok ? ProbeResult::Match : ProbeResult::NeedMoreData;
}

const ServiceInfo* find_service(uint32_t id) {
  if (id == 0) return nullptr;
  for (const ServiceInfo& service : kServices) {
    if (service.request_id == id || service.response_id == id) return &service;
  }
  return nullptr;
}

bool read_string(ByteReader& reader, std::string_view& out) {
  uint32_t length = 0;
  if (!read_length(reader, length)) return false;
  out = reader.chars(length);
  return reader.ok();
}

bool skip_byte_string(ByteReader& reader) {
  std::string_view ignored;
  return read_string(reader, ignored);
}

bool read_node_id(ByteReader& reader, NodeId& out) {
  uint8_t encoding = reader.u8();
  out = NodeId{};
  switch (encoding & 0x3F) {
    case 0x00:  // two-byte
      out.numeric = reader.u8();
      out.is_numeric = true;
      break;
    case 0x01:  // four-byte
      out.ns = reader.u8();
      out.numeric = reader.le16();
      out.is_numeric = true;
      break;
    case 0x02:  // numeric
      out.ns = reader.le16();
      out.numeric = reader.le32();
      out.is_numeric = true;
      break;
    case 0x03:  // string
    case 0x05:  // opaque (ByteString)
      out.ns = reader.le16();
      if (!skip_byte_string(reader)) return false;
      break;
    case 0x04:  // GUID
      out.ns = reader.le16();
      reader.skip(16);
      break;
    default:
      return false;
  }
  std::string_view namespace_uri;
  if ((encoding & 0x80) && !read_string(reader, namespace_uri)) return false;
  if (encoding & 0x40) reader.skip(4);  // server index
  return reader.ok();
}

bool skip_request_header(ByteReader& reader) {
  NodeId token;
  if (!read_node_id(reader, token)) return false;
  reader.skip(8 + 4 + 4);  // timestamp, request handle, return diagnostics
  std::string_view audit_entry;
  if (!read_string(reader, audit_entry)) return false;
  reader.skip(4);  // timeout hint
  return skip_extension_object(reader);
}

bool read_response_header(ByteReader& reader, uint32_t& service_result) {
  reader.skip(8 + 4);  // timestamp, request handle
  service_result = reader.le32();
  if (!reader.ok() || !skip_diagnostic_info(reader, 0)) return false;
  if (!skip_string_array(reader)) return false;
  return skip_extension_object(reader);
}

bool read_application_description(ByteReader& reader, ApplicationDescription& out) {
  if (!read_string(reader, out.application_uri) || !read_string(reader, out.product_uri)) return false;
  if (!skip_localized_text(reader, &out.application_name)) return false;
  reader.skip(4);  // application type
  std::string_view gateway, discovery_profile;
  if (!read_string(reader, gateway) || !read_string(reader, discovery_profile)) return false;
  return skip_string_array(reader);
}

bool parse_hello(Bytes body, Hello& out) {
  ByteReader reader(body);
  if (!parse_acknowledge(body, out)) return false;
  reader.skip(20);
  return read_string(reader, out.endpoint_url);
}

bool parse_acknowledge(Bytes body, Hello& out) {
  ByteReader reader(body);
  out.protocol_version = reader.le32();
  out.receive_buffer_size = reader.le32();
  out.send_buffer_size = reader.le32();
  out.max_message_size = reader.le32();
  out.max_chunk_count = reader.le32();
  return reader.ok();
}

bool parse_error(Bytes body, ErrorMessage& out) {
  ByteReader reader(body);
  out.error = reader.le32();
  return reader.ok() && read_string(reader, out.reason);
}

bool parse_open_channel(Bytes body, OpenChannel& out) {
  ByteReader reader(body);
  out.channel_id = reader.le32();
  if (!read_string(reader, out.policy_uri)) return false;
  std::string_view certificate, thumbprint;
  if (!read_string(reader, certificate) || !read_string(reader, thumbprint)) return false;
  out.has_certificate = !certificate.empty();
  out.plain = out.policy_uri == kPolicyNone;
  if (!out.plain) return true;  // the rest is encrypted with the receiver's public key
  out.sequence_number = reader.le32();
  out.request_id = reader.le32();
  if (!read_node_id(reader, out.service)) return false;
  if (out.service.ns != 0 || out.service.numeric != kOpenSecureChannelRequest) return true;
  if (!skip_request_header(reader)) return false;
  reader.skip(4 + 4);  // client protocol version, request type (issue / renew)
  out.security_mode = reader.le32();
  return reader.ok();
}

bool parse_secure_header(ByteReader& reader, SecureHeader& out) {
  out.channel_id = reader.le32();
  out.token_id = reader.le32();
  out.sequence_number = reader.le32();
  out.request_id = reader.le32();
  return reader.ok();
}

bool parse_service_body(uint32_t service, ByteReader& reader, ServiceDetails& out) {
  const ServiceInfo* info = find_service(service);
  if (info == nullptr) return true;
  if (service == info->response_id) {
    if (!read_response_header(reader, out.service_result)) return false;
    out.has_result = true;
  } else if (!skip_request_header(reader)) {
    return false;
  }
  switch (service) {
    case kCreateSessionRequest:
      if (!read_application_description(reader, out.description)) return false;
      out.has_description = true;
      {
        std::string_view server_uri;
        return read_string(reader, server_uri) && read_string(reader, out.endpoint_url);
      }
    case kGetEndpointsResponse:
      return read_first_endpoint(reader, out);
    case kCreateSessionResponse: {
      NodeId session_id, token;
      if (!read_node_id(reader, session_id) || !read_node_id(reader, token)) return false;
      reader.skip(8);  // revised session timeout
      if (!skip_byte_string(reader) || !skip_byte_string(reader)) return false;  // nonce, certificate
      return read_first_endpoint(reader, out);
    }
    default:
      return true;
  }
}

std::string_view policy_name(std::string_view uri) {
  size_t hash = uri.rfind('#');
  return hash == std::string_view::npos ? uri : uri.substr(hash + 1);
}

}  // namespace ots::opcua
