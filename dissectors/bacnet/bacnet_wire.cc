#include "dissectors/bacnet/bacnet_wire.h"

#include <algorithm>

namespace ots::bacnet {
namespace {

constexpr uint8_t kNoTag = 0xFF;           // ParameterLayout: the service has no such parameter
constexpr uint8_t kApplicationTag = 0xFE;  // ParameterLayout: an application-tagged ObjectIdentifier

// Where the generic tag walk finds the object (and property) a service acts on: the first
// context tag with that number outside any constructed value.
struct ParameterLayout {
  uint8_t pdu_type;
  uint8_t service;
  uint8_t object_tag;
  uint8_t property_tag;
};
constexpr ParameterLayout kLayouts[] = {
    {pdu::kConfirmedRequest, 0, 1, kNoTag},  // acknowledgeAlarm: event object
    {pdu::kConfirmedRequest, 1, 2, kNoTag},  // confirmedCOVNotification: monitored object
    {pdu::kConfirmedRequest, 2, 2, kNoTag},  // confirmedEventNotification: event object
    {pdu::kConfirmedRequest, confirmed::kSubscribeCov, 1, kNoTag},                   // monitored object
    {pdu::kConfirmedRequest, confirmed::kAtomicReadFile, kApplicationTag, kNoTag},   // file
    {pdu::kConfirmedRequest, confirmed::kAtomicWriteFile, kApplicationTag, kNoTag},  // file
    {pdu::kConfirmedRequest, 8, 0, 1},                                               // addListElement
    {pdu::kConfirmedRequest, 9, 0, 1},                                               // removeListElement
    {pdu::kConfirmedRequest, confirmed::kDeleteObject, kApplicationTag, kNoTag},
    {pdu::kConfirmedRequest, confirmed::kReadRange, 0, 1},
    {pdu::kConfirmedRequest, 27, 3, kNoTag},  // lifeSafetyOperation
    {pdu::kConfirmedRequest, confirmed::kSubscribeCovProperty, 1, kNoTag},
    {pdu::kUnconfirmedRequest, 2, 2, kNoTag},                               // unconfirmedCOVNotification
    {pdu::kUnconfirmedRequest, 3, 2, kNoTag},                               // unconfirmedEventNotification
    {pdu::kComplexAck, confirmed::kCreateObject, kApplicationTag, kNoTag},  // the created object
    {pdu::kComplexAck, confirmed::kReadRange, 0, 1},
};

const ParameterLayout* find_layout(uint8_t pdu_type, uint8_t service) {
  for (const ParameterLayout& layout : kLayouts) {
    if (layout.pdu_type == pdu_type && layout.service == service) return &layout;
  }
  return nullptr;
}

bool has_npdu(uint8_t function) {
  return function == bvlc::kForwardedNpdu || function == bvlc::kDistributeBroadcast ||
         function == bvlc::kOriginalUnicast || function == bvlc::kOriginalBroadcast;
}

// Entries of a BDT / FDT body: a whole number of entries, else the BVLC length is wrong.
Anomaly count_entries(Bytes body, size_t entry_size, uint16_t& entries) {
  if (body.size() % entry_size != 0) return Anomaly::InvalidBvlcLength;
  entries = static_cast<uint16_t>(body.size() / entry_size);
  return Anomaly::None;
}

// Application tags with a fixed value size (20.2.2–20.2.14); 0 = variable.
constexpr uint8_t kFixedAppTagSize[] = {0, 0, 0, 0, 4, 8, 0, 0, 0, 0, 4, 4, 4};

Anomaly check_application_tag(const Tag& tag) {
  if (tag.number > app_tag::kObjectId) return Anomaly::InvalidTag;  // 13–15 and extended: reserved
  switch (tag.number) {
    case app_tag::kNull:
      return tag.length == 0 ? Anomaly::None : Anomaly::InvalidTag;
    case app_tag::kBoolean:
      return tag.length <= 1 ? Anomaly::None : Anomaly::InvalidTag;
    case app_tag::kUnsigned:
    case app_tag::kSigned:
    case app_tag::kEnumerated:
      return tag.length >= 1 && tag.length <= 8 ? Anomaly::None : Anomaly::InvalidTag;
    case app_tag::kCharacterString:
      return tag.length >= 1 ? Anomaly::None : Anomaly::InvalidTag;
    case app_tag::kBitString:
      return tag.length >= 1 && tag.value[0] <= 7 ? Anomaly::None : Anomaly::InvalidTag;
    case app_tag::kOctetString:
      return Anomaly::None;
    default:
      return tag.length == kFixedAppTagSize[tag.number] ? Anomaly::None : Anomaly::InvalidTag;
  }
}

// ---- Text ----

size_t put_utf8(uint32_t cp, std::span<char> out, size_t at) {
  char buf[4];
  size_t n;
  if (cp < 0x80) {
    buf[0] = static_cast<char>(cp);
    n = 1;
  } else if (cp < 0x800) {
    buf[0] = static_cast<char>(0xC0 | cp >> 6);
    buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    buf[0] = static_cast<char>(0xE0 | cp >> 12);
    buf[1] = static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    buf[0] = static_cast<char>(0xF0 | cp >> 18);
    buf[1] = static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    buf[2] = static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 4;
  }
  if (at + n > out.size()) return 0;  // no room: the text is cut at a character boundary
  std::copy(buf, buf + n, out.begin() + static_cast<std::ptrdiff_t>(at));
  return n;
}

bool valid_code_point(uint32_t cp) { return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF); }

// Well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<uint8_t>(s[i]);
    size_t extra;
    uint32_t cp, min;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      extra = 1, cp = b & 0x1F, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      extra = 2, cp = b & 0x0F, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      extra = 3, cp = b & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      auto c = static_cast<uint8_t>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = cp << 6 | (c & 0x3F);
    }
    if (cp < min || !valid_code_point(cp)) return false;
    i += extra + 1;
  }
  return true;
}

// Converts fixed-width code units (1, 2 or 4 octets, big-endian) to UTF-8 in `scratch`.
std::string_view convert(Bytes text, size_t unit, std::span<char> scratch) {
  if (text.size() % unit != 0) return {};
  size_t used = 0;
  for (size_t i = 0; i < text.size(); i += unit) {
    uint32_t cp = 0;
    for (size_t k = 0; k < unit; ++k) cp = cp << 8 | text[i + k];
    if (!valid_code_point(cp)) return {};
    size_t n = put_utf8(cp, scratch, used);
    if (n == 0) break;
    used += n;
  }
  return {scratch.data(), used};
}

// ---- Service decoders ----

Anomaly next_tag(TagReader& r, Tag& t) {
  if (r.next(t)) return Anomaly::None;
  return r.error() != Anomaly::None ? r.error() : Anomaly::Truncated;
}

bool next_is(const TagReader& r, TagClass cls, uint8_t number) {
  Tag t;
  return r.peek(t) && t.cls == cls && t.number == number;
}

Anomaly context_unsigned(TagReader& r, uint8_t number, uint32_t& value) {
  Tag t;
  if (Anomaly a = next_tag(r, t); a != Anomaly::None) return a;
  return t.is_context(number) && read_unsigned(t.value, value) ? Anomaly::None : Anomaly::InvalidApdu;
}

Anomaly context_object(TagReader& r, uint8_t number, ObjectId& object) {
  Tag t;
  if (Anomaly a = next_tag(r, t); a != Anomaly::None) return a;
  return t.is_context(number) && read_object_id(t.value, object) ? Anomaly::None : Anomaly::InvalidApdu;
}

Anomaly application(TagReader& r, uint8_t number, Tag& t) {
  if (Anomaly a = next_tag(r, t); a != Anomaly::None) return a;
  return t.is_application(number) ? Anomaly::None : Anomaly::InvalidApdu;
}

Anomaly application_unsigned(TagReader& r, uint8_t number, uint32_t& value) {
  Tag t;
  if (Anomaly a = application(r, number, t); a != Anomaly::None) return a;
  return read_unsigned(t.value, value) ? Anomaly::None : Anomaly::InvalidApdu;
}

Anomaly application_object(TagReader& r, ObjectId& object) {
  Tag t;
  if (Anomaly a = application(r, app_tag::kObjectId, t); a != Anomaly::None) return a;
  return read_object_id(t.value, object) ? Anomaly::None : Anomaly::InvalidApdu;
}

Anomaly opening(TagReader& r, uint8_t number) {
  Tag t;
  if (Anomaly a = next_tag(r, t); a != Anomaly::None) return a;
  return t.is_opening(number) ? Anomaly::None : Anomaly::InvalidApdu;
}

// An optional context-tagged unsigned.
Anomaly optional_unsigned(TagReader& r, uint8_t number, bool& present, uint32_t& value) {
  if (!next_is(r, TagClass::Context, number)) return Anomaly::None;
  present = true;
  return context_unsigned(r, number, value);
}

// Nothing may follow the parameters of a fixed-shape service.
Anomaly at_end(TagReader& r) { return r.at_end() ? Anomaly::None : Anomaly::InvalidApdu; }

void note_property(ServiceDetails& out, uint32_t property) {
  if (!out.has_property) {
    out.has_property = true;
    out.property = property;
  }
  ++out.property_count;
}

void note_object(ServiceDetails& out, const ObjectId& object) {
  if (!out.has_object) {
    out.has_object = true;
    out.object = object;
  }
  ++out.object_count;
}

// The value list of an opening tag just read (depth `base` + 1) up to its closing tag; the
// first primitive value of a device-identity property of a device object is kept.
Anomaly read_values(TagReader& r, uint32_t base, const ObjectId& object, uint32_t property,
                    ServiceDetails& out) {
  bool keep = object.type == kObjectTypeDevice && property::is_identity_property(property);
  Tag t;
  while (true) {
    if (Anomaly a = next_tag(r, t); a != Anomaly::None) return a;
    if (t.cls == TagClass::Closing && r.depth() == base) return Anomaly::None;
    if (keep && t.cls == TagClass::Application && r.depth() == base + 1) {
      keep = false;
      if (out.value_count < out.values.size()) out.values[out.value_count++] = {object, property, t};
    }
  }
}

// ReadProperty request and ACK, ReadRange-like heads: [0] object, [1] property, [2] index.
Anomaly object_property(TagReader& r, ServiceDetails& out) {
  ObjectId object;
  uint32_t property = 0;
  if (Anomaly a = context_object(r, 0, object); a != Anomaly::None) return a;
  note_object(out, object);
  if (Anomaly a = context_unsigned(r, 1, property); a != Anomaly::None) return a;
  note_property(out, property);
  return optional_unsigned(r, 2, out.has_array_index, out.array_index);
}

Anomaly read_property_ack(TagReader& r, ServiceDetails& out) {
  if (Anomaly a = object_property(r, out); a != Anomaly::None) return a;
  if (Anomaly a = opening(r, 3); a != Anomaly::None) return a;
  if (Anomaly a = read_values(r, 0, out.object, out.property, out); a != Anomaly::None) return a;
  return at_end(r);
}

// ReadPropertyMultiple request: { [0] object, [1] { [0] property, [1] index? }* }*.
Anomaly read_property_multiple(TagReader& r, ServiceDetails& out) {
  do {
    ObjectId object;
    if (Anomaly a = context_object(r, 0, object); a != Anomaly::None) return a;
    note_object(out, object);
    if (Anomaly a = opening(r, 1); a != Anomaly::None) return a;
    while (!next_is(r, TagClass::Closing, 1)) {
      uint32_t property = 0, index = 0;
      bool has_index = false;
      if (Anomaly a = context_unsigned(r, 0, property); a != Anomaly::None) return a;
      note_property(out, property);
      if (Anomaly a = optional_unsigned(r, 1, has_index, index); a != Anomaly::None) return a;
    }
    Tag closing;
    r.next(closing);
  } while (!r.at_end());
  return Anomaly::None;
}

// ReadPropertyMultiple ACK: { [0] object, [1] { [2] property, [3] index?, [4] values | [5] error }* }*.
Anomaly read_property_multiple_ack(TagReader& r, ServiceDetails& out) {
  do {
    ObjectId object;
    if (Anomaly a = context_object(r, 0, object); a != Anomaly::None) return a;
    note_object(out, object);
    if (Anomaly a = opening(r, 1); a != Anomaly::None) return a;
    while (!next_is(r, TagClass::Closing, 1)) {
      uint32_t property = 0, index = 0;
      bool has_index = false;
      if (Anomaly a = context_unsigned(r, 2, property); a != Anomaly::None) return a;
      note_property(out, property);
      if (Anomaly a = optional_unsigned(r, 3, has_index, index); a != Anomaly::None) return a;
      Tag t;
      if (Anomaly a = next_tag(r, t); a != Anomaly::None) return a;
      if (!t.is_opening(4) && !t.is_opening(5)) return Anomaly::InvalidApdu;
      // An error result ([5]) holds class and code, never a value to keep.
      uint32_t kept_property = t.is_opening(4) ? property : 0;
      if (Anomaly a = read_values(r, 1, object, kept_property, out); a != Anomaly::None) return a;
    }
    Tag closing;
    r.next(closing);
  } while (!r.at_end());
  return Anomaly::None;
}

// WriteProperty: [0] object, [1] property, [2] index?, [3] value, [4] priority?.
Anomaly write_property(TagReader& r, ServiceDetails& out) {
  if (Anomaly a = object_property(r, out); a != Anomaly::None) return a;
  if (Anomaly a = opening(r, 3); a != Anomaly::None) return a;
  if (!r.skip_to_depth(0)) return r.error() != Anomaly::None ? r.error() : Anomaly::Truncated;
  uint32_t priority = 0;
  if (Anomaly a = optional_unsigned(r, 4, out.has_priority, priority); a != Anomaly::None) return a;
  out.priority = static_cast<uint8_t>(priority);
  if (out.has_priority && (priority < 1 || priority > 16)) return Anomaly::InvalidApdu;
  return at_end(r);
}

// WritePropertyMultiple: { [0] object, [1] { [0] property, [1] index?, [2] value, [3] priority? }* }*.
Anomaly write_property_multiple(TagReader& r, ServiceDetails& out) {
  do {
    ObjectId object;
    if (Anomaly a = context_object(r, 0, object); a != Anomaly::None) return a;
    note_object(out, object);
    if (Anomaly a = opening(r, 1); a != Anomaly::None) return a;
    while (!next_is(r, TagClass::Closing, 1)) {
      uint32_t property = 0, index = 0, priority = 0;
      bool has_index = false, has_priority = false;
      if (Anomaly a = context_unsigned(r, 0, property); a != Anomaly::None) return a;
      note_property(out, property);
      if (Anomaly a = optional_unsigned(r, 1, has_index, index); a != Anomaly::None) return a;
      if (Anomaly a = opening(r, 2); a != Anomaly::None) return a;
      if (!r.skip_to_depth(1)) return r.error() != Anomaly::None ? r.error() : Anomaly::Truncated;
      if (Anomaly a = optional_unsigned(r, 3, has_priority, priority); a != Anomaly::None) return a;
      if (has_priority && (priority < 1 || priority > 16)) return Anomaly::InvalidApdu;
      if (has_priority && !out.has_priority) {
        out.has_priority = true;
        out.priority = static_cast<uint8_t>(priority);
      }
    }
    Tag closing;
    r.next(closing);
  } while (!r.at_end());
  return Anomaly::None;
}

// A context-tagged CharacterString password (its presence is what matters).
Anomaly optional_password(TagReader& r, uint8_t number, bool& present) {
  if (!next_is(r, TagClass::Context, number)) return Anomaly::None;
  Tag t;
  r.next(t);
  present = true;
  return t.length >= 1 ? Anomaly::None : Anomaly::InvalidApdu;  // charset octet at least
}

// ReinitializeDevice: [0] reinitialized-state, [1] password?.
Anomaly reinitialize_device(TagReader& r, ServiceDetails& out) {
  uint32_t state = 0;
  if (Anomaly a = context_unsigned(r, 0, state); a != Anomaly::None) return a;
  if (state >= std::size(kReinitializeStates)) return Anomaly::InvalidApdu;
  out.has_state = true;
  out.state = static_cast<uint8_t>(state);
  if (Anomaly a = optional_password(r, 1, out.has_password); a != Anomaly::None) return a;
  return at_end(r);
}

// DeviceCommunicationControl: [0] time-duration?, [1] enable-disable, [2] password?.
Anomaly device_communication_control(TagReader& r, ServiceDetails& out) {
  if (Anomaly a = optional_unsigned(r, 0, out.has_duration, out.duration_minutes); a != Anomaly::None)
    return a;
  uint32_t state = 0;
  if (Anomaly a = context_unsigned(r, 1, state); a != Anomaly::None) return a;
  if (state >= std::size(kCommunicationStates)) return Anomaly::InvalidApdu;
  out.has_state = true;
  out.state = static_cast<uint8_t>(state);
  if (Anomaly a = optional_password(r, 2, out.has_password); a != Anomaly::None) return a;
  return at_end(r);
}

// I-Am: device identifier, max APDU length accepted, segmentation supported, vendor id.
Anomaly i_am(TagReader& r, ServiceDetails& out) {
  if (Anomaly a = application_object(r, out.device); a != Anomaly::None) return a;
  if (out.device.type != kObjectTypeDevice) return Anomaly::InvalidApdu;
  out.has_device = true;
  if (Anomaly a = application_unsigned(r, app_tag::kUnsigned, out.max_apdu_accepted); a != Anomaly::None)
    return a;
  uint32_t segmentation = 0;
  if (Anomaly a = application_unsigned(r, app_tag::kEnumerated, segmentation); a != Anomaly::None) return a;
  out.segmentation = static_cast<uint8_t>(segmentation);
  if (Anomaly a = application_unsigned(r, app_tag::kUnsigned, out.vendor_id); a != Anomaly::None) return a;
  out.has_vendor = true;
  return at_end(r);
}

// I-Have: device identifier, object identifier, object name.
Anomaly i_have(TagReader& r, ServiceDetails& out) {
  if (Anomaly a = application_object(r, out.device); a != Anomaly::None) return a;
  out.has_device = true;
  ObjectId object;
  if (Anomaly a = application_object(r, object); a != Anomaly::None) return a;
  note_object(out, object);
  Tag name;
  if (Anomaly a = application(r, app_tag::kCharacterString, name); a != Anomaly::None) return a;
  out.object_name = name.value;
  return at_end(r);
}

// Who-Is: nothing, or [0] low and [1] high device instance limits.
Anomaly who_is(TagReader& r, ServiceDetails& out) {
  if (r.at_end()) return Anomaly::None;
  if (Anomaly a = context_unsigned(r, 0, out.low_limit); a != Anomaly::None) return a;
  if (Anomaly a = context_unsigned(r, 1, out.high_limit); a != Anomaly::None) return a;
  out.has_limits = true;
  return at_end(r);
}

// Who-Has: ([0] low, [1] high)?, then [2] object identifier or [3] object name.
Anomaly who_has(TagReader& r, ServiceDetails& out) {
  if (next_is(r, TagClass::Context, 0)) {
    if (Anomaly a = context_unsigned(r, 0, out.low_limit); a != Anomaly::None) return a;
    if (Anomaly a = context_unsigned(r, 1, out.high_limit); a != Anomaly::None) return a;
    out.has_limits = true;
  }
  Tag t;
  if (Anomaly a = next_tag(r, t); a != Anomaly::None) return a;
  ObjectId object;
  if (t.is_context(2) && read_object_id(t.value, object)) {
    note_object(out, object);
  } else if (t.is_context(3) && t.length >= 1) {
    out.object_name = t.value;
  } else {
    return Anomaly::InvalidApdu;
  }
  return at_end(r);
}

// Who-Am-I: vendor id, model name, serial number; You-Are adds device identifier? and MAC?.
Anomaly who_am_i(TagReader& r, ServiceDetails& out, bool you_are) {
  if (Anomaly a = application_unsigned(r, app_tag::kUnsigned, out.vendor_id); a != Anomaly::None) return a;
  out.has_vendor = true;
  Tag model, serial;
  if (Anomaly a = application(r, app_tag::kCharacterString, model); a != Anomaly::None) return a;
  if (Anomaly a = application(r, app_tag::kCharacterString, serial); a != Anomaly::None) return a;
  out.model_name = model.value;
  out.serial_number = serial.value;
  if (you_are) {
    if (next_is(r, TagClass::Application, app_tag::kObjectId)) {
      if (Anomaly a = application_object(r, out.device); a != Anomaly::None) return a;
      out.has_device = true;
    }
    Tag mac;
    if (next_is(r, TagClass::Application, app_tag::kOctetString)) r.next(mac);
  }
  return at_end(r);
}

// Confirmed / unconfirmed PrivateTransfer and its ACK: [0] vendor id, [1] service number, then
// vendor-defined parameters, left opaque (vendors do not always tag them).
Anomaly private_transfer(TagReader& r, ServiceDetails& out) {
  if (Anomaly a = context_unsigned(r, 0, out.vendor_id); a != Anomaly::None) return a;
  out.has_vendor = true;
  uint32_t service_number = 0;
  return context_unsigned(r, 1, service_number);
}

// Error: error class and code, the first two application Enumerated values (some services
// wrap them in a constructed [0]).
Anomaly error_pdu(TagReader& r, ServiceDetails& out) {
  uint32_t found = 0;
  uint32_t values[2] = {};
  Tag t;
  while (found < 2 && r.next(t)) {
    if (t.is_application(app_tag::kEnumerated) && read_unsigned(t.value, values[found])) ++found;
  }
  if (found < 2) return r.error() != Anomaly::None ? r.error() : Anomaly::InvalidApdu;
  out.has_error = true;
  out.error_class = values[0];
  out.error_code = values[1];
  return r.finish();
}

// Services without a dedicated decoder: the tags are checked, and the layout's object and
// property picked up on the way.
Anomaly generic(TagReader& r, const ParameterLayout* layout, ServiceDetails& out) {
  Tag t;
  while (r.next(t)) {
    if (!layout || r.depth() != 0) continue;
    ObjectId object;
    uint32_t property = 0;
    bool object_here = layout->object_tag == kApplicationTag ? t.is_application(app_tag::kObjectId)
                                                             : t.is_context(layout->object_tag);
    bool property_here = layout->property_tag != kNoTag && t.is_context(layout->property_tag);
    if (object_here && !out.has_object && read_object_id(t.value, object)) note_object(out, object);
    if (property_here && !out.has_property && read_unsigned(t.value, property)) {
      note_property(out, property);
    }
  }
  return r.finish();
}

Anomaly decode_confirmed(uint8_t type, uint8_t service, TagReader& r, ServiceDetails& out) {
  if (type == pdu::kConfirmedRequest) {
    switch (service) {
      case confirmed::kReadProperty: {
        Anomaly a = object_property(r, out);
        return a != Anomaly::None ? a : at_end(r);
      }
      case confirmed::kReadPropertyMultiple:
        return read_property_multiple(r, out);
      case confirmed::kWriteProperty:
        return write_property(r, out);
      case confirmed::kWritePropertyMultiple:
        return write_property_multiple(r, out);
      case confirmed::kReinitializeDevice:
        return reinitialize_device(r, out);
      case confirmed::kDeviceCommunicationControl:
        return device_communication_control(r, out);
      default:
        break;
    }
  } else if (type == pdu::kComplexAck) {
    if (service == confirmed::kReadProperty) return read_property_ack(r, out);
    if (service == confirmed::kReadPropertyMultiple) return read_property_multiple_ack(r, out);
  }
  if (service == confirmed::kPrivateTransfer) return private_transfer(r, out);
  return generic(r, find_layout(type, service), out);
}

Anomaly decode_unconfirmed(uint8_t service, TagReader& r, ServiceDetails& out) {
  switch (service) {
    case unconfirmed::kIAm:
      return i_am(r, out);
    case unconfirmed::kIHave:
      return i_have(r, out);
    case unconfirmed::kWhoIs:
      return who_is(r, out);
    case unconfirmed::kWhoHas:
      return who_has(r, out);
    case unconfirmed::kWhoAmI:
      return who_am_i(r, out, false);
    case unconfirmed::kYouAre:
      return who_am_i(r, out, true);
    case unconfirmed::kPrivateTransfer:
      return private_transfer(r, out);
    default:
      return generic(r, find_layout(pdu::kUnconfirmedRequest, service), out);
  }
}

}  // namespace

// ---- BVLC ----

Anomaly parse_bvlc(Bytes datagram, Bvlc& out) {
  ByteReader r(datagram);
  uint8_t type = r.u8();
  out.function = r.u8();
  out.length = r.be16();
  if (!r.ok()) return Anomaly::Truncated;
  if (type != bvlc::kTypeBip || out.function > bvlc::kMaxFunction) return Anomaly::InvalidBvlc;
  // The UDP length is authoritative: a disagreeing BVLC length is reported, the message still read.
  out.length_mismatch = out.length != datagram.size();
  Bytes body = r.rest();
  switch (out.function) {
    case bvlc::kResult:
      if (body.size() != 2) return Anomaly::InvalidBvlcLength;
      out.result_code = static_cast<uint16_t>(body[0] << 8 | body[1]);
      return Anomaly::None;
    case bvlc::kWriteBdt:
    case bvlc::kReadBdtAck:
      return count_entries(body, kBdtEntrySize, out.table_entries);
    case bvlc::kReadFdtAck:
      return count_entries(body, kFdtEntrySize, out.table_entries);
    case bvlc::kReadBdt:
    case bvlc::kReadFdt:
      return body.empty() ? Anomaly::None : Anomaly::InvalidBvlcLength;
    case bvlc::kDeleteFdtEntry:
      if (body.size() != kBipAddressSize) return Anomaly::InvalidBvlcLength;
      out.table_entries = 1;
      return Anomaly::None;
    case bvlc::kRegisterForeignDevice:
      if (body.size() != 2) return Anomaly::InvalidBvlcLength;
      out.time_to_live = static_cast<uint16_t>(body[0] << 8 | body[1]);
      return Anomaly::None;
    case bvlc::kForwardedNpdu:
      if (body.size() < kBipAddressSize) return Anomaly::Truncated;
      std::copy_n(body.begin(), kBipAddressSize, out.original_source.begin());
      out.forwarded = true;
      body = body.subspan(kBipAddressSize);
      break;
    case bvlc::kSecureBvll:
      return Anomaly::None;  // BACnet/SC-style security wrapper: opaque here
    default:
      break;
  }
  out.has_npdu = has_npdu(out.function);
  out.npdu = body;
  return Anomaly::None;
}

bool plausible_bvlc(Bytes datagram) {
  Bvlc header;
  if (parse_bvlc(datagram, header) != Anomaly::None) return false;
  if (!header.has_npdu) return !header.length_mismatch;  // a BVLL message has nothing else to check
  constexpr uint8_t kReservedControl = npdu::kReserved1 | npdu::kReserved2;
  return header.npdu.size() >= 2 && header.npdu[0] == npdu::kVersion && !(header.npdu[1] & kReservedControl);
}

// ---- NPDU ----

Anomaly parse_npdu(Bytes bytes, Npdu& out) {
  ByteReader r(bytes);
  uint8_t version = r.u8();
  out.control = r.u8();
  if (!r.ok()) return Anomaly::Truncated;
  if (version != npdu::kVersion || (out.control & (npdu::kReserved1 | npdu::kReserved2)))
    return Anomaly::InvalidNpdu;
  out.is_network_message = out.control & npdu::kNetworkMessage;
  out.has_destination = out.control & npdu::kDestination;
  out.has_source = out.control & npdu::kSource;
  out.expecting_reply = out.control & npdu::kExpectingReply;
  out.priority = out.control & npdu::kPriorityMask;
  if (out.has_destination) {
    out.dnet = r.be16();
    out.dadr = r.bytes(r.u8());
  }
  if (out.has_source) {
    out.snet = r.be16();
    uint8_t slen = r.u8();
    out.sadr = r.bytes(slen);
    // A source is one device on one network: neither a broadcast network nor an empty address.
    if (r.ok() && (out.snet == 0xFFFF || slen == 0)) return Anomaly::InvalidNpdu;
  }
  if (out.has_destination) out.hop_count = r.u8();
  if (out.is_network_message) {
    out.message_type = r.u8();
    if (out.message_type >= npdu::kFirstProprietaryMessage) out.vendor_id = r.be16();
  }
  if (!r.ok()) return Anomaly::Truncated;
  out.body = r.rest();
  if (!out.is_network_message && out.body.empty()) return Anomaly::Truncated;  // an APDU must follow
  return Anomaly::None;
}

Anomaly parse_network_message(const Npdu& npdu, NetworkMessage& out) {
  ByteReader r(npdu.body);
  out.type = npdu.message_type;
  auto network = [&] {
    uint16_t dnet = r.be16();
    if (out.network_count++ == 0) out.first_network = dnet;
  };
  switch (out.type) {
    case 0x00:  // Who-Is-Router-To-Network: DNET?
      if (!r.empty()) network();
      break;
    case 0x01:  // I-Am-Router-To-Network, Router-Busy-, Router-Available-: DNET*
    case 0x04:
    case 0x05:
      while (r.ok() && !r.empty()) network();
      break;
    case 0x02:  // I-Could-Be-Router-To-Network
      network();
      out.performance_index = r.u8();
      break;
    case 0x03:  // Reject-Message-To-Network
      out.reason = r.u8();
      network();
      break;
    case 0x06:  // Initialize-Routing-Table(-Ack): port count, { DNET, port id, info length, info }*
    case 0x07:
      if (r.empty()) break;
      out.port_count = r.u8();
      for (unsigned i = 0; i < out.port_count && r.ok(); ++i) {
        network();
        r.u8();  // port id
        r.skip(r.u8());
      }
      break;
    case 0x08:  // Establish-Connection-To-Network: DNET, termination time
      network();
      r.u8();
      break;
    case 0x09:  // Disconnect-Connection-To-Network
      network();
      break;
    case 0x12:  // What-Is-Network-Number
      break;
    case 0x13:  // Network-Number-Is: network number, configured/learned
      network();
      r.u8();
      break;
    default:
      // Security messages and proprietary ones are opaque; 0x14–0x7F are reserved.
      if (out.type < npdu::kFirstProprietaryMessage && find_name(kNetworkMessages, out.type).empty()) {
        return Anomaly::UnknownService;
      }
      return Anomaly::None;
  }
  if (!r.ok()) return Anomaly::Truncated;
  return r.empty() ? Anomaly::None : Anomaly::InvalidNpdu;
}

// ---- Tags ----

Anomaly decode_tag(Bytes bytes, Tag& tag, size_t& size) {
  ByteReader r(bytes);
  uint8_t initial = r.u8();
  if (!r.ok()) return Anomaly::Truncated;
  tag = Tag{};
  tag.number = initial >> 4;
  bool context = initial & 0x08;
  uint8_t lvt = initial & 0x07;
  if (tag.number == 15) tag.number = r.u8();  // extended tag number
  if (!r.ok()) return Anomaly::Truncated;
  if (context && (lvt == 6 || lvt == 7)) {
    tag.cls = lvt == 6 ? TagClass::Opening : TagClass::Closing;
    size = r.offset();
    return Anomaly::None;
  }
  tag.cls = context ? TagClass::Context : TagClass::Application;
  if (!context && tag.number == app_tag::kBoolean) {
    tag.length = lvt;  // the value itself, no contents octets
    size = r.offset();
    return check_application_tag(tag);
  }
  if (lvt == 5) {
    uint8_t extended = r.u8();
    tag.length = extended == 254 ? r.be16() : extended == 255 ? r.be32() : extended;
  } else if (lvt > 5) {
    return Anomaly::InvalidTag;  // opening / closing codes are context-specific only
  } else {
    tag.length = lvt;
  }
  if (!r.ok()) return Anomaly::Truncated;
  if (!r.has(tag.length)) return Anomaly::Truncated;
  tag.value = r.bytes(tag.length);
  size = r.offset();
  return context ? Anomaly::None : check_application_tag(tag);
}

bool TagReader::peek(Tag& tag) const {
  if (error_ != Anomaly::None || at_end()) return false;
  size_t size = 0;
  return decode_tag(data_.subspan(pos_), tag, size) == Anomaly::None;
}

bool TagReader::next(Tag& tag) {
  if (error_ != Anomaly::None || at_end()) return false;
  size_t size = 0;
  Tag t;
  if (Anomaly a = decode_tag(data_.subspan(pos_), t, size); a != Anomaly::None) {
    error_ = a;
    return false;
  }
  if (t.cls == TagClass::Opening) {
    if (depth_ == kMaxTagDepth) {
      error_ = Anomaly::TagNestingTooDeep;
      return false;
    }
    open_[depth_++] = t.number;
  } else if (t.cls == TagClass::Closing) {
    if (depth_ == 0 || open_[depth_ - 1] != t.number) {
      error_ = Anomaly::InvalidTag;
      return false;
    }
    --depth_;
  }
  pos_ += size;
  tag = t;
  return true;
}

bool TagReader::skip_to_depth(uint32_t depth) {
  Tag t;
  while (depth_ > depth) {
    if (!next(t)) {
      if (error_ == Anomaly::None) error_ = Anomaly::Truncated;
      return false;
    }
  }
  return true;
}

Anomaly TagReader::finish() {
  Tag t;
  while (next(t)) {
  }
  if (error_ != Anomaly::None) return error_;
  return depth_ == 0 ? Anomaly::None : Anomaly::Truncated;
}

bool read_unsigned(Bytes value, uint32_t& out) {
  if (value.empty() || value.size() > 4) return false;
  out = 0;
  for (uint8_t b : value) out = out << 8 | b;
  return true;
}

bool read_object_id(Bytes value, ObjectId& out) {
  uint32_t raw = 0;
  if (value.size() != 4 || !read_unsigned(value, raw)) return false;
  out.type = static_cast<uint16_t>(raw >> 22);
  out.instance = raw & 0x3FFFFF;
  return true;
}

std::string_view decode_text(Bytes value, std::span<char> scratch) {
  if (value.empty()) return {};
  Bytes text = value.subspan(1);
  std::string_view out;
  switch (value[0]) {
    case charset::kUtf8:
      out = as_chars(text);
      if (!valid_utf8(out)) return {};
      if (out.size() > scratch.size()) {  // same bound as converted text, cut at a character boundary
        size_t cut = scratch.size();
        while (cut > 0 && (static_cast<uint8_t>(out[cut]) & 0xC0) == 0x80) --cut;
        out = out.substr(0, cut);
      }
      break;
    case charset::kIso8859_1:
      out = convert(text, 1, scratch);
      break;
    case charset::kUcs2:
      out = convert(text, 2, scratch);
      break;
    case charset::kUcs4:
      out = convert(text, 4, scratch);
      break;
    default:
      return {};  // DBCS and JIS X 0208 need code page tables
  }
  auto padding = [](char c) { return c == '\0' || c == ' '; };
  while (!out.empty() && padding(out.back())) out.remove_suffix(1);
  while (!out.empty() && padding(out.front())) out.remove_prefix(1);
  bool control = std::any_of(out.begin(), out.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
  return control ? std::string_view{} : out;
}

// ---- APDU ----

Anomaly parse_apdu(Bytes bytes, Apdu& out) {
  ByteReader r(bytes);
  uint8_t first = r.u8();
  if (!r.ok()) return Anomaly::Truncated;
  out.type = first >> 4;
  bool exact = false;  // the PDU has no service parameters
  switch (out.type) {
    case pdu::kConfirmedRequest: {
      out.segmented = first & pdu::kSegmented;
      out.more_follows = first & pdu::kMoreFollows;
      out.segmented_response_accepted = first & pdu::kSegmentedResponseAccepted;
      uint8_t limits = r.u8();
      out.max_segments = kMaxSegments[limits >> 4 & 0x07];
      uint8_t apdu_code = limits & 0x0F;
      out.max_apdu = apdu_code < std::size(kMaxApduLengths) ? kMaxApduLengths[apdu_code] : 0;
      out.invoke_id = r.u8();
      if (out.segmented) {
        out.sequence_number = r.u8();
        out.window_size = r.u8();
      }
      out.service = r.u8();
      out.has_service = true;
      break;
    }
    case pdu::kUnconfirmedRequest:
      out.service = r.u8();
      out.has_service = true;
      break;
    case pdu::kSimpleAck:
      out.invoke_id = r.u8();
      out.service = r.u8();
      out.has_service = true;
      exact = true;
      break;
    case pdu::kComplexAck:
      out.segmented = first & pdu::kSegmented;
      out.more_follows = first & pdu::kMoreFollows;
      out.invoke_id = r.u8();
      if (out.segmented) {
        out.sequence_number = r.u8();
        out.window_size = r.u8();
      }
      out.service = r.u8();
      out.has_service = true;
      break;
    case pdu::kSegmentAck:
      out.negative_ack = first & pdu::kNegativeAck;
      out.sent_by_server = first & pdu::kSentByServer;
      out.invoke_id = r.u8();
      out.sequence_number = r.u8();
      out.window_size = r.u8();
      exact = true;
      break;
    case pdu::kError:
      out.invoke_id = r.u8();
      out.service = r.u8();
      out.has_service = true;
      break;
    case pdu::kReject:
      out.invoke_id = r.u8();
      out.reason = r.u8();
      exact = true;
      break;
    case pdu::kAbort:
      out.sent_by_server = first & pdu::kSentByServer;
      out.invoke_id = r.u8();
      out.reason = r.u8();
      exact = true;
      break;
    default:
      return Anomaly::InvalidApdu;
  }
  if (!r.ok()) return Anomaly::Truncated;
  out.data = r.rest();
  if (exact && !out.data.empty()) return Anomaly::InvalidApdu;
  return Anomaly::None;
}

Anomaly decode_service(const Apdu& apdu, bool partial, ServiceDetails& out) {
  TagReader reader(apdu.data);
  Anomaly result = Anomaly::None;
  switch (apdu.type) {
    case pdu::kConfirmedRequest:
    case pdu::kComplexAck:
      result = decode_confirmed(apdu.type, apdu.service, reader, out);
      break;
    case pdu::kUnconfirmedRequest:
      result = decode_unconfirmed(apdu.service, reader, out);
      break;
    case pdu::kError:
      result = error_pdu(reader, out);
      break;
    default:
      break;
  }
  // The first segment of a segmented message stops wherever the segment size fell.
  return partial && result == Anomaly::Truncated ? Anomaly::None : result;
}

}  // namespace ots::bacnet
