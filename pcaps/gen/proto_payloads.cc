#include "pcaps/gen/proto_payloads.h"

#include <cstdlib>

namespace ots::pcapgen::proto {

namespace {

// Appends fields to a message; every multi-byte helper names its byte order.
struct Out {
  Frame b;
  Out& u8(uint8_t v) { b.push_back(v); return *this; }
  Out& be16(uint16_t v) { return u8(uint8_t(v >> 8)).u8(uint8_t(v)); }
  Out& le16(uint16_t v) { return u8(uint8_t(v)).u8(uint8_t(v >> 8)); }
  Out& be24(uint32_t v) { return u8(uint8_t(v >> 16)).be16(uint16_t(v)); }
  Out& le24(uint32_t v) { return le16(uint16_t(v)).u8(uint8_t(v >> 16)); }
  Out& be32(uint32_t v) { return be16(uint16_t(v >> 16)).be16(uint16_t(v)); }
  Out& le32(uint32_t v) { return le16(uint16_t(v)).le16(uint16_t(v >> 16)); }
  Out& le64(uint64_t v) { return le32(uint32_t(v)).le32(uint32_t(v >> 32)); }
  Out& raw(Bytes v) { b.insert(b.end(), v.begin(), v.end()); return *this; }
  Out& str(std::string_view s) { b.insert(b.end(), s.begin(), s.end()); return *this; }
  Out& fill(size_t n, uint8_t v = 0) { b.insert(b.end(), n, v); return *this; }
  Out& padded(std::string_view s, size_t n, char pad = ' ') {  // fixed-width text field
    for (size_t i = 0; i < n; ++i) u8(uint8_t(i < s.size() ? s[i] : pad));
    return *this;
  }
  Out& utf16le(std::string_view s) { for (char c : s) le16(uint8_t(c)); return *this; }
  size_t size() const { return b.size(); }
  void put_be16(size_t at, uint16_t v) { b[at] = uint8_t(v >> 8); b[at + 1] = uint8_t(v); }
  void put_le16(size_t at, uint16_t v) { b[at] = uint8_t(v); b[at + 1] = uint8_t(v >> 8); }
  void put_le32(size_t at, uint32_t v) { put_le16(at, uint16_t(v)); put_le16(at + 2, uint16_t(v >> 16)); }
};

Frame hex(std::string_view text) {
  Frame out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < text.size(); i += 2) out.push_back(uint8_t(nibble(text[i]) << 4 | nibble(text[i + 1])));
  return out;
}

Frame cat(std::initializer_list<Bytes> parts) {
  Frame out;
  for (Bytes p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// BER / ASN.1 tag-length-value with the short or two-byte long length form.
Frame tlv(uint8_t tag, Bytes value) {
  Out o;
  o.u8(tag);
  if (value.size() < 0x80) o.u8(uint8_t(value.size()));
  else if (value.size() < 0x100) o.u8(0x81).u8(uint8_t(value.size()));
  else o.u8(0x82).be16(uint16_t(value.size()));
  return o.raw(value).b;
}
Frame tlv(uint8_t tag, std::string_view s) { return tlv(tag, Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size())); }
Frame ber_int(uint8_t tag, uint32_t v) {
  Out o;
  bool started = false;
  for (int shift = 24; shift >= 0; shift -= 8) {
    uint8_t byte = uint8_t(v >> shift);
    if (!started && byte == 0 && shift > 0) continue;
    if (!started && (byte & 0x80)) o.u8(0);
    started = true;
    o.u8(byte);
  }
  return tlv(tag, o.b);
}

uint32_t v4(const IpAddr& a) {
  const auto& b = a.bytes;
  return uint32_t(b[12]) << 24 | uint32_t(b[13]) << 16 | uint32_t(b[14]) << 8 | b[15];
}

}  // namespace

// ---- Modbus -----------------------------------------------------------------------------------------

Frame modbus(uint16_t transaction, uint8_t unit, Bytes pdu) {
  return Out().be16(transaction).be16(0).be16(uint16_t(pdu.size() + 1)).u8(unit).raw(pdu).b;
}
Frame modbus_read_holding(uint16_t t, uint8_t unit, uint16_t address, uint16_t count) {
  return modbus(t, unit, Out().u8(3).be16(address).be16(count).b);
}
Frame modbus_read_holding_reply(uint16_t t, uint8_t unit, const std::vector<uint16_t>& values) {
  Out pdu;
  pdu.u8(3).u8(uint8_t(values.size() * 2));
  for (uint16_t v : values) pdu.be16(v);
  return modbus(t, unit, pdu.b);
}
Frame modbus_write_single(uint16_t t, uint8_t unit, uint16_t address, uint16_t value) {
  return modbus(t, unit, Out().u8(6).be16(address).be16(value).b);
}
Frame modbus_write_multiple(uint16_t t, uint8_t unit, uint16_t address, const std::vector<uint16_t>& values) {
  Out pdu;
  pdu.u8(16).be16(address).be16(uint16_t(values.size())).u8(uint8_t(values.size() * 2));
  for (uint16_t v : values) pdu.be16(v);
  return modbus(t, unit, pdu.b);
}
Frame modbus_write_multiple_reply(uint16_t t, uint8_t unit, uint16_t address, uint16_t count) {
  return modbus(t, unit, Out().u8(16).be16(address).be16(count).b);
}
Frame modbus_device_id_request(uint16_t t, uint8_t unit) { return modbus(t, unit, Out().u8(0x2B).u8(0x0E).u8(1).u8(0).b); }
Frame modbus_device_id_reply(uint16_t t, uint8_t unit, std::string_view vendor, std::string_view product_code,
                             std::string_view revision) {
  Out pdu;
  pdu.u8(0x2B).u8(0x0E).u8(1).u8(0x01).u8(0).u8(0).u8(3);
  uint8_t id = 0;
  for (std::string_view s : {vendor, product_code, revision}) pdu.u8(id++).u8(uint8_t(s.size())).str(s);
  return modbus(t, unit, pdu.b);
}
Frame modbus_diagnostics(uint16_t t, uint8_t unit, uint16_t sub_function, uint16_t data) {
  return modbus(t, unit, Out().u8(8).be16(sub_function).be16(data).b);
}
Frame modbus_umas(uint16_t t, uint8_t unit, uint8_t session, uint8_t umas_function, Bytes data) {
  return modbus(t, unit, Out().u8(0x5A).u8(session).u8(umas_function).raw(data).b);
}

// ---- TPKT / COTP / S7comm ---------------------------------------------------------------------------

namespace {
Frame tpkt(Bytes cotp_and_data) { return Out().u8(3).u8(0).be16(uint16_t(cotp_and_data.size() + 4)).raw(cotp_and_data).b; }
Frame cotp_cx(uint8_t code, uint16_t dst_ref, uint16_t src_ref, uint16_t calling, uint16_t called) {
  Out c;
  c.u8(0).u8(code).be16(dst_ref).be16(src_ref).u8(0);
  c.u8(0xC0).u8(1).u8(0x0A);              // TPDU size 1024
  c.u8(0xC1).u8(2).be16(calling);
  c.u8(0xC2).u8(2).be16(called);
  c.b[0] = uint8_t(c.size() - 1);
  return tpkt(c.b);
}
// S7 header: job (1) and user data (7) have 10 bytes, ack-data (3) 12 with the error fields.
Frame s7(uint8_t rosctr, uint16_t pdu_ref, Bytes param, Bytes data) {
  Out o;
  o.u8(0x32).u8(rosctr).be16(0).be16(pdu_ref).be16(uint16_t(param.size())).be16(uint16_t(data.size()));
  if (rosctr == 3 || rosctr == 2) o.be16(0);
  return tpkt_data(o.raw(param).raw(data).b);
}
Frame s7_any_db(uint16_t db, uint32_t byte_address, uint16_t bytes) {
  return Out().u8(0x12).u8(0x0A).u8(0x10).u8(0x02).be16(bytes).be16(db).u8(0x84).be24(byte_address * 8).b;
}
Frame szl_reply(uint16_t pdu_ref, uint16_t szl_id, uint16_t record_length, Bytes records, uint16_t count) {
  Frame param = hex("000112081284010100000000");
  Out data;
  data.u8(0xFF).u8(0x09).be16(uint16_t(8 + records.size())).be16(szl_id).be16(0).be16(record_length).be16(count).raw(records);
  return s7(7, pdu_ref, param, data.b);
}
Frame s7_filename_param(uint8_t function, std::string_view block, bool with_length) {
  Out p;
  p.u8(function).u8(0).u8(1).be16(0).be32(0);
  std::string name = "_" + std::string(block) + "P";
  p.u8(uint8_t(name.size())).str(name);
  if (with_length) p.u8(13).str("1000268000122");
  return p.b;
}
}  // namespace

Frame cotp_connect_request(uint16_t src_ref, uint16_t calling, uint16_t called) { return cotp_cx(0xE0, 0, src_ref, calling, called); }
Frame cotp_connect_confirm(uint16_t dst_ref, uint16_t src_ref, uint16_t calling, uint16_t called) {
  return cotp_cx(0xD0, dst_ref, src_ref, calling, called);
}
Frame tpkt_data(Bytes user_data) { return tpkt(Out().u8(2).u8(0xF0).u8(0x80).raw(user_data).b); }

Frame s7_setup_communication(uint16_t pdu_ref, bool response) {
  return s7(response ? 3 : 1, pdu_ref, hex("f0000001000101e0"), {});
}
Frame s7_read_db(uint16_t pdu_ref, uint16_t db, uint32_t address, uint16_t bytes) {
  return s7(1, pdu_ref, cat({hex("0401"), s7_any_db(db, address, bytes)}), {});
}
Frame s7_read_db_reply(uint16_t pdu_ref, Bytes data) {
  Out d;
  d.u8(0xFF).u8(0x04).be16(uint16_t(data.size() * 8)).raw(data);
  if (data.size() % 2) d.u8(0);
  return s7(3, pdu_ref, hex("0401"), d.b);
}
Frame s7_write_db(uint16_t pdu_ref, uint16_t db, uint32_t address, Bytes data) {
  Out d;
  d.u8(0).u8(0x04).be16(uint16_t(data.size() * 8)).raw(data);
  return s7(1, pdu_ref, cat({hex("0501"), s7_any_db(db, address, uint16_t(data.size()))}), d.b);
}
Frame s7_write_db_reply(uint16_t pdu_ref) { return s7(3, pdu_ref, hex("0501"), hex("ff")); }
Frame s7_read_szl(uint16_t pdu_ref, uint16_t szl_id, uint16_t index) {
  return s7(7, pdu_ref, hex("0001120411440100"), Out().u8(0xFF).u8(0x09).be16(4).be16(szl_id).be16(index).b);
}
Frame s7_szl_0011_reply(uint16_t pdu_ref, std::string_view order_number) {
  Out r;
  r.be16(1).padded(order_number, 20).be16(0xC0).be16(0x0005).be16(0x0004);
  r.be16(6).padded("6ES7 315-2EH14-0AB0", 20).be16(0xC0).be16(0x0005).be16(0x0004);  // basic hardware
  return szl_reply(pdu_ref, 0x0011, 28, r.b, 2);
}
Frame s7_szl_001c_reply(uint16_t pdu_ref, std::string_view station, std::string_view module, std::string_view serial,
                        std::string_view module_type) {
  Out r;
  auto record = [&](uint16_t index, std::string_view text) { r.be16(index).padded(text, 32, '\0'); };
  record(1, station);
  record(2, module);
  record(5, serial);
  record(7, module_type);
  return szl_reply(pdu_ref, 0x001C, 34, r.b, 4);
}
Frame s7_plc_stop(uint16_t pdu_ref) { return s7(1, pdu_ref, cat({hex("29000000000009"), Frame{'P', '_', 'P', 'R', 'O', 'G', 'R', 'A', 'M'}}), {}); }
Frame s7_request_download(uint16_t pdu_ref, std::string_view block) { return s7(1, pdu_ref, s7_filename_param(0x1A, block, true), {}); }
Frame s7_download_block(uint16_t pdu_ref, std::string_view block) { return s7(1, pdu_ref, s7_filename_param(0x1B, block, false), {}); }
Frame s7_ack(uint16_t pdu_ref, uint8_t function) { return s7(3, pdu_ref, Frame{function}, {}); }

// ---- S7comm-plus --------------------------------------------------------------------------------------
// Messages of a public TIA Portal HMI capture (the CreateObject answer carries the
// session-version string "1;6ES7 211-1BE31-0XB0 ;V3.0"); their integrity fields are unknown,
// so they are reused as recorded rather than rebuilt.
std::vector<Frame> s7plus_session_client() {
  return {hex("030000241fe00000011200c1020620c21053494d415449432d524f4f542d484d49c0010a"),
          hex("030000d902f080720100ca31000004ca0000000100000120360000011d00040000000000a1000000d3821f0000a381690015"
              "1653657276657253657373696f6e5f3130303030303030a3822100150a313a3a3a362e33323a3aa38228001508484d492055"
              "534552a38229001505534d405254a3822a001508484d4920484f5354a3822b000402a3822c001210000000a3822d0015164f"
              "4d532b20666f7220534d4152542052756e74696d65a1000000d3817f0000a38169001515537562736372697074696f6e436f"
              "6e7461696e6572a2a20000000072010000"),
          hex("0300007a02f0807202006b310000054200000002000003be34000003be010182320100170000013a823b00048200823c0004"
              "8140823d00048480c040823e00048480c040823f0015008240001505323b3238388241000300030000000004e88969001200"
              "000000896a001300896b000400000000000072020000"),
          hex("0300005302f08072020044310000054c00000003000003be3400000000030e0032019a7b00814902880d876800814902880d"
              "8769000004e88969001200000000896a001300896b000400000000000072020000")};
}
std::vector<Frame> s7plus_session_server() {
  return {hex("030000241fd00112000900c0010ac1020620c21053494d415449432d524f4f542d484d49"),
          hex("0300008902f0807201007a32000004ca00000001361102873e8723a100000120821f0000a38169001500a382320017000001"
              "3a823b00048200823c00048140823d00048480c040823e00048480c040823f00151b313b36455337203231312d3142453331"
              "2d30584230203b56332e308240001505323b32383882410003000300a20000000072010000"),
          hex("0300001f02f080720200103200000542000000023400000000000072020000"),
          hex("0300002c02f0807202001d320000054c00000003340001000801020008320300083200000000000072020000")};
}

// ---- EtherNet/IP + CIP ----------------------------------------------------------------------------------

namespace {
Frame enip(uint16_t command, uint32_t session, Bytes data) {
  return Out().le16(command).le16(uint16_t(data.size())).le32(session).le32(0).le64(0x5f0073656e736f72ull).le32(0).raw(data).b;
}
Frame cip_identity_fields(const CipIdentity& id) {
  return Out().le16(id.vendor_id).le16(id.device_type).le16(id.product_code).u8(id.major).u8(id.minor)
      .le16(0x0060).le32(id.serial).u8(uint8_t(id.product_name.size())).str(id.product_name).b;
}
}  // namespace

Frame enip_list_identity_request() { return enip(0x63, 0, {}); }
Frame enip_list_identity_reply(const CipIdentity& id) {
  Out item;
  item.le16(1).be16(2).be16(44818).be32(v4(id.address)).fill(8).raw(cip_identity_fields(id)).u8(3);
  return enip(0x63, 0, Out().le16(1).le16(0x0C).le16(uint16_t(item.size())).raw(item.b).b);
}
Frame enip_register_session(uint32_t session) { return enip(0x65, session, Out().le16(1).le16(0).b); }
Frame enip_send_rr(uint32_t session, Bytes cip) {
  return enip(0x6F, session, Out().le32(0).le16(10).le16(2).le16(0).le16(0).le16(0xB2).le16(uint16_t(cip.size())).raw(cip).b);
}
Frame cip_get_attributes_all(uint16_t cls, uint16_t instance) {
  return Out().u8(0x01).u8(2).u8(0x20).u8(uint8_t(cls)).u8(0x24).u8(uint8_t(instance)).b;
}
Frame cip_identity_reply(const CipIdentity& id) { return Out().u8(0x81).u8(0).u8(0).u8(0).raw(cip_identity_fields(id)).b; }
Frame cip_forward_open(uint32_t o_t_id, uint32_t t_o_id, uint16_t serial) {
  Out o;
  o.u8(0x54).u8(2).u8(0x20).u8(0x06).u8(0x24).u8(0x01).u8(0x0A).u8(0x0E).le32(o_t_id).le32(t_o_id).le16(serial)
      .le16(0x004D).le32(0x12345678).u8(3).fill(3).le32(20000).le16(0x4820).le32(20000).le16(0x4820).u8(0x01)
      .u8(5).raw(hex("01002004240a2c652c66"));
  return o.b;
}
Frame cip_forward_open_reply(uint32_t o_t_id, uint32_t t_o_id, uint16_t serial) {
  return Out().u8(0xD4).u8(0).u8(0).u8(0).le32(o_t_id).le32(t_o_id).le16(serial).le16(0x004D).le32(0x12345678)
      .le32(20000).le32(20000).u8(0).u8(0).b;
}
Frame cip_read_tag(std::string_view tag) {
  Out path;
  path.u8(0x91).u8(uint8_t(tag.size())).str(tag);
  if (tag.size() % 2) path.u8(0);
  return Out().u8(0x4C).u8(uint8_t(path.size() / 2)).raw(path.b).le16(1).b;
}
Frame cip_read_tag_reply(uint32_t value) { return Out().u8(0xCC).u8(0).u8(0).u8(0).le16(0xC4).le32(value).b; }
Frame enip_io(uint32_t connection_id, uint32_t sequence, Bytes data) {
  return Out().le16(2).le16(0x8002).le16(8).le32(connection_id).le32(sequence).le16(0x00B1)
      .le16(uint16_t(data.size() + 2)).le16(uint16_t(sequence)).raw(data).b;
}

// ---- DNP3 ------------------------------------------------------------------------------------------------

uint16_t dnp3_crc(Bytes data) {
  uint16_t crc = 0;
  for (uint8_t byte : data) {
    crc ^= byte;
    for (int i = 0; i < 8; ++i) crc = (crc & 1) ? uint16_t((crc >> 1) ^ 0xA6BC) : uint16_t(crc >> 1);
  }
  return uint16_t(~crc);
}

namespace {
// Link header + CRC, then the user data in 16-byte blocks, each with its CRC.
Frame dnp3_link(uint16_t destination, uint16_t source, bool from_master, Bytes user_data) {
  Out o;
  o.u8(0x05).u8(0x64).u8(uint8_t(5 + user_data.size())).u8(from_master ? 0xC4 : 0x44).le16(destination).le16(source);
  o.le16(dnp3_crc(o.b));
  for (size_t at = 0; at < user_data.size(); at += 16) {
    Bytes block = user_data.subspan(at, std::min<size_t>(16, user_data.size() - at));
    o.raw(block).le16(dnp3_crc(block));
  }
  return o.b;
}
}  // namespace

Frame dnp3(uint16_t destination, uint16_t source, bool from_master, uint8_t app_control, uint8_t function, Bytes objects,
           uint8_t transport_sequence) {
  Out user;
  user.u8(uint8_t(0xC0 | (transport_sequence & 0x3F))).u8(app_control).u8(function).raw(objects);
  return dnp3_link(destination, source, from_master, user.b);
}
Frame dnp3_response(uint16_t destination, uint16_t source, uint8_t app_control, uint16_t iin, Bytes objects,
                    uint8_t transport_sequence) {
  Out user;
  user.u8(uint8_t(0xC0 | (transport_sequence & 0x3F))).u8(app_control).u8(0x81).be16(iin).raw(objects);
  return dnp3_link(destination, source, false, user.b);
}

// ---- IEC 60870-5-104 ------------------------------------------------------------------------------------------

Frame iec104_u(uint8_t control) { return Out().u8(0x68).u8(4).u8(control).u8(0).u8(0).u8(0).b; }
Frame iec104_s(uint16_t receive_seq) { return Out().u8(0x68).u8(4).u8(1).u8(0).le16(uint16_t(receive_seq << 1)).b; }
Frame iec104_i(uint16_t send_seq, uint16_t receive_seq, uint8_t type, uint8_t cause, uint16_t casdu, uint32_t ioa,
               Bytes element) {
  Out asdu;
  asdu.u8(type).u8(1).u8(cause).u8(0).le16(casdu).le24(ioa).raw(element);
  return Out().u8(0x68).u8(uint8_t(4 + asdu.size())).le16(uint16_t(send_seq << 1)).le16(uint16_t(receive_seq << 1))
      .raw(asdu.b).b;
}

// ---- BACnet/IP ------------------------------------------------------------------------------------------------

namespace {
Frame bvlc(uint8_t function, Bytes npdu_apdu) { return Out().u8(0x81).u8(function).be16(uint16_t(npdu_apdu.size() + 4)).raw(npdu_apdu).b; }
uint32_t object_id(uint16_t type, uint32_t instance) { return uint32_t(type) << 22 | (instance & 0x3FFFFF); }
}  // namespace

Frame bacnet_who_is() { return bvlc(0x0B, hex("0120ffff00ff1008")); }
Frame bacnet_i_am(uint32_t instance, uint16_t vendor_id) {
  Out apdu;
  apdu.u8(0x01).u8(0x20).be16(0xFFFF).u8(0).u8(0xFF);  // NPDU: global broadcast
  apdu.u8(0x10).u8(0x00).u8(0xC4).be32(object_id(8, instance)).u8(0x22).be16(1476).u8(0x91).u8(0x03)
      .u8(0x22).be16(vendor_id);
  return bvlc(0x0B, apdu.b);
}
Frame bacnet_read_property(uint8_t invoke, uint32_t instance, uint32_t property) {
  Out apdu;
  apdu.u8(0x01).u8(0x04).u8(0x00).u8(0x05).u8(invoke).u8(0x0C).u8(0x0C).be32(object_id(8, instance)).u8(0x19).u8(uint8_t(property));
  return bvlc(0x0A, apdu.b);
}
Frame bacnet_read_property_string(uint8_t invoke, uint32_t instance, uint32_t property, std::string_view value) {
  Out apdu;
  apdu.u8(0x01).u8(0x00).u8(0x30).u8(invoke).u8(0x0C).u8(0x0C).be32(object_id(8, instance)).u8(0x19).u8(uint8_t(property))
      .u8(0x3E).u8(0x75).u8(uint8_t(value.size() + 1)).u8(0).str(value).u8(0x3F);
  return bvlc(0x0A, apdu.b);
}

// ---- Profinet DCP, GOOSE, LLDP, CDP ---------------------------------------------------------------------

namespace {
Frame dcp(uint16_t frame_id, uint8_t service, uint8_t type, uint32_t xid, uint16_t delay, Bytes blocks) {
  return Out().be16(frame_id).u8(service).u8(type).be32(xid).be16(delay).be16(uint16_t(blocks.size())).raw(blocks).b;
}
void dcp_block(Out& o, uint8_t option, uint8_t sub, Bytes data, bool with_info = true) {
  o.u8(option).u8(sub).be16(uint16_t(data.size() + (with_info ? 2 : 0)));
  if (with_info) o.be16(0);
  o.raw(data);
  if ((data.size() + (with_info ? 2 : 0)) % 2) o.u8(0);
}
Frame sv(std::string_view s) { return Frame(s.begin(), s.end()); }
}  // namespace

Frame dcp_identify_all(uint32_t xid) { return dcp(0xFEFE, 5, 0, xid, 1, hex("ffff0000")); }
Frame dcp_identify_reply(uint32_t xid, std::string_view station, std::string_view vendor_text, uint16_t vendor_id,
                         uint16_t device_id, const IpAddr& address) {
  Out b;
  dcp_block(b, 2, 1, sv(vendor_text));
  dcp_block(b, 2, 2, sv(station));
  dcp_block(b, 2, 3, Out().be16(vendor_id).be16(device_id).b);
  dcp_block(b, 2, 4, hex("0200"));
  dcp_block(b, 1, 2, Out().be32(v4(address)).be32(0xFFFFFF00).be32((v4(address) & 0xFFFFFF00) | 1).b);
  return dcp(0xFEFF, 5, 1, xid, 0, b.b);
}
Frame dcp_set_ip(uint32_t xid, const IpAddr& address) {
  Out b;
  b.u8(1).u8(2).be16(14).be16(1).be32(v4(address)).be32(0xFFFFFF00).be32((v4(address) & 0xFFFFFF00) | 1);
  return dcp(0xFEFD, 4, 0, xid, 0, b.b);
}
Frame dcp_set_reply(uint32_t xid) { return dcp(0xFEFD, 4, 1, xid, 0, hex("0504000301020000")); }

Frame goose(uint16_t appid, std::string_view gocb_ref, std::string_view dataset, std::string_view go_id, uint32_t st_num,
            uint32_t sq_num, bool value) {
  Frame pdu = cat({tlv(0x80, gocb_ref), ber_int(0x81, 2000), tlv(0x82, dataset), tlv(0x83, go_id),
                   tlv(0x84, hex("65a4e5000000000a")), ber_int(0x85, st_num), ber_int(0x86, sq_num), tlv(0x87, hex("00")),
                   ber_int(0x88, 1), tlv(0x89, hex("00")), ber_int(0x8A, 2),
                   tlv(0xAB, cat({tlv(0x83, Frame{uint8_t(value)}), tlv(0x84, hex("0300"))}))});
  Frame apdu = tlv(0x61, pdu);
  return Out().be16(appid).be16(uint16_t(apdu.size() + 8)).be16(0).be16(0).raw(apdu).b;
}

Frame lldp(const MacAddr& chassis, std::string_view port, std::string_view system_name, std::string_view description) {
  Out o;
  auto tlv_header = [&](uint8_t type, size_t length) { o.be16(uint16_t(type << 9 | length)); };
  tlv_header(1, 7);
  o.u8(4).raw(chassis.bytes);
  tlv_header(2, port.size() + 1);
  o.u8(5).str(port);
  tlv_header(3, 2);
  o.be16(120);
  tlv_header(5, system_name.size());
  o.str(system_name);
  tlv_header(6, description.size());
  o.str(description);
  tlv_header(0, 0);
  return o.b;
}

Frame cdp(std::string_view device_id, std::string_view software, std::string_view platform, const IpAddr& address) {
  Out o;
  o.u8(2).u8(180).be16(0);
  auto field = [&](uint16_t type, Bytes value) { o.be16(type).be16(uint16_t(value.size() + 4)).raw(value); };
  field(0x0001, sv(device_id));
  field(0x0002, Out().be32(1).u8(1).u8(1).u8(0xCC).be16(4).be32(v4(address)).b);
  field(0x0003, sv("GigabitEthernet1/0/7"));
  field(0x0005, sv(software));
  field(0x0006, sv(platform));
  o.put_be16(2, internet_checksum(o.b));
  return o.b;
}
Frame llc_snap(uint32_t oui, uint16_t protocol, Bytes payload) {
  return Out().u8(0xAA).u8(0xAA).u8(0x03).be24(oui).be16(protocol).raw(payload).b;
}

// ---- OPC UA Binary ---------------------------------------------------------------------------------------

namespace {
void ua_string(Out& o, std::string_view s) { o.le32(uint32_t(s.size())).str(s); }
void ua_null(Out& o) { o.le32(0xFFFFFFFF); }
void ua_node(Out& o, uint16_t id) { o.u8(1).u8(0).le16(id); }  // four-byte numeric NodeId, namespace 0
constexpr uint64_t kUaTime = 0x01da47a1b2c3d400ull;  // 2024-01-15 as a Windows FILETIME
void request_header(Out& o, uint32_t handle) {
  o.u8(0).u8(0).le64(kUaTime).le32(handle).le32(0);
  ua_null(o);
  o.le32(10000).u8(0).u8(0).u8(0);
}
void response_header(Out& o, uint32_t handle) {
  o.le64(kUaTime).le32(handle).le32(0).u8(0);
  ua_null(o);
  o.u8(0).u8(0).u8(0);
}
Frame ua_chunk(const char type[3], Bytes body) {
  return Out().u8(uint8_t(type[0])).u8(uint8_t(type[1])).u8(uint8_t(type[2])).u8('F').le32(uint32_t(body.size() + 8)).raw(body).b;
}
Frame ua_msg(uint32_t channel, uint32_t token, uint32_t sequence, Bytes service) {
  return ua_chunk("MSG", Out().le32(channel).le32(token).le32(sequence).le32(sequence).raw(service).b);
}
}  // namespace

Frame opcua_hello(std::string_view endpoint) {
  Out o;
  o.le32(0).le32(65536).le32(65536).le32(0).le32(0);
  ua_string(o, endpoint);
  return ua_chunk("HEL", o.b);
}
Frame opcua_acknowledge() { return ua_chunk("ACK", Out().le32(0).le32(65536).le32(65536).le32(0).le32(0).b); }
Frame opcua_open_secure_channel(uint32_t request_id) {
  Out o;
  o.le32(0);
  ua_string(o, "http://opcfoundation.org/UA/SecurityPolicy#None");
  ua_null(o);
  ua_null(o);
  o.le32(1).le32(request_id);
  ua_node(o, 446);
  request_header(o, 0);
  o.le32(0).le32(0).le32(1);
  ua_null(o);
  o.le32(3600000);
  return ua_chunk("OPN", o.b);
}
Frame opcua_open_secure_channel_reply(uint32_t channel, uint32_t token, uint32_t request_id) {
  Out o;
  o.le32(channel);
  ua_string(o, "http://opcfoundation.org/UA/SecurityPolicy#None");
  ua_null(o);
  ua_null(o);
  o.le32(1).le32(request_id);
  ua_node(o, 449);
  response_header(o, 0);
  o.le32(0).le32(channel).le32(token).le64(kUaTime).le32(3600000);
  ua_null(o);
  return ua_chunk("OPN", o.b);
}
Frame opcua_get_endpoints(uint32_t channel, uint32_t token, uint32_t sequence, std::string_view endpoint) {
  Out o;
  ua_node(o, 428);
  request_header(o, sequence);
  ua_string(o, endpoint);
  ua_null(o);
  ua_null(o);
  return ua_msg(channel, token, sequence, o.b);
}
Frame opcua_get_endpoints_reply(uint32_t channel, uint32_t token, uint32_t sequence, std::string_view endpoint,
                                std::string_view application_uri, std::string_view product_uri,
                                std::string_view application_name) {
  Out o;
  ua_node(o, 431);
  response_header(o, sequence);
  o.le32(1);
  ua_string(o, endpoint);
  ua_string(o, application_uri);
  ua_string(o, product_uri);
  o.u8(2);
  ua_string(o, application_name);
  o.le32(0);
  ua_null(o);
  ua_null(o);
  o.le32(1);
  ua_string(o, endpoint);
  ua_null(o);  // server certificate
  o.le32(1);
  ua_string(o, "http://opcfoundation.org/UA/SecurityPolicy#None");
  o.le32(1);
  ua_string(o, "anonymous");
  o.le32(0);
  ua_null(o);
  ua_null(o);
  ua_null(o);
  ua_string(o, "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary");
  o.u8(0);
  return ua_msg(channel, token, sequence, o.b);
}
Frame opcua_browse(uint32_t channel, uint32_t token, uint32_t sequence, uint32_t node) {
  Out o;
  ua_node(o, 527);
  request_header(o, sequence);
  o.u8(0).u8(0).le64(0).le32(0);  // view
  o.le32(1000).le32(1);
  o.u8(1).u8(0).le16(uint16_t(node));
  o.le32(0).u8(0).u8(33).u8(1).le32(0).le32(0x3F);
  return ua_msg(channel, token, sequence, o.b);
}
Frame opcua_browse_reply(uint32_t channel, uint32_t token, uint32_t sequence) {
  Out o;
  ua_node(o, 530);
  response_header(o, sequence);
  o.le32(1).le32(0);
  ua_null(o);
  o.le32(0);
  ua_null(o);
  return ua_msg(channel, token, sequence, o.b);
}

// ---- MMS ------------------------------------------------------------------------------------------------------

namespace {
// GT + DT SPDUs, P-DATA presentation context 3, around an MMS PDU.
Frame mms_data(Bytes pdu) {
  Frame pdv = tlv(0x30, cat({hex("020103"), tlv(0xA0, pdu)}));
  return tpkt_data(cat({hex("01000100"), tlv(0x61, pdv)}));
}
Frame invoke_id(uint8_t id) { return {0x02, 0x01, id}; }
Frame variable_list(std::string_view domain, std::string_view item) {
  return tlv(0xA0, tlv(0x30, tlv(0xA0, tlv(0xA1, cat({tlv(0x1A, domain), tlv(0x1A, item)})))));
}
}  // namespace

// Association messages of a public IEC 61850 capture (session, presentation and ACSE negotiation reused;
// the accept SPDU's length, version-number parameter and user-data length corrected so Wireshark parses it).
std::vector<Frame> mms_associate_client() {
  return {hex("030000130ee00000000600c1020002c2020001"),
          hex("030000bb02f0800db20506130100160102140200023302000134020001c19c318199a003800101a28191810400000001820400"
              "000001a423300f0201010604520100013004060251013010020103060528ca22020130040602510188020600615a3058020101"
              "a053605180020780a107060528ca220203a20606042bce0f02a303020117be35283306025101020103a02aa82880027530810203"
              "e8820203e8830105a417800101810305fb00820d03ffffffffffffffffffffff00")};
}
std::vector<Frame> mms_associate_server() {
  return {hex("0300001611d01801000400c1020002c2020200c0010a"),
          hex("0300009102f0800e88050613010016010214020002c17a3178a003800100a271830400000001a512300780010081025201300780"
              "010081025101880206006151304f020101a04a614880020780a107060528ca220203a203020100a305a103020100a40606042bce"
              "0f02a503020117be20281e020103a019a917800100810100820100830100a409800100810100820100")};
}
Frame mms_identify(uint8_t invoke) { return mms_data(tlv(0xA0, cat({invoke_id(invoke), hex("8200")}))); }
Frame mms_identify_reply(uint8_t invoke, std::string_view vendor, std::string_view model, std::string_view revision) {
  return mms_data(tlv(0xA1, cat({invoke_id(invoke), tlv(0xA2, cat({tlv(0x80, vendor), tlv(0x81, model), tlv(0x82, revision)}))})));
}
Frame mms_read(uint8_t invoke, std::string_view domain, std::string_view item) {
  return mms_data(tlv(0xA0, cat({invoke_id(invoke), tlv(0xA4, tlv(0xA1, variable_list(domain, item)))})));
}
Frame mms_read_reply_bool(uint8_t invoke, bool value) {
  return mms_data(tlv(0xA1, cat({invoke_id(invoke), tlv(0xA4, tlv(0xA1, tlv(0x83, Frame{uint8_t(value)})))})));
}
Frame mms_write_bool(uint8_t invoke, std::string_view domain, std::string_view item, bool value) {
  return mms_data(tlv(0xA0, cat({invoke_id(invoke),
                                 tlv(0xA5, cat({variable_list(domain, item), tlv(0xA0, tlv(0x83, Frame{uint8_t(value)}))}))})));
}
Frame mms_write_reply(uint8_t invoke) { return mms_data(tlv(0xA1, cat({invoke_id(invoke), tlv(0xA5, hex("8100"))}))); }

// ---- Omron FINS ------------------------------------------------------------------------------------------

Frame fins(bool response, uint8_t dest_node, uint8_t src_node, uint8_t sid, uint16_t command, Bytes data) {
  Out o;
  o.u8(response ? 0xC0 : 0x80).u8(0).u8(2).u8(0).u8(dest_node).u8(0).u8(0).u8(src_node).u8(0).u8(sid).be16(command);
  if (response) o.be16(0);  // end code: normal completion
  return o.raw(data).b;
}
Frame fins_controller_data_reply(uint8_t dest, uint8_t src, uint8_t sid, std::string_view model, std::string_view version) {
  Out d;
  d.padded(model, 20).padded(version, 20).fill(40);  // model, version, for system use
  // Area data: program area size, IOM size, DM words, timer/counter size, expansion DM banks, steps,
  // memory card kind and size (12 bytes, the full answer to data 00 that Wireshark expects).
  d.be16(0x0040).u8(0x17).be16(0x8000).u8(0x08).u8(0x00).be16(0).u8(0).be16(0);
  return fins(true, dest, src, sid, 0x0501, d.b);
}
Frame fins_memory_read(uint8_t dest, uint8_t src, uint8_t sid, uint8_t area, uint16_t word, uint16_t count) {
  return fins(false, dest, src, sid, 0x0101, Out().u8(area).be16(word).u8(0).be16(count).b);
}
Frame fins_memory_write(uint8_t dest, uint8_t src, uint8_t sid, uint8_t area, uint16_t word, const std::vector<uint16_t>& values) {
  Out d;
  d.u8(area).be16(word).u8(0).be16(uint16_t(values.size()));
  for (uint16_t v : values) d.be16(v);
  return fins(false, dest, src, sid, 0x0102, d.b);
}

// ---- MELSEC MC protocol ------------------------------------------------------------------------------------

namespace {
void mc_route(Out& o) { o.u8(0x00).u8(0xFF).le16(0x03FF).u8(0x00); }  // network 0, PC 0xFF, own CPU, station 0
void mc_request_body(Out& o, uint16_t command, uint16_t sub, Bytes data) {
  mc_route(o);
  o.le16(uint16_t(6 + data.size())).le16(0x0010).le16(command).le16(sub).raw(data);
}
void mc_reply_body(Out& o, uint16_t end_code, Bytes data) {
  mc_route(o);
  o.le16(uint16_t(2 + data.size())).le16(end_code).raw(data);
}
}  // namespace

Frame mc3e_request(uint16_t command, uint16_t sub, Bytes data) {
  Out o;
  o.u8(0x50).u8(0x00);
  mc_request_body(o, command, sub, data);
  return o.b;
}
Frame mc3e_reply(uint16_t end_code, Bytes data) {
  Out o;
  o.u8(0xD0).u8(0x00);
  mc_reply_body(o, end_code, data);
  return o.b;
}
Frame mc4e_request(uint16_t serial, uint16_t command, uint16_t sub, Bytes data) {
  Out o;
  o.u8(0x54).u8(0x00).le16(serial).le16(0);
  mc_request_body(o, command, sub, data);
  return o.b;
}
Frame mc4e_reply(uint16_t serial, uint16_t end_code, Bytes data) {
  Out o;
  o.u8(0xD4).u8(0x00).le16(serial).le16(0);
  mc_reply_body(o, end_code, data);
  return o.b;
}
Frame mc_device(uint32_t head, uint8_t device_code, uint16_t points) { return Out().le24(head).u8(device_code).le16(points).b; }

// ---- MQTT ---------------------------------------------------------------------------------------------------

namespace {
Frame mqtt_packet(uint8_t header, Bytes body) {
  Out o;
  o.u8(header);
  size_t length = body.size();
  do {
    uint8_t byte = uint8_t(length % 128);
    length /= 128;
    o.u8(length ? byte | 0x80 : byte);
  } while (length);
  return o.raw(body).b;
}
void mqtt_string(Out& o, std::string_view s) { o.be16(uint16_t(s.size())).str(s); }
}  // namespace

Frame mqtt_connect(std::string_view client_id, std::string_view user) {
  Out o;
  mqtt_string(o, "MQTT");
  o.u8(4).u8(0xC2).be16(60);
  mqtt_string(o, client_id);
  mqtt_string(o, user);
  mqtt_string(o, "s3cr3t-pw");
  return mqtt_packet(0x10, o.b);
}
Frame mqtt_connack() { return hex("20020000"); }
Frame mqtt_publish(std::string_view topic, std::string_view message) {
  Out o;
  mqtt_string(o, topic);
  return mqtt_packet(0x30, o.str(message).b);
}
Frame mqtt_subscribe(uint16_t packet_id, std::string_view filter) {
  Out o;
  o.be16(packet_id);
  mqtt_string(o, filter);
  return mqtt_packet(0x82, o.u8(0).b);
}
Frame mqtt_suback(uint16_t packet_id) { return Out().u8(0x90).u8(3).be16(packet_id).u8(0).b; }

// ---- Beckhoff ADS ---------------------------------------------------------------------------------------------

Frame ads(const AmsAddress& target, const AmsAddress& source, uint16_t command, bool response, uint32_t invoke, Bytes data) {
  Out ams;
  ams.raw(Bytes(target.net_id, 6)).le16(target.port).raw(Bytes(source.net_id, 6)).le16(source.port).le16(command)
      .le16(response ? 0x0005 : 0x0004).le32(uint32_t(data.size())).le32(0).le32(invoke).raw(data);
  return Out().le16(0).le32(uint32_t(ams.size())).raw(ams.b).b;
}
Frame ads_device_info_data(uint8_t major, uint8_t minor, uint16_t build, std::string_view name) {
  return Out().le32(0).u8(major).u8(minor).le16(build).padded(name, 16, '\0').b;
}
namespace {
void ads_tag(Out& o, uint16_t id, Bytes value) { o.le16(id).le16(uint16_t(value.size())).raw(value); }
Frame cstr(std::string_view s) { return Out().str(s).u8(0).b; }
}  // namespace
Frame ads_add_route(uint32_t invoke, const AmsAddress& source, std::string_view route_name, std::string_view user,
                    std::string_view host) {
  Out o;
  o.be32(0x03661471).le32(invoke).le32(6).raw(Bytes(source.net_id, 6)).le16(10000).le32(5);
  ads_tag(o, 0x000C, cstr(route_name));
  ads_tag(o, 0x0007, Bytes(source.net_id, 6));
  ads_tag(o, 0x000D, cstr(user));
  ads_tag(o, 0x0002, cstr("1"));
  ads_tag(o, 0x0005, cstr(host));
  return o.b;
}
Frame ads_add_route_reply(uint32_t invoke, const AmsAddress& source, std::string_view host) {
  Out o;
  o.be32(0x03661471).le32(invoke).le32(0x80000006).raw(Bytes(source.net_id, 6)).le16(10000).le32(2);
  ads_tag(o, 0x0001, hex("00000000"));
  ads_tag(o, 0x0005, cstr(host));
  return o.b;
}

// ---- TriStation --------------------------------------------------------------------------------------------------

Frame tristation(uint8_t type, uint8_t channel, Bytes data) {
  Out o;
  o.u8(type).u8(channel).le16(uint16_t(data.size())).raw(data);
  return o.le16(dnp3_crc(o.b)).b;  // a CRC-16 trailer (the real parameters are undocumented)
}
Frame tristation_command(uint8_t direction, uint8_t connection, uint8_t command, uint8_t counter, Bytes extra) {
  return tristation(5, 0, Out().u8(direction).u8(connection).u8(command).u8(counter).raw(extra).b);
}

// ---- CODESYS V3 ----------------------------------------------------------------------------------------------------

namespace {
// Datagram layer with 6-byte receiver (the PLC, 192.168.20.50) and sender addresses, padded to 20 bytes.
Frame codesys_datagram(uint8_t service, Bytes payload) {
  return Out().raw(hex("c56b40")).u8(service).u8(0).u8(0x33).raw(hex("04d2c0a81432")).raw(hex("04d2c0a8141e"))
      .be16(0).raw(payload).b;
}
}  // namespace
Frame codesys_name_request(uint32_t message_id) {
  return codesys_datagram(3, Out().le16(0xC201).le16(0x0400).le32(message_id).b);  // address resolve: who is there?
}
Frame codesys_device_info(uint32_t message_id, std::string_view node, std::string_view device, std::string_view vendor,
                          const uint8_t firmware[4]) {
  Out b;
  b.le16(0xC280).le16(0x0400).le32(message_id).le16(4).u8(1).u8(0).le16(37).le16(uint16_t(node.size()))
      .le16(uint16_t(device.size())).le16(uint16_t(vendor.size())).le16(0x1006).le16(0x0001).le32(0)
      .le32(uint32_t(firmware[0]) << 24 | uint32_t(firmware[1]) << 16 | uint32_t(firmware[2]) << 8 | firmware[3])
      .le32(0).u8(0);  // the firmware version is a little-endian 32-bit a.b.c.d
  for (std::string_view s : {node, device, vendor}) b.utf16le(s).le16(0);
  return codesys_datagram(4, b.b);
}
Frame codesys_service(uint16_t group, uint16_t service, bool request, uint32_t session, Bytes content) {
  Out b;
  b.u8(0x01).u8(request ? 0x81 : 0x01).le16(7).le32(1).le32(0).le32(uint32_t(20 + content.size())).le32(0);
  b.le16(0xCD55).le16(16).le16(uint16_t(group | (request ? 0 : 0x80))).le16(service).le32(session)
      .le32(uint32_t(content.size())).le32(0).raw(content);
  return codesys_datagram(0x40, b.b);
}
Frame codesys_block_driver(Bytes datagram) { return Out().raw(hex("000117e8")).le32(uint32_t(8 + datagram.size())).raw(datagram).b; }

// ---- IT protocols -----------------------------------------------------------------------------------------------

namespace {
void dns_name(Out& o, std::string_view name) {
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = std::min(name.find('.', start), name.size());
    o.u8(uint8_t(dot - start)).str(name.substr(start, dot - start));
    start = dot + 1;
  }
  o.u8(0);
}
}  // namespace

Frame dhcp(uint8_t message_type, uint32_t xid, const MacAddr& client, const IpAddr& your_ip, const IpAddr& server,
           std::string_view hostname, std::string_view vendor_class) {
  const bool reply = message_type == 2 || message_type == 5;
  Out o;
  o.u8(reply ? 2 : 1).u8(1).u8(6).u8(0).be32(xid).be16(0).be16(reply ? 0 : 0x8000);
  o.be32(0).be32(reply ? v4(your_ip) : 0).be32(0).be32(0).raw(client.bytes).fill(10).fill(64).fill(128);
  o.be32(0x63825363);
  o.u8(53).u8(1).u8(message_type);
  if (!reply) {
    o.u8(61).u8(7).u8(1).raw(client.bytes);
    if (message_type == 3) o.u8(50).u8(4).be32(v4(your_ip)).u8(54).u8(4).be32(v4(server));
    o.u8(12).u8(uint8_t(hostname.size())).str(hostname);
    o.u8(60).u8(uint8_t(vendor_class.size())).str(vendor_class);
    o.u8(55).u8(4).u8(1).u8(3).u8(6).u8(15);
  } else {
    o.u8(54).u8(4).be32(v4(server)).u8(51).u8(4).be32(86400).u8(1).u8(4).be32(0xFFFFFF00).u8(3).u8(4).be32(v4(server));
  }
  o.u8(255);
  return o.b;
}
Frame dhcpv6_solicit(uint32_t transaction, const MacAddr& client, std::string_view fqdn, uint32_t enterprise,
                     std::string_view vendor_class) {
  Out o;
  o.u8(1).be24(transaction);
  o.be16(1).be16(10).be16(3).be16(1).raw(client.bytes);
  o.be16(8).be16(2).be16(0);
  Out name;
  name.u8(0);
  dns_name(name, fqdn);
  o.be16(39).be16(uint16_t(name.size())).raw(name.b);
  o.be16(16).be16(uint16_t(4 + 2 + vendor_class.size())).be32(enterprise).be16(uint16_t(vendor_class.size())).str(vendor_class);
  o.be16(6).be16(4).be16(23).be16(24);
  return o.b;
}
Frame dns_query(uint16_t id, std::string_view name, uint16_t type) {
  Out o;
  o.be16(id).be16(0x0100).be16(1).be16(0).be16(0).be16(0);
  dns_name(o, name);
  return o.be16(type).be16(1).b;
}
Frame dns_a_answer(uint16_t id, std::string_view name, const IpAddr& address, bool authoritative) {
  Out o;
  o.be16(id).be16(authoritative ? 0x8400 : 0x8180).be16(authoritative ? 0 : 1).be16(1).be16(0).be16(0);
  if (!authoritative) {
    dns_name(o, name);
    o.be16(1).be16(1);
  }
  dns_name(o, name);
  return o.be16(1).be16(authoritative ? 0x8001 : 1).be32(120).be16(4).be32(v4(address)).b;
}
Frame nbns_registration(uint16_t id, std::string_view name, const IpAddr& address) {
  Out o;
  o.be16(id).be16(0x2910).be16(1).be16(0).be16(0).be16(1);
  o.u8(32);
  for (size_t i = 0; i < 16; ++i) {
    uint8_t c = i < 15 ? uint8_t(i < name.size() ? name[i] : ' ') : 0x00;
    o.u8(uint8_t('A' + (c >> 4))).u8(uint8_t('A' + (c & 0x0F)));
  }
  o.u8(0).be16(0x20).be16(1);
  o.be16(0xC00C).be16(0x20).be16(1).be32(300000).be16(6).be16(0).be32(v4(address));
  return o.b;
}

namespace {
const Frame kSysDescrOid = hex("2b06010201010100"), kSysNameOid = hex("2b06010201010500");
Frame snmp_message(uint8_t pdu_tag, uint32_t request_id, std::string_view community, Bytes bindings) {
  Frame pdu = tlv(pdu_tag, cat({ber_int(0x02, request_id), ber_int(0x02, 0), ber_int(0x02, 0), tlv(0x30, bindings)}));
  return tlv(0x30, cat({ber_int(0x02, 1), tlv(0x04, community), pdu}));
}
}  // namespace
Frame snmp_get(uint32_t request_id, std::string_view community) {
  Frame bindings = cat({tlv(0x30, cat({tlv(0x06, kSysDescrOid), hex("0500")})), tlv(0x30, cat({tlv(0x06, kSysNameOid), hex("0500")}))});
  return snmp_message(0xA0, request_id, community, bindings);
}
Frame snmp_get_response(uint32_t request_id, std::string_view community, std::string_view sys_descr, std::string_view sys_name) {
  Frame bindings = cat({tlv(0x30, cat({tlv(0x06, kSysDescrOid), tlv(0x04, sys_descr)})),
                        tlv(0x30, cat({tlv(0x06, kSysNameOid), tlv(0x04, sys_name)}))});
  return snmp_message(0xA2, request_id, community, bindings);
}
Frame text(std::string_view s) { return Frame(s.begin(), s.end()); }

namespace {
Frame tls_record(Bytes handshakes) { return Out().u8(0x16).be16(0x0303).be16(uint16_t(handshakes.size())).raw(handshakes).b; }
void handshake(Out& o, uint8_t type, Bytes body) { o.u8(type).be24(uint32_t(body.size())).raw(body); }
Frame tls_random(uint32_t seed) {
  Frame r(32);
  uint32_t x = seed * 2654435761u + 1;
  for (uint8_t& b : r) b = uint8_t((x = x * 1103515245u + 12345u) >> 16);
  return r;
}
}  // namespace
Frame tls_client_hello(std::string_view server_name, uint32_t seed) {
  Out ext;
  Out sni;
  sni.be16(uint16_t(server_name.size() + 3)).u8(0).be16(uint16_t(server_name.size())).str(server_name);
  ext.be16(0x0000).be16(uint16_t(sni.size())).raw(sni.b);
  ext.be16(0x000A).be16(6).be16(4).be16(0x001D).be16(0x0017);
  ext.be16(0x000B).be16(2).u8(1).u8(0);
  ext.be16(0x000D).be16(8).be16(6).be16(0x0403).be16(0x0804).be16(0x0401);
  ext.be16(0xFF01).be16(1).u8(0);
  Out body;
  body.be16(0x0303).raw(tls_random(seed)).u8(0).be16(6).be16(0xC02F).be16(0xC030).be16(0x009C).u8(1).u8(0)
      .be16(uint16_t(ext.size())).raw(ext.b);
  Out hs;
  handshake(hs, 1, body.b);
  Frame record = tls_record(hs.b);
  record[1] = 0x03, record[2] = 0x01;  // ClientHello records say TLS 1.0 for compatibility
  return record;
}
Frame tls_server_hello_certificate(Bytes der, uint32_t seed) {
  Out hello;
  hello.be16(0x0303).raw(tls_random(seed)).u8(0).be16(0xC02F).u8(0).be16(5).be16(0xFF01).be16(1).u8(0);
  Out certs;
  certs.be24(uint32_t(der.size() + 3)).be24(uint32_t(der.size())).raw(der);
  Out hs;
  handshake(hs, 2, hello.b);
  handshake(hs, 11, certs.b);
  handshake(hs, 14, {});
  return tls_record(hs.b);
}
// openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -set_serial 4242
//   -subj "/CN=historian.plant.example/O=Example Plant", converted to DER once and kept as bytes so the
// certificate hashes in the capture never change.
Bytes tls_test_certificate() {
  static const Frame kCertificate = hex(
    "308201b73082015da00302010202021092300a06082a8648ce3d040302303a3120301e06035504030c17686973746f726961"
    "6e2e706c616e742e6578616d706c6531163014060355040a0c0d4578616d706c6520506c616e74301e170d32363131323830"
    "30343432315a170d3336313132353030343432315a303a3120301e06035504030c17686973746f7269616e2e706c616e742e"
    "6578616d706c6531163014060355040a0c0d4578616d706c6520506c616e743059301306072a8648ce3d020106082a8648ce"
    "3d03010703420004851d8902c41d6b145e0d6357d4194fbbdeee49e425d8a99189e56893e8e0d04a9624cdb71b4075539c39"
    "84a8c9f1d1199bfb83b5c91e00bb46187e73754d0197a3533051301d0603551d0e041604148710e1e331cb2aa76ab963d0dd"
    "cd93b86fc0da32301f0603551d230418301680148710e1e331cb2aa76ab963d0ddcd93b86fc0da32300f0603551d130101ff"
    "040530030101ff300a06082a8648ce3d0403020348003045022047703a207e97a2ab6e035c4638b86137eb748df3e131dfc8"
    "ccd39fe4af30d3dc02210094b830ca4af71d897e2f03bbe72fab5918a95ccfb3fa1315cecaeecc263ffaf5"  );
  return kCertificate;
}
Frame ssh_banner(std::string_view banner) { return text(std::string(banner) + "\r\n"); }

namespace {
Frame smb2(uint16_t command, bool response, uint32_t status, uint64_t message_id, uint64_t session, Bytes body) {
  Out h;
  h.u8(0xFE).str("SMB").le16(64).le16(1).le32(status).le16(command).le16(1).le32(response ? 1 : 0).le32(0)
      .le64(message_id).le32(0xFEFF).le32(0).le64(session).fill(16).raw(body);
  return Out().u8(0).be24(uint32_t(h.size())).raw(h.b).b;
}
constexpr uint8_t kGuid[16] = {0x6f, 0x74, 0x73, 0x65, 0x6e, 0x73, 0x6f, 0x72, 0x2d, 0x70, 0x63, 0x61, 0x70, 0x67, 0x65, 0x6e};
struct NtlmPayload {
  Out fields, data;
  size_t base;
  explicit NtlmPayload(size_t header_size) : base(header_size) {}
  void add(Bytes value) {
    fields.le16(uint16_t(value.size())).le16(uint16_t(value.size())).le32(uint32_t(base + data.size()));
    data.raw(value);
  }
};
Frame utf16(std::string_view s) { return Out().utf16le(s).b; }
const Frame kNtlmVersion = hex("0a0063450000000f");  // Windows 10.0 build 17763, NTLM revision 15
}  // namespace
Frame smb2_negotiate(bool response) {
  Out b;
  if (!response) {
    b.le16(36).le16(2).le16(1).le16(0).le32(0x7F).raw(Bytes(kGuid, 16)).le64(0).le16(0x0202).le16(0x0210);
  } else {
    b.le16(65).le16(1).le16(0x0210).le16(0).raw(Bytes(kGuid, 16)).le32(0x07).le32(8388608).le32(8388608).le32(8388608)
        .le64(0x01da47a1b2c3d400ull).le64(0).le16(0x80).le16(0).le32(0);
  }
  return smb2(0, response, 0, 0, 0, b.b);
}
Frame smb2_session_setup(bool response, uint64_t session, Bytes blob) {
  Out b;
  if (!response) b.le16(25).u8(0).u8(1).le32(1).le32(0).le16(0x58).le16(uint16_t(blob.size())).le64(0).raw(blob);
  else b.le16(9).le16(0).le16(0x48).le16(uint16_t(blob.size())).raw(blob);
  const bool challenge = response && blob.size() > 8 && blob[8] == 2;
  return smb2(1, response, challenge ? 0xC0000016 : 0, session ? 2 : 1, session, b.b);
}
Frame ntlm_negotiate(std::string_view domain, std::string_view workstation) {
  NtlmPayload p(40);
  p.add(text(domain));
  p.add(text(workstation));
  return Out().str("NTLMSSP").u8(0).le32(1).le32(0xE208B297).raw(p.fields.b).raw(kNtlmVersion).raw(p.data.b).b;
}
Frame ntlm_challenge(std::string_view domain, std::string_view server, std::string_view dns_domain, std::string_view dns_host) {
  Out info;
  auto av = [&](uint16_t id, std::string_view v) { info.le16(id).le16(uint16_t(v.size() * 2)).utf16le(v); };
  av(2, domain);
  av(1, server);
  av(4, dns_domain);
  av(3, dns_host);
  info.le16(0).le16(0);
  Frame target = utf16(domain);
  Out o;
  o.str("NTLMSSP").u8(0).le32(2);
  o.le16(uint16_t(target.size())).le16(uint16_t(target.size())).le32(56);
  o.le32(0xE28A8215).raw(hex("1122334455667788")).le64(0);
  o.le16(uint16_t(info.size())).le16(uint16_t(info.size())).le32(uint32_t(56 + target.size()));
  o.raw(kNtlmVersion).raw(target).raw(info.b);
  return o.b;
}
Frame ntlm_authenticate(std::string_view domain, std::string_view user, std::string_view workstation) {
  NtlmPayload p(88);
  p.add(Frame(24, 0));
  p.add(Frame(24, 0x5A));
  p.add(utf16(domain));
  p.add(utf16(user));
  p.add(utf16(workstation));
  p.add({});
  return Out().str("NTLMSSP").u8(0).le32(3).raw(p.fields.b).le32(0xE2888215).raw(kNtlmVersion).fill(16).raw(p.data.b).b;
}
Frame rdp_connection_request(std::string_view cookie_user) {
  Out x;
  x.u8(0).u8(0xE0).be16(0).be16(0).u8(0).str("Cookie: mstshash=").str(cookie_user).str("\r\n").raw(hex("010008000b000000"));
  x.b[0] = uint8_t(x.size() - 1);
  return tpkt(x.b);
}
Frame rdp_connection_confirm() {
  Out x;
  x.u8(0).u8(0xD0).be16(0).be16(0x1234).u8(0).raw(hex("020f080002000000"));
  x.b[0] = uint8_t(x.size() - 1);
  return tpkt(x.b);
}
Frame vnc_security_types() { return hex("0102"); }
Frame vnc_server_init(uint16_t width, uint16_t height, std::string_view name) {
  return Out().be16(width).be16(height).raw(hex("2018000100ff00ff00ff100800000000")).be32(uint32_t(name.size())).str(name).b;
}

}  // namespace ots::pcapgen::proto
