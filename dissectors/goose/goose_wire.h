// IEC 61850-8-1 GOOSE wire grammar: APPID (2), Length (2, header included),
// Reserved1 (2; bit 15 = simulation in Edition 2), Reserved2 (2), then the BER-encoded
// goosePdu ([APPLICATION 1] SEQUENCE, tag 0x61) of context-tagged fields:
// [0] gocbRef, [1] timeAllowedToLive, [2] datSet, [3] goID, [4] t (UtcTime),
// [5] stNum, [6] sqNum, [7] simulation, [8] confRev, [9] ndsCom,
// [10] numDatSetEntries, [11] allData (SEQUENCE OF Data).
// BER handling is strict: single-byte tags, short or long form lengths of at most 4
// bytes, no indefinite length, every length inside its container. allData is walked
// (not interpreted) with an element cap and a nesting cap.
// Stateless: views point into the frame.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "dissectors/dissector.h"

namespace ots::goose {

constexpr uint16_t kEthertype = 0x88B8;
constexpr size_t kHeaderSize = 8;
constexpr size_t kMaxDataElements = 1024;  // allData elements walked, nested ones included
constexpr size_t kMaxDataDepth = 8;        // arrays / structures inside allData

// Stable anomaly names ("goose.<snake_case>"); rules match on them.
enum class Anomaly : uint8_t {
  None = 0,
  InvalidBer,       // multi-byte tag, indefinite or > 4-byte length, wrong tag class, oversized integer
  LengthMismatch,   // a length past its container or the frame; numDatSetEntries ≠ allData entries
  MissingField,     // no gocbRef, stNum or sqNum
  TooComplex,       // allData beyond kMaxDataElements elements or kMaxDataDepth levels
  StNumRegression,  // stNum went back for the same publisher and gocbRef (restart or replay)
  SqNumRegression,  // sqNum went back without a new stNum (replay or duplicate publisher)
  kCount
};
std::string_view anomaly_name(Anomaly a);  // "goose.invalid_ber"; "" for None

struct GoosePdu {
  uint16_t appid = 0;
  uint16_t length = 0;
  bool simulation_bit = false;  // Reserved1 bit 15
  std::string_view gocb_ref, dat_set, go_id;
  uint32_t time_allowed_to_live = 0;
  uint64_t t = 0;  // UtcTime: seconds (4), fraction (3), quality (1)
  uint32_t st_num = 0, sq_num = 0, conf_rev = 0, num_dat_set_entries = 0;
  bool simulation = false, nds_com = false;
  bool has_gocb_ref = false, has_st_num = false, has_sq_num = false, has_num_entries = false;
  size_t data_entries = 0;          // top-level allData elements
  Anomaly anomaly = Anomaly::None;  // the first malformation; fields parsed before it stay filled
};

// Parses the bytes after the EtherType (Ethernet padding beyond Length is ignored).
GoosePdu parse_goose(Bytes payload);

// Match when the bytes hold a GOOSE header whose Length fits and a goosePdu tag follows.
ProbeResult probe(Bytes payload);

// The IED's logical-device name: the part of a gocbRef before '/' ("" when there is none).
std::string_view logical_device(std::string_view gocb_ref);

}  // namespace ots::goose
