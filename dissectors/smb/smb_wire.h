// SMB wire grammar: the NetBIOS session service framing (RFC 1002 §4.3, used on TCP 139 and,
// as a 24-bit length, on TCP 445 — MS-SMB2 §2.1), the SMB1 header (MS-CIFS §2.2.3.1) and
// negotiate, the SMB2/3 header (MS-SMB2 §2.2.1) and the bodies of the commands the
// inventory needs. Pure functions over one message; views point into it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::smb {

constexpr size_t kNbssHeaderSize = 4;
constexpr size_t kSmb1HeaderSize = 32;
constexpr size_t kSmb2HeaderSize = 64;
constexpr size_t kMaxCompounded = 16;  // SMB2 messages chained in one PDU
constexpr size_t kMaxDialects = 16;    // dialects kept from a NEGOTIATE request
constexpr size_t kMaxSmb1Dialects = 16;

// NetBIOS session service packet types (RFC 1002 §4.3.1).
namespace nbss {
constexpr uint8_t kSessionMessage = 0x00, kSessionRequest = 0x81, kPositiveResponse = 0x82,
                  kNegativeResponse = 0x83, kRetarget = 0x84, kKeepAlive = 0x85;
constexpr uint32_t kMaxControlLength = 0x1FF;  // session request / responses are small
}  // namespace nbss

// The four-byte protocol ids at the start of an SMB message.
enum class Dialect : uint8_t { None, Smb1, Smb2, Smb2Transform, Smb2Compressed };
Dialect protocol_of(Bytes message);  // None when not an SMB message (or shorter than 4 bytes)

enum class Anomaly : uint8_t {
  None,
  BadNbssType,
  BadProtocolId,
  TruncatedHeader,
  BadStructureSize,
  BufferOverrun,
  BadNextCommand,
  TooManyCompounded,
  NtlmMalformed,
  TruncatedPdu,
  kCount
};
constexpr std::string_view kAnomalyNames[] = {
    "",
    "smb.bad_nbss_type",        // NetBIOS session packet type not in RFC 1002
    "smb.bad_protocol_id",      // a session message that is not \xFFSMB / \xFESMB / \xFDSMB / \xFCSMB
    "smb.truncated_header",     // shorter than its SMB1 / SMB2 header, or header StructureSize not 64
    "smb.bad_structure_size",   // a command body whose StructureSize is not the spec's
    "smb.buffer_overrun",       // an offset/length pointing outside the message
    "smb.bad_next_command",     // an SMB2 compound offset not 8-aligned or outside the PDU
    "smb.too_many_compounded",  // more than kMaxCompounded chained SMB2 messages
    "smb.ntlm_malformed",       // an NTLMSSP message with bad fields
    "smb.truncated_pdu",        // the stream ended inside a PDU
};
static_assert(std::size(kAnomalyNames) == size_t(Anomaly::kCount));
constexpr std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[size_t(a)]; }

// SMB2 commands (MS-SMB2 §2.2.1.2).
namespace cmd {
constexpr uint16_t kNegotiate = 0x00, kSessionSetup = 0x01, kLogoff = 0x02, kTreeConnect = 0x03,
                   kTreeDisconnect = 0x04, kCreate = 0x05, kClose = 0x06, kFlush = 0x07, kRead = 0x08,
                   kWrite = 0x09, kLock = 0x0A, kIoctl = 0x0B, kCancel = 0x0C, kEcho = 0x0D,
                   kQueryDirectory = 0x0E, kChangeNotify = 0x0F, kQueryInfo = 0x10, kSetInfo = 0x11,
                   kOplockBreak = 0x12;
}
struct CommandInfo {
  uint16_t code;
  std::string_view name;
  bool is_write;  // changes files or their metadata on the server
};
constexpr CommandInfo kSmb2Commands[] = {
    {cmd::kNegotiate, "Negotiate", false},
    {cmd::kSessionSetup, "Session Setup", false},
    {cmd::kLogoff, "Logoff", false},
    {cmd::kTreeConnect, "Tree Connect", false},
    {cmd::kTreeDisconnect, "Tree Disconnect", false},
    {cmd::kCreate, "Create", false},
    {cmd::kClose, "Close", false},
    {cmd::kFlush, "Flush", true},
    {cmd::kRead, "Read", false},
    {cmd::kWrite, "Write", true},
    {cmd::kLock, "Lock", false},
    {cmd::kIoctl, "Ioctl", false},
    {cmd::kCancel, "Cancel", false},
    {cmd::kEcho, "Echo", false},
    {cmd::kQueryDirectory, "Query Directory", false},
    {cmd::kChangeNotify, "Change Notify", false},
    {cmd::kQueryInfo, "Query Info", false},
    {cmd::kSetInfo, "Set Info", true},
    {cmd::kOplockBreak, "Oplock Break", false},
};
const CommandInfo* smb2_command(uint16_t code);  // nullptr when unknown

// SMB1 commands worth a name (MS-CIFS §2.2.2.1). Operation codes are kSmb1CodeBase + command.
constexpr uint32_t kSmb1CodeBase = 0x1000;
namespace smb1 {
constexpr uint8_t kNegotiate = 0x72, kSessionSetupAndx = 0x73;
}
constexpr CommandInfo kSmb1Commands[] = {
    {0x00, "SMB1 Create Directory", true},
    {0x01, "SMB1 Delete Directory", true},
    {0x04, "SMB1 Close", false},
    {0x06, "SMB1 Delete", true},
    {0x07, "SMB1 Rename", true},
    {0x25, "SMB1 Trans", false},
    {0x2B, "SMB1 Echo", false},
    {0x2E, "SMB1 Read AndX", false},
    {0x2F, "SMB1 Write AndX", true},
    {0x32, "SMB1 Trans2", false},
    {0x71, "SMB1 Tree Disconnect", false},
    {0x72, "SMB1 Negotiate", false},
    {0x73, "SMB1 Session Setup AndX", false},
    {0x74, "SMB1 Logoff AndX", false},
    {0x75, "SMB1 Tree Connect AndX", false},
    {0xA0, "SMB1 NT Trans", false},
    {0xA2, "SMB1 NT Create AndX", false},
};
constexpr std::string_view kSmb1Unknown = "SMB1 Command";
const CommandInfo* smb1_command(uint8_t code);

// SMB2 dialect revisions (MS-SMB2 §2.2.3).
struct DialectName {
  uint16_t code;
  std::string_view name;
};
constexpr DialectName kDialects[] = {
    {0x0202, "2.0.2"}, {0x0210, "2.1"},   {0x0300, "3.0"},
    {0x0302, "3.0.2"}, {0x0311, "3.1.1"}, {0x02FF, "2.???"},
};
std::string_view dialect_name(uint16_t code);  // "" when unknown

// NTSTATUS values (MS-ERREF §2.3.1) that name why a request failed.
namespace status {
constexpr uint32_t kSuccess = 0, kPending = 0x00000103, kMoreProcessingRequired = 0xC0000016,
                   kLogonFailure = 0xC000006D;
}
struct StatusName {
  uint32_t code;
  std::string_view name;
};
constexpr StatusName kStatusNames[] = {
    {0xC000000D, "STATUS_INVALID_PARAMETER"},       {0xC000000F, "STATUS_NO_SUCH_FILE"},
    {0xC0000022, "STATUS_ACCESS_DENIED"},           {0xC0000034, "STATUS_OBJECT_NAME_NOT_FOUND"},
    {0xC0000035, "STATUS_OBJECT_NAME_COLLISION"},   {0xC000003A, "STATUS_OBJECT_PATH_NOT_FOUND"},
    {0xC0000043, "STATUS_SHARING_VIOLATION"},       {0xC0000064, "STATUS_NO_SUCH_USER"},
    {0xC000006A, "STATUS_WRONG_PASSWORD"},          {0xC000006D, "STATUS_LOGON_FAILURE"},
    {0xC000006E, "STATUS_ACCOUNT_RESTRICTION"},     {0xC000006F, "STATUS_INVALID_LOGON_HOURS"},
    {0xC0000070, "STATUS_INVALID_WORKSTATION"},     {0xC0000071, "STATUS_PASSWORD_EXPIRED"},
    {0xC0000072, "STATUS_ACCOUNT_DISABLED"},        {0xC00000BA, "STATUS_FILE_IS_A_DIRECTORY"},
    {0xC00000BB, "STATUS_NOT_SUPPORTED"},           {0xC00000CC, "STATUS_BAD_NETWORK_NAME"},
    {0xC0000193, "STATUS_ACCOUNT_EXPIRED"},         {0xC0000203, "STATUS_USER_SESSION_DELETED"},
    {0xC0000224, "STATUS_PASSWORD_MUST_CHANGE"},    {0xC0000234, "STATUS_ACCOUNT_LOCKED_OUT"},
    {0xC000035C, "STATUS_NETWORK_SESSION_EXPIRED"},
};
std::string_view status_name(uint32_t code);  // "" when not in the table
// Error severity, except the one "error" that only means "continue the exchange".
constexpr bool is_error_status(uint32_t code) {
  return (code >> 30) == 3 && code != status::kMoreProcessingRequired;
}

struct Smb1Message {
  uint8_t command = 0;
  uint32_t status = 0;
  bool is_response = false;
  // Negotiate request: the dialect strings (each NUL-terminated on the wire).
  std::array<std::string_view, kMaxSmb1Dialects> dialects{};
  size_t dialect_count = 0;
  Bytes data;  // the byte block after the parameter words (security blobs live here)
};
Anomaly parse_smb1(Bytes message, Smb1Message& out);

struct Smb2Message {
  // Header.
  uint16_t command = 0;
  uint32_t status = 0;
  bool is_response = false;
  uint32_t next_command = 0;
  uint64_t message_id = 0;
  uint64_t session_id = 0;
  uint32_t tree_id = 0;
  // NEGOTIATE request: offered dialects. Response: chosen dialect and server GUID.
  std::array<uint16_t, kMaxDialects> dialects{};
  size_t dialect_count = 0;
  uint16_t dialect = 0;
  std::array<uint8_t, 16> server_guid{};
  bool has_server_guid = false;
  Bytes security_buffer;  // SESSION_SETUP (either direction)
  Bytes path;             // TREE_CONNECT request share path, CREATE request file name (UTF-16LE)
  uint64_t offset = 0;    // READ / WRITE request
  uint32_t length = 0;
  bool has_range = false;
  bool error_body = false;  // an error response (MS-SMB2 §2.2.2) instead of the command's body
};
// Parses one SMB2 message at the front of `message` (which may hold compounded followers).
// `prefix_only`: the PDU was cut to its first bytes, so bodies may legitimately be short.
Anomaly parse_smb2(Bytes message, bool prefix_only, Smb2Message& out);

// RFC 1001 §14.1 first-level decoding of a NetBIOS name in a session request:
// 32 half-ASCII characters → 15-character name (trailing spaces trimmed) + suffix.
struct NetbiosName {
  std::array<char, 15> storage{};
  size_t length = 0;
  uint8_t suffix = 0;
  std::string_view name() const { return {storage.data(), length}; }
};
// Reads one encoded name (length byte 0x20, 32 characters, scope labels, 0) from `r`.
bool read_netbios_name(ByteReader& r, NetbiosName& out);

}  // namespace ots::smb
