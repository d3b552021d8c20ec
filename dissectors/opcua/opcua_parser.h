// OPC UA binary protocol (UA Connection Protocol + UA Secure Conversation, OPC 10000-6 §6-7):
// the stateless wire grammar. Everything is little-endian. A message chunk starts with an
// 8-byte header: 3-byte ASCII message type, 1-byte chunk type ('F' final, 'C' intermediate,
// 'A' abort), 4-byte chunk size (header included).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::opcua {

constexpr size_t kHeaderSize = 8;
// Largest chunk accepted. Chunks are bounded by the negotiated buffer sizes (open62541 and the
// .NET stack default to 64 KiB, the spec minimum is 8 KiB); 16 MiB leaves ample headroom.
constexpr uint32_t kMaxChunkSize = 16u << 20;
// Only the first kMaxParsedPrefix bytes of a chunk are buffered and parsed; the rest is
// skipped. Identities (application descriptions) sit well inside it, after at most one
// certificate.
constexpr size_t kMaxParsedPrefix = 16384;
// Elements walked in one array (discovery URLs, string table) before giving up.
constexpr uint32_t kMaxArrayElements = 64;

enum class MessageType : uint8_t { Hello, Acknowledge, Error, ReverseHello, OpenChannel, Message, CloseChannel };

enum class Anomaly : uint8_t {
  None,
  InvalidHeader,        // unknown message type or chunk type
  InvalidSize,          // chunk size below the type's minimum or above kMaxChunkSize
  MalformedBody,        // a field runs past the end of a complete chunk
  UnexpectedDirection,  // Hello / OpenSecureChannel request from the server, Acknowledge from the client
  TruncatedMessage,     // the stream ended inside a chunk
  kCount
};
std::string_view anomaly_name(Anomaly a);

struct Header {
  MessageType type = MessageType::Message;
  char chunk_type = 'F';
  uint32_t size = 0;
};

enum class HeaderStatus : uint8_t { Ok, NeedMoreData, Invalid };
struct HeaderResult {
  HeaderStatus status = HeaderStatus::NeedMoreData;
  Header header;
  Anomaly anomaly = Anomaly::None;
};
HeaderResult parse_header(Bytes stream);
// Match for a valid chunk header, NeedMoreData below 8 bytes, NoMatch otherwise.
ProbeResult probe_header(Bytes stream);

// Services (OPC 10000-4 §5), keyed by the numeric ids of their *_Encoding_DefaultBinary
// nodes in namespace 0 (OPC UA NodeIds.csv).
struct ServiceInfo {
  uint32_t request_id;
  uint32_t response_id;
  std::string_view name;
  bool is_write;  // changes values, the address space or calls methods
};
constexpr uint32_t kServiceFault = 397;
constexpr uint32_t kOpenSecureChannelRequest = 446;
constexpr uint32_t kOpenSecureChannelResponse = 449;
constexpr uint32_t kCloseSecureChannelRequest = 452;
constexpr uint32_t kGetEndpointsRequest = 428;
constexpr uint32_t kGetEndpointsResponse = 431;
constexpr uint32_t kCreateSessionRequest = 461;
constexpr uint32_t kCreateSessionResponse = 464;
// The entry whose request or response id is `id`, or nullptr.
const ServiceInfo* find_service(uint32_t id);

struct NodeId {
  uint16_t ns = 0;
  uint32_t numeric = 0;
  bool is_numeric = false;
};

struct ApplicationDescription {
  std::string_view application_uri;
  std::string_view product_uri;
  std::string_view application_name;  // the text of the LocalizedText
};

// Field readers over the OPC UA built-in types. They return false (and leave the reader
// failed or positioned anywhere) when the field does not fit.
bool read_string(ByteReader& reader, std::string_view& out);  // a null string reads as empty
bool skip_byte_string(ByteReader& reader);
bool read_node_id(ByteReader& reader, NodeId& out);  // also accepts the ExpandedNodeId flags
bool skip_request_header(ByteReader& reader);
bool read_response_header(ByteReader& reader, uint32_t& service_result);
bool read_application_description(ByteReader& reader, ApplicationDescription& out);

struct Hello {
  uint32_t protocol_version = 0, receive_buffer_size = 0, send_buffer_size = 0;
  uint32_t max_message_size = 0, max_chunk_count = 0;
  std::string_view endpoint_url;
};
struct ErrorMessage {
  uint32_t error = 0;
  std::string_view reason;
};
// The asymmetric security header of an OpenSecureChannel chunk and, when the policy is None
// (the body is plain), the sequence header, service id and security mode of the request.
struct OpenChannel {
  uint32_t channel_id = 0;
  std::string_view policy_uri;
  bool has_certificate = false;
  bool plain = false;  // policy None
  uint32_t sequence_number = 0, request_id = 0;
  NodeId service;
  uint32_t security_mode = 0;  // OpenSecureChannelRequest: 1 None, 2 Sign, 3 SignAndEncrypt
};
// MSG / CLO: symmetric security header and sequence header; the body follows.
struct SecureHeader {
  uint32_t channel_id = 0, token_id = 0, sequence_number = 0, request_id = 0;
};

// Each parser reads the chunk after the 8-byte header; false when a field does not fit.
bool parse_hello(Bytes body, Hello& out);
bool parse_acknowledge(Bytes body, Hello& out);  // the same fields without the URL
bool parse_error(Bytes body, ErrorMessage& out);
bool parse_open_channel(Bytes body, OpenChannel& out);
bool parse_secure_header(ByteReader& reader, SecureHeader& out);

// What a service body reveals: the service result of responses and, for GetEndpoints /
// CreateSession, the application description of the side that describes itself.
struct ServiceDetails {
  bool has_result = false;
  uint32_t service_result = 0;
  bool has_description = false;
  ApplicationDescription description;
  std::string_view endpoint_url;
};
// Parses the body after the service NodeId. Returns false when a parsed field does not fit.
bool parse_service_body(uint32_t service, ByteReader& reader, ServiceDetails& out);

// "None" for ".../SecurityPolicy#None"; the whole URI when it has no fragment.
std::string_view policy_name(std::string_view uri);
constexpr std::string_view kPolicyNone = "http://opcfoundation.org/UA/SecurityPolicy#None";

}  // namespace ots::opcua
