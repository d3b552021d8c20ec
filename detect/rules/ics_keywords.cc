#include "detect/rules/ics_keywords.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "dissectors/dnp3/dnp3_parser.h"
#include "dissectors/enip/enip_parser.h"
#include "dissectors/enip/enip_tables.h"
#include "dissectors/modbus/modbus_parser.h"

namespace ots::detect::rules {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits on ',' (no quoting in these keyword values).
std::vector<std::string_view> split_commas(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    parts.push_back(trim(s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return parts;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---- Protocol tables (names as Suricata / Snort spell them) ----

struct Dnp3FunctionName {
  uint8_t code;
  std::string_view name;
};
constexpr Dnp3FunctionName kDnp3Functions[] = {
    {0, "confirm"},         {1, "read"},
    {2, "write"},           {3, "select"},
    {4, "operate"},         {5, "direct_operate"},
    {6, "direct_operate_nr"}, {7, "immed_freeze"},
    {8, "immed_freeze_nr"}, {9, "freeze_clear"},
    {10, "freeze_clear_nr"}, {11, "freeze_at_time"},
    {12, "freeze_at_time_nr"}, {13, "cold_restart"},
    {14, "warm_restart"},   {15, "initialize_data"},
    {16, "initialize_appl"}, {17, "start_appl"},
    {18, "stop_appl"},      {19, "save_config"},
    {20, "enable_unsolicited"}, {21, "disable_unsolicited"},
    {22, "assign_class"},   {23, "delay_measure"},
    {24, "record_current_time"}, {25, "open_file"},
    {26, "close_file"},     {27, "delete_file"},
    {28, "get_file_info"},  {29, "authenticate_file"},
    {30, "abort_file"},     {31, "activate_config"},
    {32, "authenticate_req"}, {33, "authenticate_err"},
    {129, "response"},      {130, "unsolicited_response"},
    {131, "authenticate_resp"},
};

// IIN bit numbers in our layout (IIN1 bits 0–7, IIN2 bits 8–15).
struct IinName {
  std::string_view name;
  unsigned bit;
};
constexpr IinName kIinNames[] = {
    {"all_stations", 0},          {"class_1_events", 1},     {"class_2_events", 2},
    {"class_3_events", 3},        {"need_time", 4},          {"local_control", 5},
    {"device_trouble", 6},        {"defice_trouble", 6},  // the Snort manual's spelling
    {"device_restart", 7},        {"no_func_code_support", 8}, {"object_unknown", 9},
    {"parameter_error", 10},      {"event_buffer_overflow", 11}, {"already_executing", 12},
    {"config_corrupt", 13},       {"reserved_2", 14},        {"reserved_1", 15},
};

// Modbus function categories (Modbus Application Protocol V1.1b3, §5 and Suricata's classes).
bool modbus_user_defined(uint8_t fc) { return (fc >= 65 && fc <= 72) || (fc >= 100 && fc <= 110); }
bool modbus_reserved(uint8_t fc) {
  switch (fc) {
    case 9: case 10: case 13: case 14: case 41: case 42: case 90: case 91: case 125: case 126: case 127:
      return true;
    default:
      return false;
  }
}
bool modbus_public(uint8_t fc) { return fc >= 1 && fc <= 127 && !modbus_user_defined(fc) && !modbus_reserved(fc); }
bool modbus_assigned(uint8_t fc) {
  switch (fc) {
    case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 11: case 12: case 15: case 16:
    case 17: case 20: case 21: case 22: case 23: case 24: case 43:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool IntMatch::overlaps(uint64_t lo, uint64_t hi) const {
  switch (op) {
    case Op::Eq: return a >= lo && a <= hi;
    case Op::Ne: return !(lo == a && hi == a);
    case Op::Lt: return lo < a;
    case Op::Le: return lo <= a;
    case Op::Gt: return hi > a;
    case Op::Ge: return hi >= a;
    case Op::RangeExclusive: return b > a + 1 && lo < b && hi > a;
    case Op::RangeInclusive: return lo <= b && hi >= a;
  }
  return false;
}

bool parse_uint(std::string_view text, uint64_t max, uint64_t& out) {
  text = trim(text);
  if (text.empty()) return false;
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  uint64_t value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return false;
    }
    if (static_cast<uint64_t>(digit) > max ||
        value > (max - static_cast<uint64_t>(digit)) / static_cast<uint64_t>(base)) {
      return false;
    }
    value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
  }
  out = value;
  return true;
}

std::string parse_int_match(std::string_view text, uint64_t max, IntMatch& out) {
  text = trim(text);
  auto number = [&](std::string_view t, uint64_t& v) { return parse_uint(t, max, v); };
  auto bad = [&] { return "bad number or comparison '" + std::string(text) + "'"; };
  if (size_t range = text.find("<>"); range != std::string_view::npos) {
    out.op = IntMatch::Op::RangeExclusive;
    if (!number(text.substr(0, range), out.a) || !number(text.substr(range + 2), out.b)) return bad();
    if (out.a >= out.b) return "empty range '" + std::string(text) + "'";
    return "";
  }
  struct Prefix {
    std::string_view text;
    IntMatch::Op op;
  };
  constexpr Prefix kPrefixes[] = {{"<=", IntMatch::Op::Le}, {">=", IntMatch::Op::Ge}, {"!=", IntMatch::Op::Ne},
                                  {"<", IntMatch::Op::Lt},  {">", IntMatch::Op::Gt},  {"!", IntMatch::Op::Ne},
                                  {"=", IntMatch::Op::Eq}};
  for (const Prefix& prefix : kPrefixes) {
    if (text.starts_with(prefix.text)) {
      out.op = prefix.op;
      return number(text.substr(prefix.text.size()), out.a) ? "" : bad();
    }
  }
  if (size_t dash = text.find('-'); dash != std::string_view::npos && dash > 0) {
    out.op = IntMatch::Op::RangeInclusive;
    if (!number(text.substr(0, dash), out.a) || !number(text.substr(dash + 1), out.b)) return bad();
    if (out.a > out.b) return "empty range '" + std::string(text) + "'";
    return "";
  }
  out.op = IntMatch::Op::Eq;
  return number(text, out.a) ? "" : bad();
}

std::string parse_modbus_keyword(std::string_view value, ModbusCondition& out) {
  using FK = ModbusCondition::FunctionKind;
  for (std::string_view part : split_commas(value)) {
    size_t space = part.find_first_of(" \t");
    std::string key = lower(part.substr(0, space));
    std::string_view arg = space == std::string_view::npos ? std::string_view{} : trim(part.substr(space));
    if (key == "function") {
      if (out.function != FK::None) return "modbus: 'function' given twice";
      if (arg.starts_with('!')) {
        out.function_negated = true;
        arg = trim(arg.substr(1));
      }
      std::string name = lower(arg);
      constexpr std::pair<std::string_view, FK> kCategories[] = {
          {"assigned", FK::Assigned}, {"unassigned", FK::Unassigned}, {"public", FK::Public},
          {"user", FK::User},         {"reserved", FK::Reserved},     {"all", FK::All}};
      for (const auto& [category, kind] : kCategories) {
        if (name == category) out.function = kind;
      }
      if (out.function == FK::None) {
        uint64_t code = 0;
        if (!parse_uint(arg, 255, code)) return "modbus: unknown function '" + std::string(arg) + "'";
        out.function = FK::Code;
        out.function_code = static_cast<uint8_t>(code);
      }
    } else if (key == "subfunction") {
      uint64_t sub = 0;
      if (!parse_uint(arg, 65535, sub)) return "modbus: bad subfunction '" + std::string(arg) + "'";
      out.has_subfunction = true;
      out.subfunction = static_cast<uint16_t>(sub);
    } else if (key == "access") {
      if (out.access != ModbusCondition::Access::None) return "modbus: 'access' given twice";
      std::string words = lower(arg);
      std::string_view rest = words;
      size_t gap = rest.find_first_of(" \t");
      std::string_view kind = rest.substr(0, gap);
      std::string_view table = gap == std::string_view::npos ? std::string_view{} : trim(rest.substr(gap));
      if (kind == "read") {
        out.access = ModbusCondition::Access::Read;
      } else if (kind == "write") {
        out.access = ModbusCondition::Access::Write;
      } else {
        return "modbus: access must be read or write, not '" + std::string(kind) + "'";
      }
      using T = ModbusCondition::Table;
      if (table.empty()) {
        out.table = T::Any;
      } else if (table == "discretes") {
        out.table = T::Discretes;
      } else if (table == "coils") {
        out.table = T::Coils;
      } else if (table == "input") {
        out.table = T::Input;
      } else if (table == "holding") {
        out.table = T::Holding;
      } else {
        return "modbus: unknown table '" + std::string(table) + "'";
      }
      if (out.access == ModbusCondition::Access::Write && (out.table == T::Discretes || out.table == T::Input)) {
        return "modbus: discretes and input registers are read-only";
      }
    } else if (key == "address" || key == "value" || key == "unit") {
      IntMatch match;
      if (std::string error = parse_int_match(arg, 65535, match); !error.empty()) return "modbus: " + error;
      if (key == "address") out.address = match;
      if (key == "value") out.value = match;
      if (key == "unit") out.unit = match;
    } else {
      return "modbus: unknown setting '" + std::string(part) + "'";
    }
  }
  if (out.has_subfunction && out.function != FK::Code) return "modbus: subfunction needs a function code";
  if ((out.address || out.value) && out.access == ModbusCondition::Access::None) {
    return "modbus: address / value need an access setting";
  }
  if (out.value && out.access != ModbusCondition::Access::Write) return "modbus: value needs write access";
  if (out.function != FK::None && out.access != ModbusCondition::Access::None) {
    return "modbus: function and access cannot be combined";
  }
  if (out.function == FK::None && out.access == ModbusCondition::Access::None && !out.unit) {
    return "modbus: needs function, access or unit";
  }
  return "";
}

std::string parse_dnp3_func(std::string_view value, uint8_t& out) {
  std::string name = lower(trim(value));
  for (const auto& entry : kDnp3Functions) {
    if (entry.name == name) {
      out = entry.code;
      return "";
    }
  }
  uint64_t code = 0;
  if (!parse_uint(name, 255, code)) return "dnp3_func: unknown function '" + std::string(value) + "'";
  out = static_cast<uint8_t>(code);
  return "";
}

std::string parse_dnp3_ind(std::string_view value, uint16_t& mask) {
  mask = 0;
  for (std::string_view part : split_commas(value)) {
    std::string name = lower(part);
    auto it = std::find_if(std::begin(kIinNames), std::end(kIinNames), [&](const IinName& n) { return n.name == name; });
    if (it == std::end(kIinNames)) return "dnp3_ind: unknown flag '" + std::string(part) + "'";
    mask = static_cast<uint16_t>(mask | (1u << it->bit));
  }
  return "";
}

std::string parse_dnp3_obj(std::string_view value, std::pair<uint8_t, uint8_t>& out) {
  auto parts = split_commas(value);
  uint64_t group = 0, variation = 0;
  if (parts.size() != 2 || !parse_uint(parts[0], 255, group) || !parse_uint(parts[1], 255, variation)) {
    return "dnp3_obj: expected <group>,<variation>, got '" + std::string(value) + "'";
  }
  out = {static_cast<uint8_t>(group), static_cast<uint8_t>(variation)};
  return "";
}

std::string parse_enip_command(std::string_view value, IntMatch& out) {
  std::string error = parse_int_match(value, 65535, out);
  return error.empty() ? "" : "enip_command: " + error;
}

std::string parse_cip_service(std::string_view value, CipServiceCondition& out) {
  auto parts = split_commas(value);
  uint64_t number = 0;
  if (parts.empty() || parts.size() > 3 || !parse_uint(parts[0], 255, number)) {
    return "cip_service: expected <service>[,<class>[,<attribute>]], got '" + std::string(value) + "'";
  }
  out.service = static_cast<uint8_t>(number);
  if (parts.size() >= 2) {
    if (!parse_uint(parts[1], 65535, number)) return "cip_service: bad class '" + std::string(parts[1]) + "'";
    out.class_id = static_cast<uint16_t>(number);
  }
  if (parts.size() == 3) {
    if (!parse_uint(parts[2], 65535, number)) return "cip_service: bad attribute '" + std::string(parts[2]) + "'";
    out.attribute = static_cast<uint16_t>(number);
  }
  return "";
}

// ---- Per-packet decoding ----

std::span<const ModbusAduView> IcsView::modbus() {
  if (modbus_done_) return {modbus_.data(), modbus_count_};
  modbus_done_ = true;
  modbus_count_ = 0;
  if (!to_server_) return {};  // Suricata's modbus keyword inspects requests
  ByteReader stream(payload_);
  while (modbus_count_ < kMaxModbusAdus && stream.remaining() >= modbus::kMbapHeaderSize + 1) {
    modbus::MbapResult mbap = modbus::parse_mbap(stream.peek_rest());
    if (mbap.status != modbus::MbapStatus::Ok) break;
    size_t available = std::min(mbap.header.adu_size(), stream.remaining());
    Bytes adu = stream.bytes(available);
    Bytes pdu = adu.subspan(modbus::kMbapHeaderSize);
    modbus::Pdu parsed = modbus::parse_request(pdu);
    ModbusAduView& view = modbus_[modbus_count_++];
    view = ModbusAduView{};
    view.unit = mbap.header.unit_id;
    view.function = static_cast<uint8_t>(pdu[0] & ~modbus::kExceptionBit);
    view.pdu = pdu;
    view.has_subfunction = parsed.has_sub_function;
    view.subfunction = parsed.sub_function;
    view.has_range = parsed.has_range;
    view.address = parsed.address;
    view.quantity = parsed.quantity;
    if (available < mbap.header.adu_size()) break;  // the last ADU continues in the next segment
  }
  return {modbus_.data(), modbus_count_};
}

std::span<const Dnp3FragmentView> IcsView::dnp3() {
  if (dnp3_done_) return {dnp3_.data(), dnp3_count_};
  dnp3_done_ = true;
  dnp3_count_ = 0;
  size_t used = 0;        // end of the joined bytes in dnp3_buffer_
  size_t open_begin = 0;  // start of the fragment being joined
  bool open = false;
  std::array<uint8_t, dnp3::kMaxUserData> user_data{};

  auto finish = [&](size_t end) {
    open = false;
    if (dnp3_count_ == kMaxDnp3Fragments || end <= open_begin) return;
    Bytes data{dnp3_buffer_.data() + open_begin, end - open_begin};
    dnp3::Fragment fragment = dnp3::parse_fragment(data);
    Dnp3FragmentView& view = dnp3_[dnp3_count_++];
    view = Dnp3FragmentView{};
    view.data = data;
    view.function = data.size() > 1 ? data[1] : 0;
    view.is_response = fragment.is_response;
    view.iin = fragment.iin;
    if (data.size() > 1 && dnp3::is_known_function(view.function)) {
      dnp3::ObjectWalker walker(fragment.objects, fragment.function, fragment.is_response);
      dnp3::ObjectHeader header;
      while (view.object_count < view.objects.size() && walker.next(header) == dnp3::ObjectStep::Header) {
        view.objects[view.object_count++] = {header.group, header.variation};
      }
    }
  };

  ByteReader stream(payload_);
  while (stream.remaining() >= dnp3::kLinkHeaderSize && dnp3_count_ < kMaxDnp3Fragments) {
    dnp3::LinkHeaderResult link = dnp3::parse_link_header(stream.peek_rest());
    if (link.status != dnp3::LinkStatus::Ok) break;
    size_t frame_size = link.header.frame_size();
    if (frame_size > stream.remaining()) break;
    Bytes frame = stream.bytes(frame_size);
    if (!link.header.carries_user_data() || link.header.user_data_size() == 0) continue;
    if (dnp3::extract_user_data(link.header, frame, user_data.data()) != dnp3::Anomaly::None) continue;
    dnp3::TransportHeader transport = dnp3::decode_transport_header(user_data[0]);
    if (transport.fir) {
      if (open) finish(used);
      open = true;
      open_begin = used;
    }
    if (!open) continue;  // a later segment whose first one is not in this payload
    size_t piece = link.header.user_data_size() - 1;
    if (used + piece > dnp3_buffer_.size()) break;
    std::copy_n(user_data.data() + 1, piece, dnp3_buffer_.data() + used);
    used += piece;
    if (transport.fin) finish(used);
  }
  if (open) finish(used);
  return {dnp3_.data(), dnp3_count_};
}

void IcsView::add_cip_request(Bytes message, int depth) {
  if (cip_count_ == kMaxCipRequests || depth > 2) return;
  enip::CipMessage cip = enip::parse_cip(message);
  if (cip.is_response) return;
  CipRequestView& view = cip_[cip_count_++];
  view = CipRequestView{};
  view.service = cip.service;
  view.has_class = cip.path.has_class;
  view.class_id = cip.path.class_id;
  view.has_attribute = cip.path.has_attribute;
  view.attribute = cip.path.attribute;
  if (cip.anomaly != enip::Anomaly::None) return;
  if (cip.service == enip::kSvcMultipleServicePacket) {
    enip::EmbeddedIterator it;
    if (!start_embedded(cip.data, it)) return;
    Bytes embedded;
    while (next_embedded(it, embedded)) add_cip_request(embedded, depth + 1);
  } else if (cip.service == enip::kSvcUnconnectedSend && cip.path.has_class &&
             cip.path.class_id == enip::kClassConnectionManager) {
    enip::UnconnectedSend send;
    if (parse_unconnected_send(cip.data, send)) add_cip_request(send.embedded, depth + 1);
  }
}

void IcsView::decode_enip() {
  enip_done_ = true;
  enip_count_ = 0;
  cip_count_ = 0;
  ByteReader stream(payload_);
  while (enip_count_ < kMaxEnipPdus && stream.remaining() >= enip::kHeaderSize) {
    enip::EncapsulationHeader header;
    if (!enip::parse_header(stream.peek_rest(), header) || !enip::is_known_command(header.command)) break;
    enip_[enip_count_++] = header.command;
    if (header.pdu_size() > stream.remaining()) break;
    Bytes pdu = stream.bytes(header.pdu_size());
    if (header.command != enip::kCmdSendRRData && header.command != enip::kCmdSendUnitData) continue;
    if (header.length < enip::kSendDataPrefix) continue;
    enip::CpfList items = enip::parse_cpf(pdu.subspan(enip::kHeaderSize + enip::kSendDataPrefix));
    if (items.anomaly != enip::Anomaly::None) continue;
    if (const enip::CpfItem* item = items.find(enip::kItemUnconnectedData)) {
      add_cip_request(item->data, 0);
    } else if (const enip::CpfItem* connected = items.find(enip::kItemConnectedData);
               connected && connected->data.size() > 2) {
      add_cip_request(connected->data.subspan(2), 0);  // after the sequence count
    }
  }
}

std::span<const uint16_t> IcsView::enip_commands() {
  if (!enip_done_) decode_enip();
  return {enip_.data(), enip_count_};
}

std::span<const CipRequestView> IcsView::cip_requests() {
  if (!enip_done_) decode_enip();
  return {cip_.data(), cip_count_};
}

// ---- Matching ----

namespace {

bool function_matches(const ModbusCondition& c, uint8_t fc) {
  using FK = ModbusCondition::FunctionKind;
  bool hit = false;
  switch (c.function) {
    case FK::None: return true;
    case FK::Code: hit = fc == c.function_code; break;
    case FK::Assigned: hit = modbus_assigned(fc); break;
    case FK::Unassigned: hit = modbus_public(fc) && !modbus_assigned(fc); break;
    case FK::Public: hit = modbus_public(fc); break;
    case FK::User: hit = modbus_user_defined(fc); break;
    case FK::Reserved: hit = modbus_reserved(fc); break;
    case FK::All: hit = true; break;
  }
  return hit != c.function_negated;
}

uint16_t be16_at(Bytes b, size_t offset) {
  return offset + 2 <= b.size() ? static_cast<uint16_t>(b[offset] << 8 | b[offset + 1]) : 0;
}

// Some written register value satisfies `match`; registers start at `offset` of the PDU.
bool any_register(Bytes pdu, size_t offset, size_t count, const IntMatch& match) {
  for (size_t i = 0; i < count && offset + 2 * i + 2 <= pdu.size(); ++i) {
    if (match.matches(be16_at(pdu, offset + 2 * i))) return true;
  }
  return false;
}

bool access_matches(const ModbusCondition& c, const ModbusAduView& adu) {
  using T = ModbusCondition::Table;
  const uint8_t fc = adu.function;
  T table = T::Any;
  uint16_t address = 0, quantity = 0;
  if (c.access == ModbusCondition::Access::Read) {
    switch (fc) {
      case 1: table = T::Coils; break;
      case 2: table = T::Discretes; break;
      case 3: table = T::Holding; break;
      case 4: table = T::Input; break;
      case 23: table = T::Holding; break;
      default: return false;
    }
    if (fc == 23) {
      if (adu.pdu.size() < 5) return false;
      address = be16_at(adu.pdu, 1);
      quantity = be16_at(adu.pdu, 3);
    } else {
      if (!adu.has_range) return false;
      address = adu.address;
      quantity = adu.quantity;
    }
  } else {
    switch (fc) {
      case 5: case 15: table = T::Coils; break;
      case 6: case 16: case 22: case 23: table = T::Holding; break;
      default: return false;
    }
    if (!adu.has_range) return false;
    address = adu.address;
    quantity = adu.quantity;
  }
  if (c.table != T::Any && c.table != table) return false;
  if (c.address) {
    uint64_t last = quantity == 0 ? address : uint64_t{address} + quantity - 1;
    if (!c.address->overlaps(address, last)) return false;
  }
  if (c.value) {
    switch (fc) {
      case 5: case 6: return adu.pdu.size() >= 5 && c.value->matches(be16_at(adu.pdu, 3));
      case 16: return any_register(adu.pdu, 6, quantity, *c.value);
      case 23: return any_register(adu.pdu, 10, quantity, *c.value);
      default: return false;
    }
  }
  return true;
}

}  // namespace

bool modbus_matches(const ModbusCondition& c, const ModbusAduView& adu) {
  if (c.unit && !c.unit->matches(adu.unit)) return false;
  if (!function_matches(c, adu.function)) return false;
  if (c.has_subfunction && (!adu.has_subfunction || adu.subfunction != c.subfunction)) return false;
  if (c.access != ModbusCondition::Access::None && !access_matches(c, adu)) return false;
  return true;
}

bool dnp3_matches(const Dnp3Conditions& c, const Dnp3FragmentView& fragment) {
  for (uint8_t function : c.functions) {
    if (fragment.data.size() < 2 || fragment.function != function) return false;
  }
  for (uint16_t mask : c.indications) {
    if (!fragment.is_response || (fragment.iin & mask) == 0) return false;
  }
  for (const auto& object : c.objects) {
    const auto* end = fragment.objects.begin() + fragment.object_count;
    if (std::find(fragment.objects.begin(), end, object) == end) return false;
  }
  return true;
}

bool cip_matches(const CipServiceCondition& c, const CipRequestView& request) {
  if (request.service != c.service) return false;
  if (c.class_id && (!request.has_class || request.class_id != *c.class_id)) return false;
  if (c.attribute && (!request.has_attribute || request.attribute != *c.attribute)) return false;
  return true;
}

}  // namespace ots::detect::rules
