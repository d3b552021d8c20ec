// DNP3 application layer (IEEE 1815-2012 clause 4.2, object library Annex A).
#include <algorithm>
#include <array>

#include "dissectors/dnp3/dnp3_parser.h"

namespace ots::dnp3 {
namespace {

// ---- Application function codes (clause 4.2.2.5) ----

struct FunctionEntry {
  uint8_t code;
  std::string_view name;
  bool is_write;          // changes process state, configuration or program
  bool expects_response;  // the outstation answers (Confirm and the "No Ack" forms: no)
};

constexpr FunctionEntry kFunctions[] = {
    {0, "Confirm", false, false},
    {1, "Read", false, true},
    {2, "Write", true, true},
    {3, "Select", true, true},
    {4, "Operate", true, true},
    {5, "Direct Operate", true, true},
    {6, "Direct Operate No Ack", true, false},
    {7, "Immediate Freeze", true, true},
    {8, "Immediate Freeze No Ack", true, false},
    {9, "Freeze and Clear", true, true},
    {10, "Freeze and Clear No Ack", true, false},
    {11, "Freeze at Time", true, true},
    {12, "Freeze at Time No Ack", true, false},
    {13, "Cold Restart", true, true},
    {14, "Warm Restart", true, true},
    {15, "Initialize Data", true, true},
    {16, "Initialize Application", true, true},
    {17, "Start Application", true, true},
    {18, "Stop Application", true, true},
    {19, "Save Configuration", true, true},
    {20, "Enable Unsolicited", false, true},
    {21, "Disable Unsolicited", false, true},
    {22, "Assign Class", true, true},  // reconfigures event reporting
    {23, "Delay Measure", false, true},
    {24, "Record Current Time", false, true},  // the clock is set by the Write that follows
    {25, "Open File", true, true},             // a read-mode open is not a write, see parse_fragment()
    {26, "Close File", false, true},
    {27, "Delete File", true, true},
    {28, "Get File Info", false, true},
    {29, "Authenticate File", false, true},
    {30, "Abort File", false, true},
    {31, "Activate Config", true, true},
    {32, "Authenticate Request", false, true},
    {33, "Authenticate Request No Ack", false, false},
    {129, "Response", false, false},
    {130, "Unsolicited Response", false, false},
    {131, "Authenticate Response", false, false},
};

constexpr auto kFunctionIndex = [] {
  std::array<const FunctionEntry*, 256> index{};
  for (const FunctionEntry& entry : kFunctions) index[entry.code] = &entry;
  return index;
}();

// ---- Internal indications (clause 4.2.2.7.2) ----

constexpr std::string_view kIinNames[16] = {
    "All Stations",  // broadcast message received
    "Class 1 Events",        "Class 2 Events",  "Class 3 Events",        "Need Time",
    "Local Control",         "Device Trouble",  "Device Restart",        "Function Code Not Supported",
    "Object Unknown",        "Parameter Error", "Event Buffer Overflow", "Already Executing",
    "Configuration Corrupt", "Reserved IIN2.6", "Reserved IIN2.7",
};

// ---- Object library (Annex A): how to size each group / variation's objects ----

enum class SizeKind : uint8_t {
  Fixed,           // `size` bytes per object
  PackedBits,      // `size` bits per point, packed, no prefix
  VariationBytes,  // octet strings: the variation is the length (1–255)
  Attribute,       // device attributes: data type, length, value
  SizePrefixed,    // free format: only sizeable through a size prefix (qualifier 0x5B …)
  NoData,          // class data: never carries data
};

struct ObjectEntry {
  uint8_t group;
  uint8_t variation;  // 0 in a group-wide entry (any variation ≥ 1)
  SizeKind kind;
  uint8_t size = 0;
  // A variation-specific name where the group's says too little (class data, files,
  // secure authentication); else the group's name is used.
  std::string_view name = {};
};

// Sorted by group, then variation. Entries with variation 0 apply to every variation ≥ 1.
constexpr ObjectEntry kObjects[] = {
    {0, 0, SizeKind::Attribute},
    {1, 1, SizeKind::PackedBits, 1},
    {1, 2, SizeKind::Fixed, 1},
    {2, 1, SizeKind::Fixed, 1},
    {2, 2, SizeKind::Fixed, 7},
    {2, 3, SizeKind::Fixed, 3},
    {3, 1, SizeKind::PackedBits, 2},
    {3, 2, SizeKind::Fixed, 1},
    {4, 1, SizeKind::Fixed, 1},
    {4, 2, SizeKind::Fixed, 7},
    {4, 3, SizeKind::Fixed, 3},
    {10, 1, SizeKind::PackedBits, 1},
    {10, 2, SizeKind::Fixed, 1},
    {11, 1, SizeKind::Fixed, 1},
    {11, 2, SizeKind::Fixed, 7},
    {12, 1, SizeKind::Fixed, 11},      // control relay output block
    {12, 2, SizeKind::Fixed, 11},      // pattern control block
    {12, 3, SizeKind::PackedBits, 1},  // pattern mask
    {13, 1, SizeKind::Fixed, 1},
    {13, 2, SizeKind::Fixed, 7},
    {20, 1, SizeKind::Fixed, 5},
    {20, 2, SizeKind::Fixed, 3},
    {20, 3, SizeKind::Fixed, 5},
    {20, 4, SizeKind::Fixed, 3},
    {20, 5, SizeKind::Fixed, 4},
    {20, 6, SizeKind::Fixed, 2},
    {20, 7, SizeKind::Fixed, 4},
    {20, 8, SizeKind::Fixed, 2},
    {21, 1, SizeKind::Fixed, 5},
    {21, 2, SizeKind::Fixed, 3},
    {21, 3, SizeKind::Fixed, 5},
    {21, 4, SizeKind::Fixed, 3},
    {21, 5, SizeKind::Fixed, 11},
    {21, 6, SizeKind::Fixed, 9},
    {21, 7, SizeKind::Fixed, 11},
    {21, 8, SizeKind::Fixed, 9},
    {21, 9, SizeKind::Fixed, 4},
    {21, 10, SizeKind::Fixed, 2},
    {21, 11, SizeKind::Fixed, 4},
    {21, 12, SizeKind::Fixed, 2},
    {22, 1, SizeKind::Fixed, 5},
    {22, 2, SizeKind::Fixed, 3},
    {22, 3, SizeKind::Fixed, 5},
    {22, 4, SizeKind::Fixed, 3},
    {22, 5, SizeKind::Fixed, 11},
    {22, 6, SizeKind::Fixed, 9},
    {22, 7, SizeKind::Fixed, 11},
    {22, 8, SizeKind::Fixed, 9},
    {23, 1, SizeKind::Fixed, 5},
    {23, 2, SizeKind::Fixed, 3},
    {23, 3, SizeKind::Fixed, 5},
    {23, 4, SizeKind::Fixed, 3},
    {23, 5, SizeKind::Fixed, 11},
    {23, 6, SizeKind::Fixed, 9},
    {23, 7, SizeKind::Fixed, 11},
    {23, 8, SizeKind::Fixed, 9},
    {30, 1, SizeKind::Fixed, 5},
    {30, 2, SizeKind::Fixed, 3},
    {30, 3, SizeKind::Fixed, 4},
    {30, 4, SizeKind::Fixed, 2},
    {30, 5, SizeKind::Fixed, 5},
    {30, 6, SizeKind::Fixed, 9},
    {31, 1, SizeKind::Fixed, 5},
    {31, 2, SizeKind::Fixed, 3},
    {31, 3, SizeKind::Fixed, 11},
    {31, 4, SizeKind::Fixed, 9},
    {31, 5, SizeKind::Fixed, 4},
    {31, 6, SizeKind::Fixed, 2},
    {31, 7, SizeKind::Fixed, 5},
    {31, 8, SizeKind::Fixed, 9},
    {32, 1, SizeKind::Fixed, 5},
    {32, 2, SizeKind::Fixed, 3},
    {32, 3, SizeKind::Fixed, 11},
    {32, 4, SizeKind::Fixed, 9},
    {32, 5, SizeKind::Fixed, 5},
    {32, 6, SizeKind::Fixed, 9},
    {32, 7, SizeKind::Fixed, 11},
    {32, 8, SizeKind::Fixed, 15},
    {33, 1, SizeKind::Fixed, 5},
    {33, 2, SizeKind::Fixed, 3},
    {33, 3, SizeKind::Fixed, 11},
    {33, 4, SizeKind::Fixed, 9},
    {33, 5, SizeKind::Fixed, 5},
    {33, 6, SizeKind::Fixed, 9},
    {33, 7, SizeKind::Fixed, 11},
    {33, 8, SizeKind::Fixed, 15},
    {34, 1, SizeKind::Fixed, 2},
    {34, 2, SizeKind::Fixed, 4},
    {34, 3, SizeKind::Fixed, 4},
    {40, 1, SizeKind::Fixed, 5},
    {40, 2, SizeKind::Fixed, 3},
    {40, 3, SizeKind::Fixed, 5},
    {40, 4, SizeKind::Fixed, 9},
    {41, 1, SizeKind::Fixed, 5},
    {41, 2, SizeKind::Fixed, 3},
    {41, 3, SizeKind::Fixed, 5},
    {41, 4, SizeKind::Fixed, 9},
    {42, 1, SizeKind::Fixed, 5},
    {42, 2, SizeKind::Fixed, 3},
    {42, 3, SizeKind::Fixed, 11},
    {42, 4, SizeKind::Fixed, 9},
    {42, 5, SizeKind::Fixed, 5},
    {42, 6, SizeKind::Fixed, 9},
    {42, 7, SizeKind::Fixed, 11},
    {42, 8, SizeKind::Fixed, 15},
    {43, 1, SizeKind::Fixed, 5},
    {43, 2, SizeKind::Fixed, 3},
    {43, 3, SizeKind::Fixed, 11},
    {43, 4, SizeKind::Fixed, 9},
    {43, 5, SizeKind::Fixed, 5},
    {43, 6, SizeKind::Fixed, 9},
    {43, 7, SizeKind::Fixed, 11},
    {43, 8, SizeKind::Fixed, 15},
    {50, 1, SizeKind::Fixed, 6},
    {50, 2, SizeKind::Fixed, 10},
    {50, 3, SizeKind::Fixed, 6},
    {50, 4, SizeKind::Fixed, 11},
    {51, 1, SizeKind::Fixed, 6},
    {51, 2, SizeKind::Fixed, 6},
    {52, 1, SizeKind::Fixed, 2},
    {52, 2, SizeKind::Fixed, 2},
    {60, 1, SizeKind::NoData, 0, "Class 0 Data"},
    {60, 2, SizeKind::NoData, 0, "Class 1 Data"},
    {60, 3, SizeKind::NoData, 0, "Class 2 Data"},
    {60, 4, SizeKind::NoData, 0, "Class 3 Data"},
    {70, 1, SizeKind::SizePrefixed, 0, "File Identifier"},
    {70, 2, SizeKind::SizePrefixed, 0, "File Authentication"},
    {70, 3, SizeKind::SizePrefixed, 0, "File Command"},
    {70, 4, SizeKind::SizePrefixed, 0, "File Command Status"},
    {70, 5, SizeKind::SizePrefixed, 0, "File Transport"},
    {70, 6, SizeKind::SizePrefixed, 0, "File Transport Status"},
    {70, 7, SizeKind::SizePrefixed, 0, "File Descriptor"},
    {70, 8, SizeKind::SizePrefixed, 0, "File Specification String"},
    {80, 1, SizeKind::PackedBits, 1},
    {81, 1, SizeKind::Fixed, 3},
    {83, 0, SizeKind::SizePrefixed},
    {85, 0, SizeKind::SizePrefixed},
    {86, 0, SizeKind::SizePrefixed},
    {87, 0, SizeKind::SizePrefixed},
    {88, 0, SizeKind::SizePrefixed},
    {90, 0, SizeKind::SizePrefixed},
    {91, 0, SizeKind::SizePrefixed},
    {101, 1, SizeKind::Fixed, 2},
    {101, 2, SizeKind::Fixed, 4},
    {101, 3, SizeKind::Fixed, 8},
    {102, 1, SizeKind::Fixed, 1},
    {110, 0, SizeKind::VariationBytes},
    {111, 0, SizeKind::VariationBytes},
    {112, 0, SizeKind::VariationBytes},
    {113, 0, SizeKind::VariationBytes},
    {120, 1, SizeKind::SizePrefixed, 0, "Authentication Challenge"},
    {120, 2, SizeKind::SizePrefixed, 0, "Authentication Reply"},
    {120, 3, SizeKind::Fixed, 6, "Authentication Aggressive Mode Request"},
    {120, 4, SizeKind::Fixed, 2, "Authentication Session Key Status Request"},
    {120, 5, SizeKind::SizePrefixed, 0, "Authentication Session Key Status"},
    {120, 6, SizeKind::SizePrefixed, 0, "Authentication Session Key Change"},
    {120, 7, SizeKind::SizePrefixed, 0, "Authentication Error"},
    {120, 8, SizeKind::SizePrefixed, 0, "Authentication User Certificate"},
    {120, 9, SizeKind::SizePrefixed, 0, "Authentication MAC"},
    {120, 10, SizeKind::SizePrefixed, 0, "Authentication User Status Change"},
    {120, 11, SizeKind::SizePrefixed, 0, "Authentication Update Key Change Request"},
    {120, 12, SizeKind::SizePrefixed, 0, "Authentication Update Key Change Reply"},
    {120, 13, SizeKind::SizePrefixed, 0, "Authentication Update Key Change"},
    {120, 14, SizeKind::SizePrefixed, 0, "Authentication Update Key Change Signature"},
    {120, 15, SizeKind::SizePrefixed, 0, "Authentication Update Key Change Confirmation"},
    {121, 1, SizeKind::Fixed, 7},
    {122, 1, SizeKind::Fixed, 7},
    {122, 2, SizeKind::Fixed, 13},
};

constexpr bool objects_sorted() {
  for (size_t i = 1; i < std::size(kObjects); ++i) {
    const ObjectEntry& a = kObjects[i - 1];
    const ObjectEntry& b = kObjects[i];
    if (a.group > b.group || (a.group == b.group && a.variation >= b.variation)) return false;
  }
  return true;
}
static_assert(objects_sorted());

// First table entry of each group (kNoEntry when the group has none).
constexpr uint16_t kNoEntry = 0xFFFF;
constexpr auto kGroupIndex = [] {
  std::array<uint16_t, 256> index{};
  index.fill(kNoEntry);
  for (size_t i = std::size(kObjects); i-- > 0;) index[kObjects[i].group] = static_cast<uint16_t>(i);
  return index;
}();

const ObjectEntry* find_object(uint8_t group, uint8_t variation) {
  for (size_t i = kGroupIndex[group]; i < std::size(kObjects) && kObjects[i].group == group; ++i) {
    const ObjectEntry& entry = kObjects[i];
    bool matches = entry.variation == 0 ? variation != 0 : entry.variation == variation;
    if (matches) return &entry;
  }
  return nullptr;
}

struct GroupName {
  uint8_t group;
  std::string_view name;
};
constexpr GroupName kGroupNames[] = {
    {0, "Device Attributes"},
    {1, "Binary Input"},
    {2, "Binary Input Event"},
    {3, "Double-bit Binary Input"},
    {4, "Double-bit Binary Input Event"},
    {10, "Binary Output"},
    {11, "Binary Output Event"},
    {12, "Binary Output Command"},
    {13, "Binary Output Command Event"},
    {20, "Counter"},
    {21, "Frozen Counter"},
    {22, "Counter Event"},
    {23, "Frozen Counter Event"},
    {30, "Analog Input"},
    {31, "Frozen Analog Input"},
    {32, "Analog Input Event"},
    {33, "Frozen Analog Input Event"},
    {34, "Analog Input Deadband"},
    {40, "Analog Output Status"},
    {41, "Analog Output Block"},
    {42, "Analog Output Event"},
    {43, "Analog Output Command Event"},
    {50, "Time and Date"},
    {51, "Common Time of Occurrence"},
    {52, "Time Delay"},
    {60, "Class Data"},
    {70, "File Control"},
    {80, "Internal Indications"},
    {81, "Device Storage"},
    {82, "Device Profile"},
    {83, "Private Registration Object"},
    {85, "Data Set Prototype"},
    {86, "Data Set Descriptor"},
    {87, "Data Set"},
    {88, "Data Set Event"},
    {90, "Application Identifier"},
    {91, "Activate Configuration Status"},
    {100, "Floating Point"},
    {101, "BCD Integer"},
    {102, "Unsigned Integer"},
    {110, "Octet String"},
    {111, "Octet String Event"},
    {112, "Virtual Terminal Output Block"},
    {113, "Virtual Terminal Event Data"},
    {120, "Authentication"},
    {121, "Security Statistic"},
    {122, "Security Statistic Event"},
};

constexpr auto kGroupNameIndex = [] {
  std::array<std::string_view, 256> index{};
  for (const GroupName& entry : kGroupNames) index[entry.group] = entry.name;
  return index;
}();

// Device attribute variations of group 0 (Annex A.1, DNP3 device attribute list).
struct AttributeName {
  uint8_t variation;
  std::string_view name;
};
constexpr AttributeName kAttributes[] = {
    {209, "Secure Authentication Version"},
    {210, "Number of Security Statistics"},
    {211, "Identification of User-Specific Attributes"},
    {212, "Number of Master-Defined Data Set Prototypes"},
    {213, "Number of Outstation-Defined Data Set Prototypes"},
    {214, "Number of Master-Defined Data Sets"},
    {215, "Number of Outstation-Defined Data Sets"},
    {216, "Maximum Binary Outputs per Request"},
    {217, "Local Timing Accuracy"},
    {218, "Duration of Time Accuracy"},
    {219, "Support for Analog Output Events"},
    {220, "Maximum Analog Output Index"},
    {221, "Number of Analog Outputs"},
    {222, "Support for Binary Output Events"},
    {223, "Maximum Binary Output Index"},
    {224, "Number of Binary Outputs"},
    {225, "Support for Frozen Counter Events"},
    {226, "Support for Frozen Counters"},
    {227, "Support for Counter Events"},
    {228, "Maximum Counter Index"},
    {229, "Number of Counter Points"},
    {230, "Support for Frozen Analog Inputs"},
    {231, "Support for Analog Input Events"},
    {232, "Maximum Analog Input Index"},
    {233, "Number of Analog Input Points"},
    {234, "Support for Double-bit Binary Input Events"},
    {235, "Maximum Double-bit Binary Input Index"},
    {236, "Number of Double-bit Binary Input Points"},
    {237, "Support for Binary Input Events"},
    {238, "Maximum Binary Input Index"},
    {239, "Number of Binary Input Points"},
    {240, "Maximum Transmit Fragment Size"},
    {241, "Maximum Receive Fragment Size"},
    {242, "Device Manufacturer's Software Version"},
    {243, "Device Manufacturer's Hardware Version"},
    {244, "User-Assigned Owner Name"},
    {245, "User-Assigned Location Name"},
    {246, "User-Assigned ID Code"},
    {247, "User-Assigned Device Name"},
    {248, "Device Serial Number"},
    {249, "DNP3 Subset and Conformance"},
    {250, "Device Manufacturer's Product Name and Model"},
    {252, "Device Manufacturer's Name"},
    {254, "Non-specific All Attributes Request"},
    {255, "List of Attribute Variations"},
};

// Requests of these functions name points in their object headers but carry no object data.
bool request_carries_data(uint8_t function, uint8_t group) {
  switch (function) {
    case 1:
    case 7:
    case 8:
    case 9:
    case 10:
    case 20:
    case 21:
    case 22:
      return false;
    case 11:
    case 12:  // Freeze at Time: only the time-and-date object carries data
      return group == 50;
    default:
      return true;
  }
}

uint32_t read_uint(ByteReader& r, uint8_t size) {
  switch (size) {
    case 1:
      return r.u8();
    case 2:
      return r.le16();
    case 4:
      return r.le32();
    default:
      return 0;
  }
}

}  // namespace

// ---- Object walk ----

ObjectStep ObjectWalker::stop(Anomaly anomaly) {
  anomaly_ = anomaly;
  return ObjectStep::Stop;
}

ObjectStep ObjectWalker::next(ObjectHeader& out) {
  if (anomaly_ != Anomaly::None) return ObjectStep::Stop;
  if (reader_.empty()) return ObjectStep::End;
  if (++headers_ > kMaxObjectHeaders) return stop(Anomaly::TooManyObjects);
  out = ObjectHeader{};
  out.group = reader_.u8();
  out.variation = reader_.u8();
  out.qualifier = reader_.u8();
  if (!reader_.ok()) return stop(Anomaly::TruncatedObject);

  uint8_t prefix_code = (out.qualifier >> 4) & 0x07;
  uint8_t range_code = out.qualifier & 0x0F;
  if ((out.qualifier & 0x80) != 0 || prefix_code == 7) return stop(Anomaly::InvalidQualifier);
  static constexpr uint8_t kFieldSizes[] = {0, 1, 2, 4, 1, 2, 4};
  out.prefix = prefix_code == 0 ? PrefixKind::None : prefix_code <= 3 ? PrefixKind::Index : PrefixKind::Size;
  out.prefix_size = kFieldSizes[prefix_code];

  switch (range_code) {
    case 0:
    case 1:
    case 2:  // start / stop indexes
    case 3:
    case 4:
    case 5: {  // start / stop virtual addresses (obsolete, same layout)
      uint8_t size = kFieldSizes[range_code % 3 + 1];
      out.range = RangeKind::StartStop;
      out.start = read_uint(reader_, size);
      out.stop = read_uint(reader_, size);
      if (!reader_.ok()) return stop(Anomaly::TruncatedObject);
      if (out.stop < out.start) return stop(Anomaly::InvalidQualifier);
      out.count = uint64_t{out.stop} - out.start + 1;
      out.has_first_index = true;
      out.first_index = out.start;
      break;
    }
    case 6:
      out.range = RangeKind::AllObjects;
      break;
    case 7:
    case 8:
    case 9:
      out.range = RangeKind::Count;
      out.count = read_uint(reader_, kFieldSizes[range_code - 6]);
      break;
    case 0x0B:  // free format: a one-octet count of size-prefixed objects
      if (out.prefix != PrefixKind::Size) return stop(Anomaly::InvalidQualifier);
      out.range = RangeKind::FreeFormat;
      out.count = reader_.u8();
      break;
    default:
      return stop(Anomaly::InvalidQualifier);
  }
  if (!reader_.ok()) return stop(Anomaly::TruncatedObject);

  out.carries_data = out.range != RangeKind::AllObjects && out.group != 60 &&
                     (is_response_ || request_carries_data(function_, out.group));
  if (!read_objects(out)) return ObjectStep::Stop;
  return ObjectStep::Header;
}

// Sizes the objects of `header` and moves past them; false (with anomaly_ set) if it cannot.
bool ObjectWalker::read_objects(ObjectHeader& header) {
  size_t begin = reader_.offset();
  auto fail = [&](Anomaly anomaly) {
    stop(anomaly);
    return false;
  };
  auto finish = [&] {
    header.objects = reader_.whole().subspan(begin, reader_.offset() - begin);
    if (header.carries_data) objects_ += header.count;
    return objects_ <= kMaxObjects || fail(Anomaly::TooManyObjects);
  };
  if (header.range == RangeKind::AllObjects) return finish();
  // Prefixed objects and device attributes are walked one by one; each takes at least a byte,
  // so a count beyond the remaining bytes is refused before any iteration.
  bool iterates = header.prefix != PrefixKind::None;

  const ObjectEntry* entry = nullptr;
  if (header.carries_data && header.prefix != PrefixKind::Size) {
    entry = find_object(header.group, header.variation);
    if (!entry || entry->kind == SizeKind::SizePrefixed || entry->kind == SizeKind::NoData) {
      stopped_group_ = header.group;
      stopped_variation_ = header.variation;
      return fail(Anomaly::UnknownObject);
    }
    if (entry->kind == SizeKind::Attribute) iterates = true;
    if (entry->kind == SizeKind::PackedBits && header.prefix != PrefixKind::None) {
      return fail(Anomaly::InvalidQualifier);
    }
  }
  if (iterates && header.count > reader_.remaining()) return fail(Anomaly::TruncatedObject);

  if (!header.carries_data && header.prefix != PrefixKind::Size) {
    // Point indexes only (e.g. a Read by index list).
    if (header.prefix == PrefixKind::Index && header.count > 0) {
      header.has_first_index = true;
      header.first_index = read_uint(reader_, header.prefix_size);
      reader_.skip(static_cast<size_t>((header.count - 1) * header.prefix_size));
    }
    return reader_.ok() ? finish() : fail(Anomaly::TruncatedObject);
  }

  if (header.prefix == PrefixKind::Size) {
    for (uint64_t i = 0; i < header.count && reader_.ok(); ++i)
      reader_.skip(read_uint(reader_, header.prefix_size));
    return reader_.ok() ? finish() : fail(Anomaly::TruncatedObject);
  }

  if (entry->kind == SizeKind::PackedBits) {
    uint64_t bytes = (header.count * entry->size + 7) / 8;
    if (bytes > reader_.remaining()) return fail(Anomaly::TruncatedObject);
    reader_.skip(static_cast<size_t>(bytes));
    return finish();
  }

  if (entry->kind == SizeKind::Attribute) {
    for (uint64_t i = 0; i < header.count && reader_.ok(); ++i) {
      if (header.prefix == PrefixKind::Index) read_uint(reader_, header.prefix_size);
      reader_.u8();  // data type
      reader_.skip(reader_.u8());
    }
    return reader_.ok() ? finish() : fail(Anomaly::TruncatedObject);
  }

  uint64_t object_size = entry->kind == SizeKind::VariationBytes ? header.variation : entry->size;
  uint64_t stride = object_size + header.prefix_size;
  if (header.count > 0 && stride > reader_.remaining() / header.count) return fail(Anomaly::TruncatedObject);
  if (header.prefix == PrefixKind::Index && header.count > 0) {
    header.has_first_index = true;
    ByteReader first(reader_.peek_rest());
    header.first_index = read_uint(first, header.prefix_size);
  }
  reader_.skip(static_cast<size_t>(header.count * stride));
  return finish();
}

// ---- Fragment ----

Fragment parse_fragment(Bytes bytes) {
  Fragment fragment;
  ByteReader r(bytes);
  fragment.control = decode_app_control(r.u8());
  fragment.function = r.u8();
  if (!r.ok()) {
    fragment.anomaly = Anomaly::InvalidLength;
    return fragment;
  }
  if (!is_known_function(fragment.function)) {
    fragment.anomaly = Anomaly::InvalidFunctionCode;
    return fragment;
  }
  fragment.is_response = fragment.function >= kFcResponse;
  if (fragment.is_response) {
    uint8_t iin1 = r.u8();
    uint8_t iin2 = r.u8();
    if (!r.ok()) {
      fragment.anomaly = Anomaly::InvalidLength;
      return fragment;
    }
    fragment.iin = static_cast<uint16_t>(iin1 | iin2 << 8);
  }
  fragment.objects = r.rest();
  ObjectWalker walker(fragment.objects, fragment.function, fragment.is_response);
  ObjectHeader header;
  ObjectStep step;
  while ((step = walker.next(header)) == ObjectStep::Header) {
    if (fragment.object_headers++ == 0) {
      fragment.has_first_object = true;
      fragment.first_object = header;
    }
    if (header.group == 0 && header.carries_data) fragment.has_device_attributes = true;
    if (fragment.function == kFcOpenFile && header.group == 70 && header.variation == 3 &&
        header.carries_data) {
      // File command: size prefix, then name offset (2), name size (2), creation time (6),
      // permissions (2), authentication key (4), file size (4), operational mode (2) …
      constexpr size_t kModeOffset = 20;
      ByteReader object(header.objects);
      object.skip(header.prefix_size + kModeOffset);
      uint16_t mode = object.le16();
      if (object.ok()) fragment.file_mode = mode;
    }
  }
  if (step == ObjectStep::Stop) {
    fragment.anomaly = walker.anomaly();
    fragment.unknown_group = walker.stopped_group();
    fragment.unknown_variation = walker.stopped_variation();
  }
  return fragment;
}

bool DeviceAttributeReader::next(DeviceAttribute& out) {
  while (true) {
    if (remaining_ > 0) {
      --remaining_;
      out.variation = variation_;
      out.data_type = pending_.u8();
      out.value = pending_.bytes(pending_.u8());
      if (pending_.ok()) return true;
      remaining_ = 0;  // the walker validated the sizes; stay safe anyway
      continue;
    }
    ObjectHeader header;
    if (walker_.next(header) != ObjectStep::Header) return false;
    // The walker sized attribute objects without prefixes or with index prefixes; only the
    // unprefixed form (qualifier 0x00 / 0x01 / 0x07 …) is read here.
    if (header.group != 0 || !header.carries_data || header.prefix != PrefixKind::None) continue;
    pending_ = ByteReader(header.objects);
    variation_ = header.variation;
    remaining_ = header.count;
  }
}

// ---- Names ----

AppControl decode_app_control(uint8_t octet) {
  return {.fir = (octet & 0x80) != 0,
          .fin = (octet & 0x40) != 0,
          .con = (octet & 0x20) != 0,
          .uns = (octet & 0x10) != 0,
          .sequence = static_cast<uint8_t>(octet & 0x0F)};
}

std::string_view iin_bit_name(unsigned bit) { return bit < std::size(kIinNames) ? kIinNames[bit] : ""; }

std::string_view iin_error_name(uint16_t iin) {
  for (unsigned bit = 8; bit < 11; ++bit) {
    if (iin & (1u << bit)) return kIinNames[bit];
  }
  return {};
}

std::string_view function_name(uint8_t function) {
  const FunctionEntry* entry = kFunctionIndex[function];
  return entry ? entry->name : std::string_view{};
}

bool is_known_function(uint8_t function) { return kFunctionIndex[function] != nullptr; }

bool is_write_function(uint8_t function) {
  const FunctionEntry* entry = kFunctionIndex[function];
  return entry && entry->is_write;
}

bool is_write(const Fragment& fragment) {
  if (fragment.function == kFcOpenFile && fragment.file_mode == kFileModeRead) return false;
  return is_write_function(fragment.function);
}

bool expects_response(uint8_t function) {
  const FunctionEntry* entry = kFunctionIndex[function];
  return entry && entry->expects_response;
}

std::string_view object_name(uint8_t group, uint8_t variation) {
  const ObjectEntry* entry = find_object(group, variation);
  if (entry && !entry->name.empty()) return entry->name;
  return kGroupNameIndex[group];
}

std::string_view device_attribute_name(uint8_t variation) {
  for (const AttributeName& entry : kAttributes) {
    if (entry.variation == variation) return entry.name;
  }
  return {};
}

}  // namespace ots::dnp3
