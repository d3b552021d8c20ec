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

// Valid polls, for the benchmark: every field the dissectors check is right (lengths, codes,
// DNP3 link CRCs, IEC-104 type ids and causes), so each flow is recognised and measured as its
// protocol. The framing builders above only look like their protocol and are kept unchanged
// for the committed sample captures.

// S7comm Read Var of `bytes` bytes of data block `db` at `byte_address` (TPKT + COTP DT + S7 job)
// and its Ack_Data carrying `bytes` data bytes.
Frame s7_read_var_request(uint16_t pdu_ref, uint16_t db, uint32_t byte_address, uint16_t bytes);
Frame s7_read_var_response(uint16_t pdu_ref, uint16_t bytes, uint32_t seed);
// EtherNet/IP SendRRData carrying CIP Read Tag ("Tag_<tag>", `elements` DINTs) and its reply.
Frame enip_read_tag_request(uint32_t session, uint64_t context, uint16_t tag, uint16_t elements);
Frame enip_read_tag_response(uint32_t session, uint64_t context, uint16_t elements, uint32_t seed);
// EtherNet/IP class 1 cyclic I/O datagram (UDP 2222): sequenced address item and a connected data
// item with its 16-bit sequence count and `size` bytes of data.
Frame enip_io_packet(uint32_t connection_id, uint32_t sequence, size_t size, uint32_t seed);
// DNP3 class 0 poll (master → outstation) and a response of `points` 16-bit analog inputs with
// flags (g30v2, at most 80 so the response fits one link frame), with real link CRCs.
Frame dnp3_class0_poll(uint16_t outstation, uint16_t master, uint8_t sequence);
Frame dnp3_analog_response(uint16_t master, uint16_t outstation, uint8_t sequence, uint8_t points, uint32_t seed);
// IEC-104 general interrogation (C_IC_NA_1, activation) from the controlling station, and
// `count` (at most 30) short floating-point measurements (M_ME_NC_1, interrogated by station).
Frame iec104_interrogation(uint16_t send_seq, uint16_t receive_seq, uint16_t common_address);
Frame iec104_measurements(uint16_t send_seq, uint16_t receive_seq, uint16_t common_address, uint8_t count,
                          uint32_t seed);

}  // namespace ots::pcapgen
