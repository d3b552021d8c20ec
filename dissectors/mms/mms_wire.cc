#include "dissectors/mms/mms_wire.h"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "dissectors/mms/mms_tables.h"

namespace ots::mms {

std::string_view anomaly_name(Anomaly a) {
  switch (a) {
    case Anomaly::None: return "";
    case Anomaly::InvalidTpkt: return "mms.invalid_tpkt";
    case Anomaly::InvalidCotp: return "mms.invalid_cotp";
    case Anomaly::ReassemblyOverflow: return "mms.reassembly_overflow";
    case Anomaly::ResyncFailed: return "mms.resync_failed";
    case Anomaly::InvalidSpdu: return "mms.invalid_spdu";
    case Anomaly::UnknownSpdu: return "mms.unknown_spdu";
    case Anomaly::InvalidPpdu: return "mms.invalid_ppdu";
    case Anomaly::InvalidAcse: return "mms.invalid_acse";
    case Anomaly::InvalidBer: return "mms.invalid_ber";
    case Anomaly::InvalidPdu: return "mms.invalid_pdu";
    case Anomaly::UnknownService: return "mms.unknown_service";
    case Anomaly::UnmatchedResponse: return "mms.unmatched_response";
  }
  return "";
}

namespace {

constexpr uint32_t kUniversalInteger = 2, kUniversalSequence = 16, kUniversalSet = 17, kUniversalExternal = 8,
                   kUniversalObjectId = 6;
constexpr uint8_t kPresentationUserData = 1;  // fully-encoded-data [APPLICATION 1]
constexpr size_t kMaxListItems = 4096;        // items counted in one list (the bytes bound it anyway)

void fail(ByteReader& r) { r.skip(r.remaining() + 1); }

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

// Appends to a text buffer, keeping the result NUL-free and cut at the buffer's size.
class TextBuilder {
 public:
  explicit TextBuilder(std::span<char> buffer) : buffer_(buffer) {}
  void add(std::string_view s) {
    size_t n = std::min(s.size(), buffer_.size() - std::min(buffer_.size(), used_));
    if (n == 0) return;
    std::memcpy(buffer_.data() + used_, s.data(), n);
    used_ += n;
  }
  void add_number(uint32_t v) {
    char digits[10];
    size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    std::reverse(digits, digits + n);
    add({digits, n});
  }
  std::string_view view() const { return {buffer_.data(), used_}; }

 private:
  std::span<char> buffer_;
  size_t used_ = 0;
};

// The first child TLV of a constructed value.
bool first_child(Bytes value, Tlv& out) {
  ByteReader r(value);
  return read_tlv(r, out);
}

size_t read_session_length(ByteReader& r) {
  const uint8_t first = r.u8();
  return first == 0xFF ? r.be16() : first;
}

// PI / PGI units of a session SPDU: code, length, value. Finds User Data (193) or Extended User Data (194).
Anomaly walk_session_parameters(Bytes params, Bytes& user_data) {
  constexpr uint8_t kUserData = 193, kExtendedUserData = 194;
  ByteReader r(params);
  while (!r.empty()) {
    const uint8_t code = r.u8();
    const size_t length = read_session_length(r);
    if ((code == kUserData || code == kExtendedUserData) && length == 0 && !r.empty()) {
      // Some stacks (e.g. the encoder of the public iec61850_read capture) send User Data with
      // length 0 and the PPDU after it, as Wireshark also accepts.
      user_data = r.rest();
      break;
    }
    Bytes value = r.bytes(length);
    if (!r.ok()) return Anomaly::InvalidSpdu;
    if (code == kUserData || code == kExtendedUserData) user_data = value;
  }
  return Anomaly::None;
}

bool known_spdu(uint8_t si) {
  switch (si) {
    case spdu::kNotFinished:
    case spdu::kFinish:
    case spdu::kDisconnect:
    case spdu::kRefuse:
    case spdu::kConnect:
    case spdu::kAccept:
    case spdu::kAbort:
    case spdu::kAbortAccept: return true;
    default: return false;
  }
}

// Fully-encoded-data: SEQUENCE OF PDV-list { transfer-syntax-name?, presentation-context-identifier,
// presentation-data-values CHOICE { single-ASN1-type [0], octet-aligned [1], arbitrary [2] } }.
Anomaly parse_fully_encoded(Bytes value, PresentationData& out) {
  ByteReader list(value);
  while (!list.empty() && out.pdv_count < kMaxPdvs) {
    Tlv pdv;
    if (!read_tlv(list, pdv)) return Anomaly::InvalidBer;
    if (!pdv.is(ber::kUniversal, kUniversalSequence)) return Anomaly::InvalidPpdu;
    ByteReader fields(pdv.value);
    bool has_context = false, has_data = false;
    while (!fields.empty()) {
      Tlv field;
      if (!read_tlv(fields, field)) return Anomaly::InvalidBer;
      if (field.is(ber::kUniversal, kUniversalInteger)) {
        has_context = true;
      } else if (field.cls == ber::kContext && field.tag <= 1 && !has_data) {
        // single-ASN1-type holds the APDU's encoding; octet-aligned the same bytes as an octet string.
        out.pdvs[out.pdv_count] = field.value;
        has_data = true;
      }
    }
    if (!has_context || !has_data) return Anomaly::InvalidPpdu;
    ++out.pdv_count;
  }
  return Anomaly::None;
}

bool identifier(const Tlv& t, std::string_view& out) {
  out = as_chars(t.value);
  return !t.constructed && !out.empty() && printable(out);
}

// VariableAccessSpecification: listOfVariable [0] SEQUENCE OF { variableSpecification, … } or
// variableListName [1] ObjectName.
Anomaly describe_variable_access(const Tlv& vas, std::span<char> buffer, ServiceSummary& out) {
  if (vas.is_context(1)) {
    Tlv name;
    if (!first_child(vas.value, name)) return Anomaly::InvalidBer;
    out.object = format_object_name(name, buffer);
    out.count = 1;
    return Anomaly::None;
  }
  if (!vas.is_context(0) || !vas.constructed) return Anomaly::InvalidPdu;
  ByteReader items(vas.value);
  while (!items.empty() && out.count < kMaxListItems) {
    Tlv item;
    if (!read_tlv(items, item)) return Anomaly::InvalidBer;
    if (out.count++ != 0) continue;
    Tlv specification, name;
    if (!first_child(item.value, specification)) return Anomaly::InvalidBer;
    if (specification.is_context(0)) {  // name [0] ObjectName
      if (!first_child(specification.value, name)) return Anomaly::InvalidBer;
      out.object = format_object_name(name, buffer);
    }
  }
  return Anomaly::None;
}

// A list of AccessResult / write results: failure [0] DataAccessError vs. success.
Anomaly count_results(Bytes list, ServiceSummary& out) {
  ByteReader r(list);
  while (!r.empty() && out.count < kMaxListItems) {
    Tlv result;
    if (!read_tlv(r, result)) return Anomaly::InvalidBer;
    ++out.count;
    if (result.is_context(0) && !result.constructed) ++out.failures;
  }
  return Anomaly::None;
}

}  // namespace

// ---- BER --------------------------------------------------------------------------------------------

bool read_tlv(ByteReader& r, Tlv& out) {
  out = Tlv{};
  const uint8_t first = r.u8();
  if (!r.ok()) return false;
  out.cls = first >> 6;
  out.constructed = (first & 0x20) != 0;
  uint32_t tag = first & 0x1F;
  if (tag == 0x1F) {  // high tag number: base-128, at most 4 bytes
    tag = 0;
    for (int i = 0;; ++i) {
      const uint8_t b = r.u8();
      tag = tag << 7 | (b & 0x7F);
      if (!(b & 0x80)) break;
      if (i == 3) {
        fail(r);
        return false;
      }
    }
  }
  out.tag = tag;
  const uint8_t l = r.u8();
  size_t length = l;
  if (l == 0x80) {  // indefinite length: not used by MMS stacks, refused
    fail(r);
    return false;
  }
  if (l > 0x80) {
    const size_t n = l & 0x7F;
    if (n > 4) {
      fail(r);
      return false;
    }
    length = 0;
    for (size_t i = 0; i < n; ++i) length = length << 8 | r.u8();
  }
  out.value = r.bytes(length);
  return r.ok();
}

bool find_tlv(Bytes bytes, uint8_t cls, uint32_t tag, Tlv& out) {
  ByteReader r(bytes);
  while (!r.empty()) {
    if (!read_tlv(r, out)) return false;
    if (out.is(cls, tag)) return true;
  }
  return false;
}

bool ber_unsigned(Bytes value, uint32_t& out) {
  if (value.empty() || value.size() > 5 || (value.size() == 5 && value[0] != 0)) return false;
  if (value[0] & 0x80) return false;  // negative
  out = 0;
  for (uint8_t b : value) out = out << 8 | b;
  return true;
}

// ---- Session ----------------------------------------------------------------------------------------

Anomaly parse_spdu(Bytes message, SessionPdu& out) {
  out = SessionPdu{};
  ByteReader r(message);
  const uint8_t si = r.u8();
  size_t li = read_session_length(r);
  if (!r.ok()) return Anomaly::InvalidSpdu;
  if (si == spdu::kDataTransfer) {
    // Give Tokens (category 0) and Data Transfer share code 1; a second 1 is the DT after a GT.
    Bytes params = r.bytes(li);
    if (!r.empty() && r.peek_u8() == spdu::kDataTransfer) {
      r.skip(1);
      li = read_session_length(r);
      params = r.bytes(li);
    }
    if (!r.ok()) return Anomaly::InvalidSpdu;
    Bytes ignored;
    if (Anomaly a = walk_session_parameters(params, ignored); a != Anomaly::None) return a;
    out.type = spdu::kDataTransfer;
    out.user_data = r.rest();
    return Anomaly::None;
  }
  if (!known_spdu(si)) return Anomaly::UnknownSpdu;
  // The same stacks count one byte too many in LI; the parameters end with the message anyway.
  if (li == r.remaining() + 1) li = r.remaining();
  Bytes params = r.bytes(li);
  if (!r.ok()) return Anomaly::InvalidSpdu;
  out.type = si;
  if (Anomaly a = walk_session_parameters(params, out.user_data); a != Anomaly::None) return a;
  if (out.user_data.empty()) out.user_data = r.rest();  // user information after the header
  return Anomaly::None;
}

ProbeResult probe_session_start(Bytes data) {
  constexpr uint8_t kFullyEncoded = 0x61;
  ByteReader r(data);
  const uint8_t si = r.u8();
  if (!r.ok()) return ProbeResult::NeedMoreData;
  if (si == spdu::kConnect || si == spdu::kAccept) {
    size_t li = read_session_length(r);
    if (!r.ok()) return ProbeResult::NeedMoreData;
    if (li < 2) return ProbeResult::NoMatch;
    if (li == r.remaining() + 1) li = r.remaining();  // the off-by-one LI parse_spdu() tolerates
    if (r.remaining() < li) return ProbeResult::NeedMoreData;
    Bytes user_data;
    if (walk_session_parameters(r.bytes(li), user_data) != Anomaly::None || user_data.empty()) {
      return ProbeResult::NoMatch;
    }
    // CP / CPA PPDUs are a SET.
    return user_data[0] == 0x31 ? ProbeResult::Match : ProbeResult::NoMatch;
  }
  if (si != spdu::kDataTransfer) return ProbeResult::NoMatch;
  // GT (LI 0), DT (LI 0), then fully-encoded presentation user data; or DT alone.
  for (int spdus = 0; spdus < 2; ++spdus) {
    const uint8_t li = r.u8();
    const uint8_t next = r.u8();
    if (!r.ok()) return ProbeResult::NeedMoreData;
    if (li != 0) return ProbeResult::NoMatch;
    if (next == kFullyEncoded) return ProbeResult::Match;
    if (next != spdu::kDataTransfer || spdus == 1) return ProbeResult::NoMatch;
  }
  return ProbeResult::NoMatch;
}

// ---- Presentation -----------------------------------------------------------------------------------

Anomaly parse_presentation(Bytes ppdu, bool connect_phase, PresentationData& out) {
  out = PresentationData{};
  ByteReader r(ppdu);
  Tlv top;
  if (!read_tlv(r, top)) return Anomaly::InvalidBer;
  if (!connect_phase) {
    if (!top.is(ber::kApplication, kPresentationUserData) || !top.constructed) return Anomaly::InvalidPpdu;
    out.kind = PresentationData::Kind::UserData;
    return parse_fully_encoded(top.value, out);
  }
  if (top.is(ber::kUniversal, kUniversalSequence)) {  // CPR-PPDU
    out.kind = PresentationData::Kind::ConnectReject;
    return Anomaly::None;
  }
  if (!top.is(ber::kUniversal, kUniversalSet)) return Anomaly::InvalidPpdu;
  // CP / CPA: SET { mode-selector [0], normal-mode-parameters [2] SEQUENCE { …, user-data } }.
  Tlv normal_mode, user_data;
  if (!find_tlv(top.value, ber::kContext, 2, normal_mode)) return Anomaly::InvalidPpdu;
  if (!find_tlv(normal_mode.value, ber::kApplication, kPresentationUserData, user_data)) {
    return Anomaly::InvalidPpdu;
  }
  Tlv context_list;
  const bool proposes_contexts = find_tlv(normal_mode.value, ber::kContext, 4, context_list);
  out.kind = proposes_contexts ? PresentationData::Kind::Connect : PresentationData::Kind::ConnectAccept;
  return parse_fully_encoded(user_data.value, out);
}

// ---- ACSE -------------------------------------------------------------------------------------------

bool is_acse_apdu(Bytes pdv) { return !pdv.empty() && pdv[0] >= 0x60 && pdv[0] <= 0x64; }

Anomaly parse_acse(Bytes pdv, AcseApdu& out) {
  constexpr uint32_t kAareResult = 2, kUserInformation = 30;
  out = AcseApdu{};
  ByteReader r(pdv);
  Tlv apdu;
  if (!read_tlv(r, apdu)) return Anomaly::InvalidBer;
  if (apdu.cls != ber::kApplication || apdu.tag > acse::kAbrt || !apdu.constructed)
    return Anomaly::InvalidAcse;
  out.type = apdu.tag;
  ByteReader fields(apdu.value);
  while (!fields.empty()) {
    Tlv field;
    if (!read_tlv(fields, field)) return Anomaly::InvalidBer;
    if (out.type == acse::kAare && field.is_context(kAareResult)) {
      Tlv result;
      if (!first_child(field.value, result) || !ber_unsigned(result.value, out.result)) {
        return Anomaly::InvalidAcse;
      }
      out.has_result = true;
    } else if (field.is_context(kUserInformation)) {
      // SEQUENCE OF EXTERNAL { direct-reference?, indirect-reference?, encoding CHOICE }.
      Tlv external;
      if (!first_child(field.value, external)) return Anomaly::InvalidBer;
      if (!external.is(ber::kUniversal, kUniversalExternal)) return Anomaly::InvalidAcse;
      ByteReader parts(external.value);
      while (!parts.empty()) {
        Tlv part;
        if (!read_tlv(parts, part)) return Anomaly::InvalidBer;
        if (part.is(ber::kUniversal, kUniversalObjectId) || part.is(ber::kUniversal, kUniversalInteger))
          continue;
        if (part.cls == ber::kContext && part.tag <= 1) out.user_pdu = part.value;
        break;
      }
    }
  }
  return Anomaly::None;
}

// ---- MMS PDUs ---------------------------------------------------------------------------------------

Anomaly parse_mms_pdu(Bytes bytes, MmsPdu& out) {
  out = MmsPdu{};
  ByteReader r(bytes);
  Tlv top;
  if (!read_tlv(r, top)) return Anomaly::InvalidBer;
  if (top.cls != ber::kContext || top.tag > pdu::kConcludeError) return Anomaly::InvalidPdu;
  out.kind = static_cast<uint8_t>(top.tag);
  out.body = top.value;
  switch (out.kind) {
    case pdu::kConfirmedRequest:
    case pdu::kConfirmedResponse:
    case pdu::kUnconfirmed: {
      if (!top.constructed) return Anomaly::InvalidPdu;
      ByteReader fields(top.value);
      while (!fields.empty()) {
        Tlv field;
        if (!read_tlv(fields, field)) return Anomaly::InvalidBer;
        if (field.is(ber::kUniversal, kUniversalInteger) && !out.has_invoke_id &&
            out.kind != pdu::kUnconfirmed) {
          if (!ber_unsigned(field.value, out.invoke_id)) return Anomaly::InvalidPdu;
          out.has_invoke_id = true;
        } else if (field.cls == ber::kContext) {
          out.service = field;
          out.has_service = true;
          break;
        }
      }
      if (out.kind != pdu::kUnconfirmed && !out.has_invoke_id) return Anomaly::InvalidPdu;
      if (out.kind != pdu::kConfirmedResponse && !out.has_service) return Anomaly::InvalidPdu;
      return Anomaly::None;
    }
    case pdu::kConfirmedError:
    case pdu::kReject:
    case pdu::kCancelError: {
      if (!top.constructed) return Anomaly::InvalidPdu;
      Tlv invoke;
      if (find_tlv(top.value, ber::kContext, 0, invoke)) {
        if (!ber_unsigned(invoke.value, out.invoke_id)) return Anomaly::InvalidPdu;
        out.has_invoke_id = true;
      }
      if (out.kind != pdu::kReject && !out.has_invoke_id) return Anomaly::InvalidPdu;
      return Anomaly::None;
    }
    case pdu::kCancelRequest:
    case pdu::kCancelResponse:
      if (top.constructed || !ber_unsigned(top.value, out.invoke_id)) return Anomaly::InvalidPdu;
      out.has_invoke_id = true;
      return Anomaly::None;
    case pdu::kConcludeRequest:
    case pdu::kConcludeResponse: return top.constructed ? Anomaly::InvalidPdu : Anomaly::None;
    default: return top.constructed ? Anomaly::None : Anomaly::InvalidPdu;  // initiate, conclude-Error
  }
}

// ---- Service contents -------------------------------------------------------------------------------

std::string_view format_object_name(const Tlv& name, std::span<char> buffer) {
  TextBuilder text(buffer);
  std::string_view part;
  if (name.is_context(1) && name.constructed) {  // domain-specific { domainId, itemId }
    ByteReader r(name.value);
    Tlv domain, item;
    if (!read_tlv(r, domain) || !read_tlv(r, item)) return {};
    std::string_view domain_text, item_text;
    if (!identifier(domain, domain_text) || !identifier(item, item_text)) return {};
    text.add(domain_text);
    text.add("/");
    text.add(item_text);
  } else if ((name.is_context(0) || name.is_context(2)) && identifier(name, part)) {
    text.add(part);
  }
  return text.view();
}

std::string_view format_file_name(Bytes contents, std::span<char> buffer) {
  TextBuilder text(buffer);
  ByteReader r(contents);
  for (size_t i = 0; !r.empty() && i < kMaxListItems; ++i) {
    Tlv part;
    std::string_view s;
    if (!read_tlv(r, part) || !identifier(part, s)) return {};
    if (i != 0) text.add("/");
    text.add(s);
  }
  return text.view();
}

Anomaly describe_request(const Tlv& service, std::span<char> buffer, ServiceSummary& out) {
  out = ServiceSummary{};
  if (!service.constructed) return Anomaly::None;  // identify, status, fileRead … carry no names
  Tlv first;
  switch (service.tag) {
    case service::kRead: {
      Tlv wrapper, vas;  // variableAccessSpecification [1] (explicit: the CHOICE is tagged)
      if (!find_tlv(service.value, ber::kContext, 1, wrapper)) return Anomaly::InvalidPdu;
      if (!first_child(wrapper.value, vas)) return Anomaly::InvalidBer;
      return describe_variable_access(vas, buffer, out);
    }
    case service::kWrite:
      if (!first_child(service.value, first)) return Anomaly::InvalidBer;
      return describe_variable_access(first, buffer, out);
    case service::kGetVariableAccessAttributes: {
      Tlv name;
      if (!first_child(service.value, first)) return Anomaly::InvalidBer;
      if (first.is_context(0)) {
        if (!first_child(first.value, name)) return Anomaly::InvalidBer;
        out.object = format_object_name(name, buffer);
      }
      return Anomaly::None;
    }
    case service::kDefineNamedVariableList:
    case service::kGetNamedVariableListAttributes: {
      ByteReader fields(service.value);
      if (!read_tlv(fields, first)) return Anomaly::InvalidBer;
      out.object = format_object_name(first, buffer);
      Tlv variables;  // defineNamedVariableList: listOfVariable [0] after the list name
      if (service.tag == service::kDefineNamedVariableList &&
          find_tlv(fields.peek_rest(), ber::kContext, 0, variables)) {
        ByteReader r(variables.value);
        while (!r.empty() && out.count < kMaxListItems) {
          Tlv item;
          if (!read_tlv(r, item)) return Anomaly::InvalidBer;
          ++out.count;
        }
      }
      return Anomaly::None;
    }
    case service::kDeleteNamedVariableList: {
      Tlv names, name;
      if (find_tlv(service.value, ber::kContext, 1, names) && first_child(names.value, name)) {
        out.object = format_object_name(name, buffer);
      }
      return Anomaly::None;
    }
    case service::kGetNameList: {
      Tlv object_class, basic, scope, scope_choice;
      if (!find_tlv(service.value, ber::kContext, 0, object_class) ||
          !first_child(object_class.value, basic)) {
        return Anomaly::InvalidPdu;
      }
      TextBuilder text(buffer);
      if (basic.is_context(0) && ber_unsigned(basic.value, out.object_class)) {
        out.has_object_class = true;
        if (out.object_class < std::size(kObjectClasses)) {
          text.add(kObjectClasses[out.object_class]);
        } else {
          text.add("class ");
          text.add_number(out.object_class);
        }
      }
      if (find_tlv(service.value, ber::kContext, 1, scope) && first_child(scope.value, scope_choice)) {
        std::string_view domain;
        if (scope_choice.is_context(1) && identifier(scope_choice, domain)) {
          text.add(" in ");
          text.add(domain);
        }
      }
      out.object = text.view();
      return Anomaly::None;
    }
    case service::kFileOpen:
    case service::kFileDirectory:
    case service::kFileRename:
      if (find_tlv(service.value, ber::kContext, 0, first))
        out.object = format_file_name(first.value, buffer);
      return Anomaly::None;
    case service::kFileDelete: out.object = format_file_name(service.value, buffer); return Anomaly::None;
    case service::kObtainFile:  // the destination file is what the server writes
      if (find_tlv(service.value, ber::kContext, 2, first))
        out.object = format_file_name(first.value, buffer);
      return Anomaly::None;
    default: return Anomaly::None;
  }
}

Anomaly describe_response(const Tlv& service, ServiceSummary& out) {
  out = ServiceSummary{};
  switch (service.tag) {
    case service::kRead: {
      Tlv results;  // listOfAccessResult [1], after an optional variableAccessSpecification [0]
      if (!find_tlv(service.value, ber::kContext, 1, results)) return Anomaly::InvalidPdu;
      return count_results(results.value, out);
    }
    case service::kWrite: return count_results(service.value, out);
    default: return Anomaly::None;
  }
}

Anomaly describe_unconfirmed(const Tlv& service, std::span<char> buffer, ServiceSummary& out) {
  out = ServiceSummary{};
  if (!service.is_context(0) || !service.constructed) return Anomaly::None;  // informationReport only
  Tlv vas;
  if (!first_child(service.value, vas)) return Anomaly::InvalidBer;
  return describe_variable_access(vas, buffer, out);
}

Anomaly parse_identify_response(const Tlv& service, IdentifyResponse& out) {
  out = IdentifyResponse{};
  if (!service.is_context(service::kIdentify) || !service.constructed) return Anomaly::InvalidPdu;
  ByteReader r(service.value);
  while (!r.empty()) {
    Tlv field;
    if (!read_tlv(r, field)) return Anomaly::InvalidBer;
    std::string_view text;
    if (field.cls != ber::kContext || !identifier(field, text)) continue;
    if (field.tag == 0) out.vendor = text;
    if (field.tag == 1) out.model = text;
    if (field.tag == 2) out.revision = text;
  }
  return out.vendor.empty() && out.model.empty() ? Anomaly::InvalidPdu : Anomaly::None;
}

Anomaly parse_initiate(Bytes body, InitiateDetail& out) {
  out = InitiateDetail{};
  ByteReader r(body);
  while (!r.empty()) {
    Tlv field;
    if (!read_tlv(r, field)) return Anomaly::InvalidBer;
    if (field.cls != ber::kContext) continue;
    if (field.tag == 1) ber_unsigned(field.value, out.max_outstanding_calling);
    if (field.tag == 2) ber_unsigned(field.value, out.max_outstanding_called);
    if (field.tag == 4 && field.constructed) {  // mmsInitRequestDetail / mmsInitResponseDetail
      Tlv version;
      if (find_tlv(field.value, ber::kContext, 0, version) && ber_unsigned(version.value, out.version)) {
        out.has_version = true;
      }
    }
  }
  return Anomaly::None;
}

}  // namespace ots::mms
