// Application payloads with the framing of common OT protocols (correct length
// fields, deterministic bodies), so flows look like their protocol on the wire.
#pragma once

#include <cstdint>

#include "pcaps/gen/frame_builder.h"

namespace ots::pcapgen {

// Modbus/TCP read holding registers (function 3): request and its response.
Frame modbus_read_request(uint16_t transaction, uint8_t unit, uint16_t address, uint16_t count);
Frame modbus_read_response(uint16_t transaction, uint8_t unit, uint16_t count, uint32_t seed);
// TPKT + COTP data header around `size` bytes of S7 PDU body.
Frame s7_message(size_t size, uint32_t seed);
// EtherNet/IP SendRRData: encapsulation header and a common packet format with a
// null address item and an unconnected data item of `size` bytes.
Frame enip_message(uint32_t session, size_t size, uint32_t seed);
// DNP3 link header (start 0x0564, length) followed by `size` body bytes.
Frame dnp3_message(uint16_t destination, uint16_t source, size_t size, uint32_t seed);
// IEC 60870-5-104 APDU: start 0x68, length, 4 control bytes and `size` ASDU bytes.
Frame iec104_message(uint16_t send_seq, uint16_t receive_seq, size_t size, uint32_t seed);

}  // namespace ots::pcapgen
