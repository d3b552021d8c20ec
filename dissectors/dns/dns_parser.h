// DNS wire grammar (RFC 1035; also mDNS RFC 6762, LLMNR RFC 4795 and the NetBIOS name service,
// RFC 1002, which share it): a pure parser of one message. Names are decoded into fixed buffers,
// following compression pointers only backwards and at most kMaxPointerJumps times (loop-safe).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "core/net_types.h"

namespace ots::dns {

constexpr size_t kHeaderSize = 12;
constexpr size_t kMaxNameLength = 255;  // presentation form, RFC 1035 §2.3.4
constexpr size_t kMaxPointerJumps = 16;
constexpr size_t kMaxRecords = 256;     // questions + all resource records in one message

namespace rrtype {
constexpr uint16_t kA = 1, kNs = 2, kCname = 5, kPtr = 12, kTxt = 16, kAaaa = 28, kSrv = 33, kAny = 255;
constexpr uint16_t kNb = 32, kNbstat = 33;  // NetBIOS (RFC 1002 §4.2.1.3): same numbers as NIMLOC/SRV
}

namespace opcode {
constexpr uint8_t kQuery = 0, kInverseQuery = 1, kStatus = 2, kNotify = 4, kUpdate = 5;
}

enum class Anomaly : uint8_t { None, TruncatedHeader, TooManyRecords, BadName, PointerLoop, TruncatedRecord, BadRdata, kCount };
constexpr std::string_view kAnomalyNames[] = {
    "",
    "dns.truncated_header",   // fewer than 12 bytes
    "dns.too_many_records",   // header counts add up to more than kMaxRecords
    "dns.bad_name",           // reserved label type, or a name longer than 255 characters
    "dns.pointer_loop",       // a compression pointer that does not point backwards, or too many jumps
    "dns.truncated_record",   // a question or record runs past the message
    "dns.bad_rdata",          // A/AAAA of the wrong size, or a name in RDATA that does not parse
};
static_assert(std::size(kAnomalyNames) == size_t(Anomaly::kCount));
// The protocol prefix is replaced by callers that reuse the grammar (nbns.*).
constexpr std::string_view anomaly_name(Anomaly a) { return kAnomalyNames[size_t(a)]; }

struct Header {
  uint16_t id = 0, flags = 0;
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  bool response() const { return flags & 0x8000; }
  uint8_t opcode() const { return (flags >> 11) & 0x0F; }
  uint8_t rcode() const { return flags & 0x0F; }
};

struct Name {
  std::array<char, kMaxNameLength> text{};
  size_t length = 0;
  std::string_view view() const { return {text.data(), length}; }
};

enum class Section : uint8_t { Question, Answer, Authority, Additional };

struct Record {
  Section section = Section::Question;
  Name name;
  uint16_t type = 0, rclass = 0;
  uint32_t ttl = 0;
  Bytes rdata;  // empty for questions
  // Decoded RDATA of the types the dissectors use.
  bool has_address = false;  // A, AAAA
  IpAddr address;
  bool has_target = false;  // CNAME, NS, PTR, SRV target
  Name target;
  uint16_t port = 0;  // SRV
};

class Visitor {
 public:
  virtual ~Visitor() = default;
  virtual void record(const Record& record) = 0;
};

// Decodes the name at `offset` in `message` (dotted form, root = ""), advancing `offset` past it.
Anomaly read_name(Bytes message, size_t& offset, Name& out);

// NetBIOS gives type 33 another meaning (NBSTAT instead of SRV).
enum class Dialect : uint8_t { Dns, Netbios };

// Parses a whole message, calling visitor->record() for every question and resource record in order.
// `scratch` is reused for each record (large: it holds two names). Returns the first failure.
Anomaly parse(Bytes message, Header& header, Visitor* visitor, Record& scratch, Dialect dialect = Dialect::Dns);

// Header sanity for probes: known opcode, a question or a record, and counts within kMaxRecords.
bool plausible_header(const Header& header);
bool read_header(Bytes message, Header& header);

// A NetBIOS first-level encoded name (RFC 1001 §14.1): a first label of 32 characters 'A'…'P'.
bool is_netbios_encoded(std::string_view name);

}  // namespace ots::dns
