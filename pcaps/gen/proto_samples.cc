#include "pcaps/gen/proto_samples.h"

#include <cstring>

#include "pcaps/gen/proto_payloads.h"

namespace ots::pcapgen {

namespace {

using namespace proto;

constexpr int64_t kMs = 1'000'000, kSecond = 1'000 * kMs;
const MacAddr kBroadcastMac = mac("ff:ff:ff:ff:ff:ff");
const std::vector<uint16_t> kUntagged{0};

struct Host {
  MacAddr mac;
  IpAddr ip;
  Endpoint at() const { return {mac, ip}; }
};

// A TCP session of request/response pairs between two hosts, opened and closed.
void tcp_session(Recorder& rec, const Host& client, const Host& server, uint16_t client_port, uint16_t server_port,
                 uint32_t seed, const std::vector<std::pair<Frame, Frame>>& exchanges, bool close = true) {
  TcpConversation tcp(rec, ethernet_link(), client.at(), server.at(), client_port, server_port, seed);
  tcp.handshake();
  for (const auto& [request, response] : exchanges) {
    if (response.empty()) {
      tcp.send(true, tcp_flags::Psh | tcp_flags::Ack, request);
      rec.advance(2 * kMs);
      tcp.send(false, tcp_flags::Ack);
      rec.advance(5 * kMs);
    } else {
      tcp.exchange(request, response);
    }
  }
  if (close) tcp.close();
}

// A TCP session whose messages are given in wire order with their sender (for protocols where the
// server speaks first, or one side sends several messages in a row), opened and closed.
struct Said {
  bool from_client;
  Frame message;
};
void tcp_script(Recorder& rec, const Host& client, const Host& server, uint16_t client_port, uint16_t server_port,
                uint32_t seed, const std::vector<Said>& messages) {
  TcpConversation tcp(rec, ethernet_link(), client.at(), server.at(), client_port, server_port, seed);
  tcp.handshake();
  for (const Said& m : messages) {
    tcp.send(m.from_client, tcp_flags::Psh | tcp_flags::Ack, m.message);
    rec.advance(3 * kMs);
  }
  tcp.close();
}

// A UDP request/response dialogue: `client` sends each request, `server` answers it (an empty
// answer: none).
void udp_dialogue(Recorder& rec, const Host& client, const Host& server, uint16_t client_port, uint16_t server_port,
                  const std::vector<std::pair<Frame, Frame>>& exchanges) {
  UdpConversation udp(rec, ethernet_link(), client.at(), server.at(), client_port, server_port);
  for (const auto& [request, response] : exchanges) {
    udp.send(true, request);
    rec.advance(2 * kMs);
    if (!response.empty()) {
      udp.send(false, response);
      rec.advance(8 * kMs);
    }
  }
}

void arp_claim(Recorder& rec, const Host& host) {  // gratuitous ARP: the host claims its address
  rec.emit(ethernet({host.mac, kBroadcastMac, {}}, ethertype::Arp, arp(1, host.mac, host.ip, MacAddr{}, host.ip)));
  rec.advance(3 * kMs);
}

void l2(Recorder& rec, const MacAddr& src, const MacAddr& dst, uint16_t ether_type, Bytes payload) {
  rec.emit(ethernet({src, dst, {}}, ether_type, payload));
  rec.advance(2 * kMs);
}

ExpectedDevice device(const Host& h, std::vector<ExpectedFact> facts = {}, std::vector<ExpectedProtocol> protocols = {}) {
  return {h.mac, {h.ip}, kUntagged, false, std::move(facts), std::move(protocols)};
}
ExpectedProtocol server(std::string p) { return {std::move(p), "server"}; }
ExpectedProtocol client(std::string p) { return {std::move(p), "client"}; }

// --- proto_siemens: S7comm, S7comm-plus, Profinet DCP, LLDP ----------------------------------------------------

void proto_siemens(Recorder& rec) {
  const Host plc300{mac("00:1b:1b:0a:01:0a"), ip("10.10.1.10")};
  const Host plc1200{mac("00:1b:1b:0a:01:0b"), ip("10.10.1.11")};
  const Host hmi{mac("00:0c:29:0a:01:14"), ip("10.10.1.20")};
  const Host ews{mac("3c:52:82:0a:01:1e"), ip("10.10.1.30")};
  const Host io_device{mac("00:1b:1b:0a:01:28"), ip("10.10.1.40")};
  const MacAddr switch_port = mac("00:1b:1b:0a:01:fe");
  for (const Host& h : {plc300, plc1200, hmi, ews, io_device}) arp_claim(rec, h);

  l2(rec, switch_port, mac("01:80:c2:00:00:0e"), 0x88CC,
     lldp(switch_port, "port-7", "scalance-x208-cell1", "SIEMENS, SIMATIC NET, SCALANCE X208, 6GK5 208-0BA00-2AA3"));

  // Engineering workstation reads the S7-300's identity (SZL), then a data block, then writes it.
  tcp_session(rec, ews, plc300, 50100, 102, 101,
              {{cotp_connect_request(0x0001, 0x0100, 0x0102), cotp_connect_confirm(0x0001, 0x4431, 0x0100, 0x0102)},
               {s7_setup_communication(1, false), s7_setup_communication(1, true)},
               {s7_read_szl(2, 0x0011, 0), s7_szl_0011_reply(2, "6ES7 315-2EH14-0AB0")},
               {s7_read_szl(3, 0x001C, 0),
                s7_szl_001c_reply(3, "S7300 station_cell1", "PLC_CELL1", "S C-X4U421302024", "CPU 315-2 PN/DP")},
               {s7_read_db(4, 10, 0, 16), s7_read_db_reply(4, pattern_bytes(16, 4))},
               {s7_write_db(5, 10, 4, Frame{0x00, 0x2a}), s7_write_db_reply(5)}});
  // The HMI polls the S7-1200 over S7comm-plus.
  {
    TcpConversation tcp(rec, ethernet_link(), hmi.at(), plc1200.at(), 50200, 102, 102);
    tcp.handshake();
    std::vector<Frame> requests = s7plus_session_client(), answers = s7plus_session_server();
    for (size_t i = 0; i < requests.size(); ++i) tcp.exchange(requests[i], answers[i]);
    tcp.close();
  }
  // DCP: identify all, the IO device answers; then the EWS sets its IP address.
  l2(rec, ews.mac, mac("01:0e:cf:00:00:00"), 0x8892, dcp_identify_all(0x1001));
  l2(rec, io_device.mac, ews.mac, 0x8892,
     dcp_identify_reply(0x1001, "et200sp-cell1", "ET200SP", 0x002A, 0x0313, io_device.ip));
  l2(rec, ews.mac, io_device.mac, 0x8892, dcp_set_ip(0x1002, io_device.ip));
  l2(rec, io_device.mac, ews.mac, 0x8892, dcp_set_reply(0x1002));

  rec.expect_device(device(plc300,
                           {{"orderNumber", "6ES7 315-2EH14-0AB0", "s7comm"},
                            {"hostname", "S7300 station_cell1", "s7comm"},
                            {"moduleName", "PLC_CELL1", "s7comm"},
                            {"serialNumber", "S C-X4U421302024", "s7comm"},
                            {"productName", "CPU 315-2 PN/DP", "s7comm"}},
                           {server("s7comm")}));
  rec.expect_device(device(plc1200,
                           {{"orderNumber", std::string(kS7plusOrderNumber), "s7commplus"},
                            {"firmwareVersion", std::string(kS7plusFirmware), "s7commplus"}},
                           {server("s7commplus")}));
  rec.expect_device(device(hmi, {}, {client("s7commplus")}));
  rec.expect_device(device(ews, {}, {client("s7comm")}));
  rec.expect_device(device(io_device, {{"hostname", "et200sp-cell1", "profinet"}}));
  rec.expect_device({switch_port, {}, kUntagged, false, {{"hostname", "scalance-x208-cell1", "lldp"}}});
}

// --- proto_factory: Modbus/TCP, EtherNet/IP + CIP, CDP ----------------------------------------------------------

void proto_factory(Recorder& rec) {
  const Host m340{mac("00:80:f4:0b:02:0a"), ip("10.10.2.10")};
  const Host logix{mac("00:1d:9c:0b:02:0b"), ip("10.10.2.11")};
  const Host hmi{mac("00:0c:29:0b:02:14"), ip("10.10.2.20")};
  const Host cisco{mac("00:1e:bd:0b:02:01"), ip("10.10.2.1")};
  for (const Host& h : {m340, logix, hmi, cisco}) arp_claim(rec, h);

  Frame cdp_frame = llc_snap(0x00000C, 0x2000, cdp("ie3400-cell2", "Cisco IOS Software, IE3400 Version 17.9.4",
                                                    "cisco IE-3400-8T2S", cisco.ip));
  rec.emit(ethernet({cisco.mac, mac("01:00:0c:cc:cc:cc"), {}}, uint16_t(cdp_frame.size()), cdp_frame));
  rec.advance(5 * kMs);

  tcp_session(rec, hmi, m340, 50300, 502, 201,
              {{modbus_device_id_request(1, 255), modbus_device_id_reply(1, 255, "Schneider Electric", "BMX P34 2020", "v3.20")},
               {modbus_read_holding(2, 1, 0, 4), modbus_read_holding_reply(2, 1, {100, 200, 300, 400})},
               {modbus_write_single(3, 1, 10, 1234), modbus_write_single(3, 1, 10, 1234)},
               {modbus_write_multiple(4, 1, 20, {1, 2, 3}), modbus_write_multiple_reply(4, 1, 20, 3)},
               {modbus_read_holding(5, 1, 0, 4), modbus_read_holding_reply(5, 1, {101, 201, 301, 401})}});

  const CipIdentity identity{1, 0x0E, 0x0036, 20, 11, 0x00c0ffee, "1756-L83E/B", logix.ip};
  UdpConversation list_identity(rec, ethernet_link(), hmi.at(), logix.at(), 50400, 44818);
  list_identity.send(true, enip_list_identity_request());
  rec.advance(2 * kMs);
  list_identity.send(false, enip_list_identity_reply(identity));
  rec.advance(10 * kMs);
  tcp_session(rec, hmi, logix, 50401, 44818, 202,
              {{enip_list_identity_request(), enip_list_identity_reply(identity)},
               {enip_register_session(0), enip_register_session(0x0a0b0c0d)},
               {enip_send_rr(0x0a0b0c0d, cip_get_attributes_all(1, 1)), enip_send_rr(0x0a0b0c0d, cip_identity_reply(identity))},
               {enip_send_rr(0x0a0b0c0d, cip_forward_open(0, 0x70000001, 7)),
                enip_send_rr(0x0a0b0c0d, cip_forward_open_reply(0x20000001, 0x70000001, 7))},
               {enip_send_rr(0x0a0b0c0d, cip_read_tag("Line_Speed")), enip_send_rr(0x0a0b0c0d, cip_read_tag_reply(1500))}});
  UdpConversation io(rec, ethernet_link(), hmi.at(), logix.at(), 2222, 2222);
  for (uint32_t i = 1; i <= 4; ++i) {
    io.send(true, enip_io(0x20000001, i, pattern_bytes(8, i)));
    rec.advance(1 * kMs);
    io.send(false, enip_io(0x70000001, i, pattern_bytes(8, 10 + i)));
    rec.advance(19 * kMs);
  }

  rec.expect_device(device(m340,
                           {{"vendor", "Schneider Electric", "modbus"},
                            {"orderNumber", "BMX P34 2020", "modbus"},
                            {"firmwareVersion", "v3.20", "modbus"}},
                           {server("modbus")}));
  rec.expect_device(device(logix,
                           {{"productName", "1756-L83E/B", "enip"},
                            {"serialNumber", "0x00c0ffee", "enip"},
                            {"vendor", "Rockwell Automation/Allen-Bradley", "enip"}},
                           {server("enip")}));
  rec.expect_device(device(hmi, {}, {client("modbus"), client("enip")}));
  rec.expect_device(device(cisco, {{"hostname", "ie3400-cell2", "cdp"}, {"productName", "cisco IE-3400-8T2S", "cdp"}}));
}

// --- proto_utility: DNP3, IEC-104, MMS, GOOSE ---------------------------------------------------------------------

// DNP3 device attribute objects (group 0, qualifier 0x00, index 0): data type 1 (visible string).
Frame dnp3_attribute(uint8_t variation, std::string_view value) {
  Frame o{0x00, variation, 0x00, 0x00, 0x00, 0x01, uint8_t(value.size())};
  o.insert(o.end(), value.begin(), value.end());
  return o;
}
Frame joined(std::initializer_list<Frame> parts) {
  Frame out;
  for (const Frame& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Frame float_element(float value, uint8_t quality) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  return {uint8_t(bits), uint8_t(bits >> 8), uint8_t(bits >> 16), uint8_t(bits >> 24), quality};
}

void proto_utility(Recorder& rec) {
  const Host scada{mac("00:50:56:0c:03:05"), ip("10.10.3.5")};
  const Host rtu{mac("00:60:35:0c:03:14"), ip("10.10.3.20")};      // DNP3 outstation
  const Host gateway104{mac("00:0a:dc:0c:03:1e"), ip("10.10.3.30")};  // IEC-104 substation gateway
  const Host ied{mac("00:21:c1:0c:03:28"), ip("10.10.3.40")};       // IEC 61850 bay controller
  for (const Host& h : {scada, rtu, gateway104, ied}) arp_claim(rec, h);

  // DNP3: integrity poll, then the device attributes (g0v254: all of them).
  tcp_session(rec, scada, rtu, 50500, 20000, 301,
              {{dnp3(10, 1, true, 0xC1, 1, Frame{0x3C, 0x02, 0x06, 0x3C, 0x03, 0x06, 0x3C, 0x04, 0x06, 0x3C, 0x01, 0x06}, 0),
                dnp3_response(1, 10, 0xC1, 0x0000, Frame{0x01, 0x02, 0x00, 0x00, 0x03, 0x81, 0x01, 0x81, 0x01}, 0)},
               {dnp3(10, 1, true, 0xC2, 1, Frame{0x00, 0xFE, 0x06}, 1),
                dnp3_response(1, 10, 0xC2, 0x0000,
                              joined({dnp3_attribute(252, "SEL"), dnp3_attribute(250, "SEL-3530 RTAC"),
                                      dnp3_attribute(242, "R151"), dnp3_attribute(243, "B"),
                                      dnp3_attribute(248, "3530170452"), dnp3_attribute(247, "RTAC-FEEDER-12")}),
                              1)}});

  // IEC-104: STARTDT, general interrogation (confirmation, one point, termination), a measurement, TESTFR.
  {
    TcpConversation tcp(rec, ethernet_link(), scada.at(), gateway104.at(), 50600, 2404, 302);
    tcp.handshake();
    tcp.exchange(iec104_u(0x07), iec104_u(0x0B));
    tcp.exchange(iec104_i(0, 0, 100, 6, 1, 0, Frame{0x14}), iec104_i(0, 1, 100, 7, 1, 0, Frame{0x14}), false);
    tcp.send(false, tcp_flags::Psh | tcp_flags::Ack, iec104_i(1, 1, 1, 20, 1, 1001, Frame{0x01}));
    rec.advance(2 * kMs);
    tcp.send(false, tcp_flags::Psh | tcp_flags::Ack, iec104_i(2, 1, 100, 10, 1, 0, Frame{0x14}));
    rec.advance(5 * kMs);
    tcp.send(true, tcp_flags::Psh | tcp_flags::Ack, iec104_s(3));
    rec.advance(500 * kMs);
    tcp.send(false, tcp_flags::Psh | tcp_flags::Ack, iec104_i(3, 1, 13, 3, 1, 2001, float_element(49.98f, 0)));
    rec.advance(5 * kMs);
    tcp.exchange(iec104_u(0x43), iec104_u(0x83));
    tcp.close();
  }

  // MMS: association, Identify, a read of the breaker position.
  {
    TcpConversation tcp(rec, ethernet_link(), scada.at(), ied.at(), 50700, 102, 303);
    tcp.handshake();
    std::vector<Frame> requests = mms_associate_client(), answers = mms_associate_server();
    for (size_t i = 0; i < requests.size(); ++i) tcp.exchange(requests[i], answers[i]);
    tcp.exchange(mms_identify(1), mms_identify_reply(1, "ABB", "REC670", "2.2.5"));
    tcp.exchange(mms_read(2, "AA1C1Q05A1LD0", "XCBR1$ST$Pos$stVal"), mms_read_reply_bool(2, true));
    tcp.close();
  }

  // GOOSE: the bay controller publishes a trip signal; a state change after the retransmissions.
  const MacAddr goose_group = mac("01:0c:cd:01:00:01");
  for (uint32_t sq = 0; sq < 3; ++sq)
    l2(rec, ied.mac, goose_group, 0x88B8,
       goose(0x0001, "AA1C1Q05A1LD0/LLN0$GO$gcbTrip", "AA1C1Q05A1LD0/LLN0$dsTrip", "AA1C1Q05A1_Trip", 1, sq, false));
  l2(rec, ied.mac, goose_group, 0x88B8,
     goose(0x0001, "AA1C1Q05A1LD0/LLN0$GO$gcbTrip", "AA1C1Q05A1LD0/LLN0$dsTrip", "AA1C1Q05A1_Trip", 2, 0, true));

  rec.expect_device(device(scada,
                           {{"role", "master", "dnp3"},
                            {"description", "DNP3 address 1", "dnp3"},
                            {"role", "controlling station", "iec104"}},
                           {client("dnp3"), client("iec104"), client("mms")}));
  rec.expect_device(device(rtu,
                           {{"vendor", "SEL", "dnp3"},
                            {"productName", "SEL-3530 RTAC", "dnp3"},
                            {"firmwareVersion", "R151", "dnp3"},
                            {"hardwareRevision", "B", "dnp3"},
                            {"serialNumber", "3530170452", "dnp3"},
                            {"hostname", "RTAC-FEEDER-12", "dnp3"},
                            {"role", "outstation", "dnp3"},
                            {"description", "DNP3 address 10", "dnp3"}},
                           {server("dnp3")}));
  rec.expect_device(device(gateway104, {{"description", "CASDU 1", "iec104"}, {"role", "controlled station", "iec104"}},
                           {server("iec104")}));
  rec.expect_device(device(ied,
                           {{"vendor", "ABB", "mms"},
                            {"productName", "REC670", "mms"},
                            {"firmwareVersion", "2.2.5", "mms"},
                            {"deviceType", "IED", "mms"},
                            {"hostname", "AA1C1Q05A1LD0", "goose"},
                            {"deviceType", "IED", "goose"},
                            {"role", "GOOSE publisher", "goose"},
                            {"description", "gocbRef AA1C1Q05A1LD0/LLN0$GO$gcbTrip", "goose"}},
                           {server("mms")}));
}

// --- proto_building: BACnet/IP, MQTT, OPC UA, SNMP ----------------------------------------------------------------

void proto_building(Recorder& rec) {
  const Host bms{mac("00:50:56:0d:04:0a"), ip("10.10.4.10")};          // building management workstation
  const Host controller{mac("00:20:4a:0d:04:14"), ip("10.10.4.20")};   // BACnet controller
  const Host edge{mac("b8:27:eb:0d:04:1e"), ip("10.10.4.30")};         // IoT gateway (MQTT client)
  const Host broker{mac("00:50:56:0d:04:28"), ip("10.10.4.40")};
  const Host opc_server{mac("00:50:56:0d:04:32"), ip("10.10.4.50")};
  const Host ups{mac("00:20:85:0d:04:3c"), ip("10.10.4.60")};          // SNMP agent
  const Host subnet_broadcast{kBroadcastMac, ip("10.10.4.255")};
  for (const Host& h : {bms, controller, edge, broker, opc_server, ups}) arp_claim(rec, h);

  // BACnet: Who-Is and I-Am broadcast, then the workstation reads the device's vendor and model names.
  udp_dialogue(rec, bms, subnet_broadcast, 47808, 47808, {{bacnet_who_is(), {}}});
  udp_dialogue(rec, controller, subnet_broadcast, 47808, 47808, {{bacnet_i_am(20401, 5), {}}});
  udp_dialogue(rec, bms, controller, 47808, 47808,
               {{bacnet_read_property(1, 20401, 121), bacnet_read_property_string(1, 20401, 121, "Johnson Controls")},
                {bacnet_read_property(2, 20401, 70), bacnet_read_property_string(2, 20401, 70, "FEC2611-0")}});

  // MQTT: the gateway connects, subscribes to its commands and publishes readings.
  tcp_session(rec, edge, broker, 50800, 1883, 401,
              {{mqtt_connect("edge-gw-ahu3", "ahu3"), mqtt_connack()},
               {mqtt_subscribe(1, "plant/ahu3/cmd/#"), mqtt_suback(1)},
               {mqtt_publish("plant/ahu3/supply_temp", "{\"value\":17.5}"), {}},
               {mqtt_publish("plant/ahu3/fan_speed", "{\"value\":62}"), {}}});

  // OPC UA: the workstation discovers the server's endpoints.
  const std::string endpoint = "opc.tcp://10.10.4.50:4840";
  tcp_session(rec, bms, opc_server, 50900, 4840, 402,
              {{opcua_hello(endpoint), opcua_acknowledge()},
               {opcua_open_secure_channel(1), opcua_open_secure_channel_reply(7, 1, 1)},
               {opcua_get_endpoints(7, 1, 2, endpoint),
                opcua_get_endpoints_reply(7, 1, 2, endpoint, "urn:bms-opc:KEPServerEX", "http://www.kepware.com/KEPServerEX",
                                          "KEPServerEX")}});

  // SNMP: the workstation reads the UPS's system description and name.
  udp_dialogue(rec, bms, ups, 51000, 161,
               {{snmp_get(4711, "bms-ro"), snmp_get_response(4711, "bms-ro", "APC Web/SNMP Management Card (MB:v4.1.0 PF:v6.9.6)",
                                                             "ups-bldg-b")}});

  rec.expect_device(device(bms, {}, {client("bacnet"), client("opcua"), client("snmp")}));
  rec.expect_device(device(controller,
                           {{"description", "device instance 20401", "bacnet"},
                            {"vendor", "Johnson Controls, Inc.", "bacnet"},
                            {"vendor", "Johnson Controls", "bacnet"},
                            {"productName", "FEC2611-0", "bacnet"}},
                           {server("bacnet")}));
  rec.expect_device(device(edge, {{"description", "client id edge-gw-ahu3", "mqtt"}, {"role", "MQTT client", "mqtt"}},
                           {client("mqtt")}));
  rec.expect_device(device(broker, {{"role", "MQTT broker", "mqtt"}}, {server("mqtt")}));
  rec.expect_device(device(opc_server,
                           {{"description", "endpoint " + endpoint, "opcua"},
                            {"description", "application uri urn:bms-opc:KEPServerEX", "opcua"},
                            {"description", "security policy None", "opcua"},
                            {"productName", "http://www.kepware.com/KEPServerEX", "opcua"}},
                           {server("opcua")}));
  rec.expect_device(device(ups,
                           {{"description", "APC Web/SNMP Management Card (MB:v4.1.0 PF:v6.9.6)", "snmp"},
                            {"hostname", "ups-bldg-b", "snmp"}},
                           {server("snmp")}));
}

// --- proto_controllers: Omron FINS, MELSEC MC, Beckhoff ADS, TriStation, CODESYS V3 ------------------------------

constexpr AmsAddress kEwsAms{{192, 168, 20, 30, 1, 1}, 32905}, kCxAms{{192, 168, 20, 40, 1, 1}, 851};
constexpr uint8_t kCodesysFirmware[4] = {3, 5, 17, 30};

// The controllers are on 192.168.20.0/24: the CODESYS datagrams name the PLC 192.168.20.50 and
// the engineering workstation 192.168.20.30 in their own address fields.
void proto_controllers(Recorder& rec) {
  const Host ews{mac("3c:52:82:14:00:1e"), ip("192.168.20.30")};
  const Host omron{mac("00:00:0a:14:00:14"), ip("192.168.20.20")};
  const Host melsec{mac("00:26:92:14:00:15"), ip("192.168.20.21")};
  const Host cx{mac("00:01:05:14:00:28"), ip("192.168.20.40")};      // Beckhoff CX
  const Host tricon{mac("00:40:2b:14:00:2d"), ip("192.168.20.45")};  // Triconex safety controller
  const Host codesys_plc{mac("00:30:de:14:00:32"), ip("192.168.20.50")};  // WAGO PFC200 (CODESYS V3)
  for (const Host& h : {ews, omron, melsec, cx, tricon, codesys_plc}) arp_claim(rec, h);

  // FINS: controller data read, then a DM read.
  udp_dialogue(rec, ews, omron, 9600, 9600,
               {{fins(false, 20, 30, 1, 0x0501, Frame{0x00}), fins_controller_data_reply(30, 20, 1, "CJ2M-CPU33", "02.01")},
                {fins_memory_read(20, 30, 2, 0x82, 100, 2), fins(true, 30, 20, 2, 0x0101, Frame{0x00, 0x2A, 0x01, 0x00})}});

  // MELSEC: CPU model read, batch read of D100–D103 and batch write of D200–D201 (3E over TCP), then the
  // CPU model read again over 4E/UDP.
  const Frame q_model = text("Q06UDVCPU       ");
  tcp_session(rec, ews, melsec, 51100, 5007, 501,
              {{mc3e_request(0x0101, 0, {}), mc3e_reply(0, joined({q_model, Frame{0x66, 0x02}}))},
               {mc3e_request(0x0401, 0, mc_device(100, 0xA8, 4)), mc3e_reply(0, Frame{1, 0, 2, 0, 3, 0, 4, 0})},
               {mc3e_request(0x1401, 0, joined({mc_device(200, 0xA8, 2), Frame{0x10, 0x00, 0x20, 0x00}})), mc3e_reply(0, {})}});
  udp_dialogue(rec, ews, melsec, 51101, 5009,
               {{mc4e_request(0x0042, 0x0101, 0, {}), mc4e_reply(0x0042, 0, joined({q_model, Frame{0x66, 0x02}}))}});

  // ADS: an AddRoute over UDP, then device info and state over AMS/TCP.
  udp_dialogue(rec, ews, cx, 51200, 48899,
               {{ads_add_route(0x11, kEwsAms, "EWS-07", "Administrator", "EWS-07"),
                 ads_add_route_reply(0x11, kCxAms, "CX-5140")}});
  tcp_session(rec, ews, cx, 51201, 48898, 502,
              {{ads(kCxAms, kEwsAms, 1, false, 1, {}), ads(kEwsAms, kCxAms, 1, true, 1, ads_device_info_data(3, 1, 4024, "Plc30 App"))},
               {ads(kCxAms, kEwsAms, 4, false, 2, {}), ads(kEwsAms, kCxAms, 4, true, 2, Frame{0, 0, 0, 0, 5, 0, 0, 0})}});

  // TriStation: connect, then CP status and MP status requests.
  udp_dialogue(rec, ews, tricon, 51300, 1502,
               {{tristation(1, 0, Frame{0x01}), tristation(2, 0, Frame{0x01})},
                {tristation_command(0, 1, 19, 1, {}), tristation_command(1, 1, 108, 1, pattern_bytes(16, 19))},
                {tristation_command(0, 1, 29, 2, {}), tristation_command(1, 1, 127, 2, pattern_bytes(8, 29))}});

  // CODESYS: name service device info over UDP, then a login over TCP.
  udp_dialogue(rec, ews, codesys_plc, 1740, 1740,
               {{codesys_name_request(0x1234), codesys_device_info(0x1234, "PFC200-LINE3", "WAGO 750-8212", "WAGO", kCodesysFirmware)}});
  tcp_session(rec, ews, codesys_plc, 51400, 11740, 503,
              {{codesys_block_driver(codesys_service(1, 2, true, 0, pattern_bytes(24, 1))),
                codesys_block_driver(codesys_service(1, 2, false, 0x5a5a0001, pattern_bytes(12, 2)))}});

  rec.expect_device(device(ews,
                           {{"hostname", "EWS-07", "ads"},
                            {"description", "AMS NetId 192.168.20.30.1.1", "ads"},
                            {"deviceType", "Engineering workstation", "tristation"}},
                           {client("fins"), client("melsec"), client("ads"), client("tristation"), client("codesys")}));
  rec.expect_device(device(omron, {{"productName", "CJ2M-CPU33", "fins"}, {"firmwareVersion", "02.01", "fins"}},
                           {server("fins")}));
  rec.expect_device(device(melsec,
                           {{"productName", "Q06UDVCPU", "melsec"},
                            {"vendor", "Mitsubishi Electric", "melsec"},
                            {"deviceType", "PLC", "melsec"}},
                           {server("melsec")}));
  rec.expect_device(device(cx,
                           {{"productName", "Plc30 App", "ads"},
                            {"firmwareVersion", "3.1.4024", "ads"},
                            {"cpuState", "RUN", "ads"},
                            {"hostname", "CX-5140", "ads"},
                            {"description", "AMS NetId 192.168.20.40.1.1", "ads"}},
                           {server("ads")}));
  rec.expect_device(device(tricon, {{"deviceType", "SIS controller", "tristation"}}, {server("tristation")}));
  rec.expect_device(device(codesys_plc,
                           {{"hostname", "PFC200-LINE3", "codesys"},
                            {"productName", "WAGO 750-8212", "codesys"},
                            {"vendor", "WAGO", "codesys"},
                            {"firmwareVersion", "3.5.17.30", "codesys"}},
                           {server("codesys")}));
}

// A DHCP server's broadcast answer from 67 to 68: the lower server port is the server's, so the
// broadcast address is the flow's client.
void dhcp_server_broadcast(Recorder& rec, const Host& server, const Host& all_hosts, Bytes message) {
  UdpConversation udp(rec, ethernet_link(), all_hosts.at(), server.at(), 68, 67);
  udp.send(false, message);
  rec.advance(5 * kMs);
}

// --- proto_it: DHCP, DHCPv6, DNS, mDNS, LLMNR, NBNS, HTTP, TLS, SSH, SMB2/NTLM, RDP, VNC ---------------------

void proto_it(Recorder& rec) {
  const Host dc{mac("00:15:5d:0e:06:02"), ip("10.10.6.2")};            // DHCP, DNS, file server
  const Host historian{mac("00:15:5d:0e:06:0a"), ip("10.10.6.10")};    // web / TLS / SSH
  const Host jump{mac("00:15:5d:0e:06:0c"), ip("10.10.6.12")};         // RDP jump host
  const Host hmi{mac("00:0c:29:0e:06:14"), ip("10.10.6.20")};          // VNC server
  const Host ews{mac("3c:52:82:0e:06:32"), ip("10.10.6.50")};
  const IpAddr ews_ll = ip("fe80::3e52:82ff:fe0e:632");
  const Host unspecified{ews.mac, ip("0.0.0.0")};
  const Host all_hosts{kBroadcastMac, ip("255.255.255.255")};
  for (const Host& h : {dc, historian, jump, hmi}) arp_claim(rec, h);

  // DHCP: discover / offer / request / ack, broadcast; a renewal later, unicast from the leased address.
  const IpAddr none = ip("0.0.0.0");
  udp_dialogue(rec, unspecified, all_hosts, 68, 67,
               {{dhcp(1, 0x3903f326, ews.mac, none, none, "EWS-07", "MSFT 5.0"), {}}});
  dhcp_server_broadcast(rec, dc, all_hosts, dhcp(2, 0x3903f326, ews.mac, ews.ip, dc.ip, {}, {}));
  udp_dialogue(rec, unspecified, all_hosts, 68, 67,
               {{dhcp(3, 0x3903f326, ews.mac, ews.ip, dc.ip, "EWS-07", "MSFT 5.0"), {}}});
  dhcp_server_broadcast(rec, dc, all_hosts, dhcp(5, 0x3903f326, ews.mac, ews.ip, dc.ip, {}, {}));
  arp_claim(rec, ews);
  udp_dialogue(rec, ews, dc, 68, 67,
               {{dhcp(3, 0x3903f327, ews.mac, ews.ip, dc.ip, "EWS-07", "MSFT 5.0"),
                 dhcp(5, 0x3903f327, ews.mac, ews.ip, dc.ip, {}, {})}});

  // DHCPv6 solicit from the link-local address.
  const IpAddr dhcpv6_servers = ip("ff02::1:2");
  {
    UdpConversation solicit(rec, ethernet_link(), {ews.mac, ews_ll},
                            {ipv6_multicast_mac(dhcpv6_servers), dhcpv6_servers}, 546, 547);
    solicit.send(true, dhcpv6_solicit(0x00a1b2, ews.mac, "ews-07.plant.example", 311, "MSFT 5.0"));
    rec.advance(5 * kMs);
  }

  // Name services: DNS, mDNS announcement, LLMNR query and answer, NetBIOS name registration.
  udp_dialogue(rec, ews, dc, 53001, 53,
               {{dns_query(0x1001, "historian.plant.example", 1), dns_a_answer(0x1001, "historian.plant.example", historian.ip, false)}});
  const IpAddr mdns_group = ip("224.0.0.251"), llmnr_group = ip("224.0.0.252");
  udp_dialogue(rec, ews, {ipv4_multicast_mac(mdns_group), mdns_group}, 5353, 5353,
               {{dns_a_answer(0, "EWS-07.local", ews.ip, true), {}}});
  udp_dialogue(rec, ews, {ipv4_multicast_mac(llmnr_group), llmnr_group}, 53002, 5355,
               {{dns_query(0x2002, "historian", 1), {}}});
  {
    // The answer comes from 5355 to the asker's port: the sensor makes the answering host the client.
    UdpConversation answer(rec, ethernet_link(), historian.at(), ews.at(), 5355, 53002);
    answer.send(true, dns_a_answer(0x2002, "historian", historian.ip, false));
    rec.advance(5 * kMs);
  }
  const Host lan_broadcast{kBroadcastMac, ip("10.10.6.255")};
  udp_dialogue(rec, ews, lan_broadcast, 137, 137, {{nbns_registration(0x3003, "EWS-07", ews.ip), {}}});

  // Web and TLS to the historian, SSH to it.
  tcp_session(rec, ews, historian, 51500, 80, 601,
              {{text("GET /trends HTTP/1.1\r\nHost: historian.plant.example\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; "
                     "Win64; x64) Edge/120.0\r\nAccept: */*\r\n\r\n"),
                text("HTTP/1.1 200 OK\r\nServer: nginx/1.24.0\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")}});
  tcp_session(rec, ews, historian, 51501, 443, 602,
              {{tls_client_hello("historian.plant.example", 1), tls_server_hello_certificate(tls_test_certificate(), 2)}});
  tcp_script(rec, ews, historian, 51502, 22, 603,
             {{false, ssh_banner("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2")}, {true, ssh_banner("SSH-2.0-PuTTY_Release_0.79")}});

  // SMB2 with NTLM to the file server.
  tcp_session(rec, ews, dc, 51600, 445, 604,
              {{smb2_negotiate(false), smb2_negotiate(true)},
               {smb2_session_setup(false, 0, ntlm_negotiate("PLANT", "EWS-07")),
                smb2_session_setup(true, 0x0000100000000021ull, ntlm_challenge("PLANT", "DC01", "plant.example", "dc01.plant.example"))},
               {smb2_session_setup(false, 0x0000100000000021ull, ntlm_authenticate("PLANT", "operator", "EWS-07")),
                smb2_session_setup(true, 0x0000100000000021ull, {})}});

  // RDP to the jump host; VNC to the HMI (server speaks first).
  tcp_session(rec, ews, jump, 51700, 3389, 605, {{rdp_connection_request("operator"), rdp_connection_confirm()}});
  tcp_script(rec, ews, hmi, 51800, 5900, 606,
             {{false, text("RFB 003.008\n")}, {true, text("RFB 003.008\n")}, {false, vnc_security_types()},
              {true, Frame{0x02}}, {false, pattern_bytes(16, 5900)}, {true, pattern_bytes(16, 5901)},
              {false, Frame{0, 0, 0, 0}}, {true, Frame{0x01}}, {false, vnc_server_init(1280, 800, "hmi-line2:0")}});

  rec.expect_device({ews.mac, {ews.ip, ews_ll}, kUntagged, false,
                     {{"hostname", "EWS-07", "dhcp"},
                      {"description", "vendor class MSFT 5.0", "dhcp"},
                      {"description", "dhcp fingerprint 1,3,6,15", "dhcp"},
                      {"hostname", "ews-07.plant.example", "dhcpv6"},
                      {"description", "duid 3c:52:82:0e:06:32", "dhcpv6"},
                      {"description", "vendor class 311 MSFT 5.0", "dhcpv6"},
                      {"hostname", "EWS-07", "dns"},
                      {"hostname", "EWS-07", "nbns"},
                      {"software", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edge/120.0", "http"},
                      {"software", "PuTTY_Release_0.79", "ssh"},
                      {"hostname", "EWS-07", "smb"},
                      {"domain", "PLANT", "smb"},
                      {"operatingSystem", "Windows 10.0 build 17763", "smb"}},
                     {client("dhcp"), client("http"), client("tls"), client("ssh"), client("smb"), client("rdp"),
                      client("vnc")}});
  rec.expect_device(device(dc,
                           {{"hostname", "DC01", "smb"},
                            {"hostname", "dc01.plant.example", "smb"},
                            {"domain", "PLANT", "smb"},
                            {"description", "dns domain plant.example", "smb"},
                            {"operatingSystem", "Windows 10.0 build 17763", "smb"},
                            {"role", "SMB server", "smb"}},
                           {server("dhcp"), server("dns"), server("smb")}));
  rec.expect_device(device(historian,
                           {{"hostname", "historian", "dns"},
                            {"software", "nginx/1.24.0", "http"},
                            {"hostname", "historian.plant.example", "tls"},
                            {"description", "tls certificate subject historian.plant.example issuer "
                                            "historian.plant.example valid until 2036-11-25 00:44:21 UTC", "tls"},
                            {"software", "OpenSSH_9.2p1 Debian-2+deb12u2", "ssh"},
                            {"operatingSystem", "Debian", "ssh"}},
                           {server("http"), server("tls"), server("ssh")}));
  rec.expect_device(device(jump, {{"role", "RDP server", "rdp"}}, {server("rdp")}));
  rec.expect_device(device(hmi,
                           {{"software", "RFB 003.008", "vnc"},
                            {"description", "vnc desktop hmi-line2:0", "vnc"},
                            {"hostname", "hmi-line2", "vnc"}},
                           {server("vnc")}));
}

// --- Behaviour-pack scenarios: attack_*.pcap and benign_plant.pcap ------------------------------------------------
//
// Each attack capture starts with the legitimate master doing its normal work, then an attacker
// reaches the plant through the site firewall from a public address (a compromised remote-access
// host in a documentation range). Without a baseline the engine treats a public source as unknown,
// which is what behaviours that need a baseline ask for.

constexpr int64_t kLeadInPause = 2 * kSecond;

// The site firewall: it claims its LAN address in ARP and carries the attacker's traffic, so its MAC
// shows the attacker's public address too (one unclaimed address does not make it a router).
Host remote_attacker(Recorder& rec, const char* firewall_ip) {
  const Host firewall{mac("00:09:0f:fa:00:01"), ip(firewall_ip)};
  const Host attacker{firewall.mac, ip("203.0.113.66")};
  arp_claim(rec, firewall);
  rec.expect_device({firewall.mac, {firewall.ip, attacker.ip}, kUntagged, false, {}, {}});
  return attacker;
}

// An IEC-104 session with its own send / receive counters.
struct Iec104Link {
  TcpConversation tcp;
  uint16_t client_sent = 0, server_sent = 0;
  void client_i(uint8_t type, uint8_t cause, uint32_t ioa, Frame element) {
    tcp.send(true, tcp_flags::Psh | tcp_flags::Ack, iec104_i(client_sent++, server_sent, type, cause, 1, ioa, element));
  }
  void server_i(uint8_t type, uint8_t cause, uint32_t ioa, Frame element) {
    tcp.send(false, tcp_flags::Psh | tcp_flags::Ack, iec104_i(server_sent++, client_sent, type, cause, 1, ioa, element));
  }
};

void iec104_start_and_interrogate(Recorder& rec, Iec104Link& link) {
  link.tcp.handshake();
  link.tcp.exchange(iec104_u(0x07), iec104_u(0x0B), false);
  link.client_i(100, 6, 0, Frame{0x14});  // C_IC_NA_1 activation, station interrogation
  rec.advance(3 * kMs);
  link.server_i(100, 7, 0, Frame{0x14});
  rec.advance(2 * kMs);
  link.server_i(1, 20, 1001, Frame{0x01});
  rec.advance(2 * kMs);
  link.server_i(100, 10, 0, Frame{0x14});
  rec.advance(3 * kMs);
}

void attack_industroyer2(Recorder& rec) {
  const Host scada{mac("00:50:56:14:01:05"), ip("10.20.1.5")};
  const Host gateway104{mac("00:0a:dc:14:01:1e"), ip("10.20.1.30")};
  for (const Host& h : {scada, gateway104}) arp_claim(rec, h);
  const Host attacker = remote_attacker(rec, "10.20.1.1");
  {
    Iec104Link legit{TcpConversation(rec, ethernet_link(), scada.at(), gateway104.at(), 52000, 2404, 701)};
    iec104_start_and_interrogate(rec, legit);
    legit.tcp.send(true, tcp_flags::Psh | tcp_flags::Ack, iec104_s(legit.server_sent));
    rec.advance(5 * kMs);
    legit.tcp.close();
  }
  rec.advance(kLeadInPause);
  // Industroyer2: STARTDT, interrogation, then select + execute of single commands to ten breakers.
  Iec104Link evil{TcpConversation(rec, ethernet_link(), attacker.at(), gateway104.at(), 40100, 2404, 702)};
  iec104_start_and_interrogate(rec, evil);
  for (uint32_t ioa = 3001; ioa <= 3010; ++ioa) {
    for (uint8_t sco : {uint8_t(0x81), uint8_t(0x01)}) {  // select, then execute: OFF
      evil.client_i(45, 6, ioa, Frame{sco});
      rec.advance(4 * kMs);
      evil.server_i(45, 7, ioa, Frame{sco});
      rec.advance(6 * kMs);
    }
  }
  evil.tcp.close();
  rec.expect_device(device(scada, {}, {client("iec104")}));
  rec.expect_device(device(gateway104, {}, {server("iec104")}));
  rec.expect_alerts({"OTS-BHV-INDUSTROYER2"});
}

void mms_session(Recorder& rec, const Host& client, const Host& server, uint16_t client_port, uint32_t seed,
                 const std::vector<std::pair<Frame, Frame>>& exchanges) {
  TcpConversation tcp(rec, ethernet_link(), client.at(), server.at(), client_port, 102, seed);
  tcp.handshake();
  std::vector<Frame> requests = mms_associate_client(), answers = mms_associate_server();
  for (size_t i = 0; i < requests.size(); ++i) tcp.exchange(requests[i], answers[i]);
  for (const auto& [request, response] : exchanges) tcp.exchange(request, response);
  tcp.close();
}

void attack_industroyer(Recorder& rec) {
  const Host scada{mac("00:50:56:14:02:05"), ip("10.20.2.5")};
  const Host ied{mac("00:21:c1:14:02:28"), ip("10.20.2.40")};
  for (const Host& h : {scada, ied}) arp_claim(rec, h);
  const Host attacker = remote_attacker(rec, "10.20.2.1");
  mms_session(rec, scada, ied, 52100, 711,
              {{mms_read(1, "AA1C1Q05A1LD0", "XCBR1$ST$Pos$stVal"), mms_read_reply_bool(1, true)},
               {mms_read(2, "AA1C1Q05A1LD0", "CSWI1$ST$Pos$stVal"), mms_read_reply_bool(2, true)}});
  rec.advance(kLeadInPause);
  // Industroyer's 61850 module: open the breaker and both disconnectors.
  mms_session(rec, attacker, ied, 40200, 712,
              {{mms_write_bool(1, "AA1C1Q05A1LD0", "CSWI1$CO$Pos$Oper$ctlVal", false), mms_write_reply(1)},
               {mms_write_bool(2, "AA1C1Q05A1LD0", "CSWI2$CO$Pos$Oper$ctlVal", false), mms_write_reply(2)},
               {mms_write_bool(3, "AA1C1Q05A1LD0", "XCBR1$CO$Pos$Oper$ctlVal", false), mms_write_reply(3)}});
  rec.expect_device(device(scada, {}, {client("mms")}));
  rec.expect_device(device(ied, {}, {server("mms")}));
  rec.expect_alerts({"OTS-BHV-INDUSTROYER"});
}

void attack_triton(Recorder& rec) {
  const Host ews{mac("3c:52:82:14:03:1e"), ip("10.20.3.30")};
  const Host tricon{mac("00:40:2b:14:03:2d"), ip("10.20.3.45")};
  for (const Host& h : {ews, tricon}) arp_claim(rec, h);
  const Host attacker = remote_attacker(rec, "10.20.3.1");
  udp_dialogue(rec, ews, tricon, 52200, 1502,
               {{tristation(1, 0, Frame{0x01}), tristation(2, 0, Frame{0x01})},
                {tristation_command(0, 1, 19, 1, {}), tristation_command(1, 1, 108, 1, pattern_bytes(16, 19))}});
  rec.advance(kLeadInPause);
  // TRITON: attach, start a download change, allocate and append a program.
  udp_dialogue(rec, attacker, tricon, 40300, 1502,
               {{tristation(1, 0, Frame{0x02}), tristation(2, 0, Frame{0x02})},
                {tristation_command(0, 2, 1, 1, pattern_bytes(10, 1)), tristation_command(1, 2, 102, 1, {})},
                {tristation_command(0, 2, 55, 2, pattern_bytes(64, 55)), tristation_command(1, 2, 105, 2, {})}});
  rec.expect_device(device(ews, {}, {client("tristation")}));
  rec.expect_device(device(tricon, {}, {server("tristation")}));
  rec.expect_alerts({"OTS-BHV-TRITON"});
}

void opcua_browsing(Recorder& rec, const Host& client, const Host& server, uint16_t client_port, uint32_t seed,
                    int browses) {
  const std::string endpoint = "opc.tcp://" + server.ip.str() + ":4840";
  std::vector<std::pair<Frame, Frame>> exchanges = {
      {opcua_hello(endpoint), opcua_acknowledge()},
      {opcua_open_secure_channel(1), opcua_open_secure_channel_reply(9, 1, 1)}};
  for (int i = 0; i < browses; ++i) {
    const uint32_t sequence = uint32_t(2 + i);
    exchanges.push_back({opcua_browse(9, 1, sequence, uint32_t(84 + i)), opcua_browse_reply(9, 1, sequence)});
  }
  tcp_session(rec, client, server, client_port, 4840, seed, exchanges);
}

void attack_pipedream_opcua(Recorder& rec) {
  const Host scada{mac("00:50:56:14:04:0a"), ip("10.20.4.10")};
  const Host opc_server{mac("00:50:56:14:04:32"), ip("10.20.4.50")};
  for (const Host& h : {scada, opc_server}) arp_claim(rec, h);
  const Host attacker = remote_attacker(rec, "10.20.4.1");
  opcua_browsing(rec, scada, opc_server, 52300, 721, 3);
  rec.advance(kLeadInPause);
  opcua_browsing(rec, attacker, opc_server, 40400, 722, 25);  // walks the whole address space
  rec.expect_device(device(scada, {}, {client("opcua")}));
  rec.expect_device(device(opc_server, {}, {server("opcua")}));
  rec.expect_alerts({"OTS-BHV-PIPEDREAM-OPCUA"});
}

std::pair<Frame, Frame> codesys_login(uint32_t attempt, bool accepted) {
  return {codesys_block_driver(codesys_service(1, 2, true, 0, pattern_bytes(24, attempt))),
          codesys_block_driver(codesys_service(1, 2, false, accepted ? 0x5a5a0001 : 0, pattern_bytes(12, attempt)))};
}

void attack_pipedream_codesys(Recorder& rec) {
  const Host ews{mac("3c:52:82:14:05:1e"), ip("10.20.5.30")};
  const Host plc{mac("00:30:de:14:05:32"), ip("10.20.5.50")};
  for (const Host& h : {ews, plc}) arp_claim(rec, h);
  const Host attacker = remote_attacker(rec, "10.20.5.1");
  tcp_session(rec, ews, plc, 52400, 11740, 731, {codesys_login(1, true)});
  rec.advance(kLeadInPause);
  std::vector<std::pair<Frame, Frame>> guesses;  // password guessing
  for (uint32_t attempt = 2; attempt <= 8; ++attempt) guesses.push_back(codesys_login(attempt, false));
  tcp_session(rec, attacker, plc, 40500, 11740, 732, guesses);
  rec.expect_device(device(ews, {}, {client("codesys")}));
  rec.expect_device(device(plc, {}, {server("codesys")}));
  rec.expect_alerts({"OTS-BHV-PIPEDREAM-CODESYS"});
}

void attack_pipedream_fins(Recorder& rec) {
  const Host ews{mac("3c:52:82:14:06:1e"), ip("10.20.6.30")};
  const Host omron{mac("00:00:0a:14:06:14"), ip("10.20.6.20")};
  for (const Host& h : {ews, omron}) arp_claim(rec, h);
  const Host attacker = remote_attacker(rec, "10.20.6.1");
  udp_dialogue(rec, ews, omron, 9600, 9600,
               {{fins_memory_read(20, 30, 1, 0x82, 100, 2), fins(true, 30, 20, 1, 0x0101, Frame{0x00, 0x2A, 0x01, 0x00})}});
  rec.advance(kLeadInPause);
  // PIPEDREAM's Omron module: overwrite DM words, then stop the CPU.
  std::vector<std::pair<Frame, Frame>> writes;
  for (uint8_t i = 0; i < 3; ++i)
    writes.push_back({fins_memory_write(20, 66, uint8_t(10 + i), 0x82, uint16_t(100 + i), {0xFFFF}),
                      fins(true, 66, 20, uint8_t(10 + i), 0x0102, {})});
  writes.push_back({fins(false, 20, 66, 13, 0x0402, {}), fins(true, 66, 20, 13, 0x0402, {})});
  udp_dialogue(rec, attacker, omron, 40600, 9600, writes);
  rec.expect_device(device(ews, {}, {client("fins")}));
  rec.expect_device(device(omron, {}, {server("fins")}));
  rec.expect_alerts({"OTS-BHV-PIPEDREAM-FINS"});
}

void attack_pipedream_umas(Recorder& rec) {
  const Host hmi{mac("00:0c:29:14:07:14"), ip("10.20.7.20")};
  const Host m340{mac("00:80:f4:14:07:0a"), ip("10.20.7.10")};
  for (const Host& h : {hmi, m340}) arp_claim(rec, h);
  const Host attacker = remote_attacker(rec, "10.20.7.1");
  tcp_session(rec, hmi, m340, 52600, 502, 751,
              {{modbus_read_holding(1, 1, 0, 4), modbus_read_holding_reply(1, 1, {100, 200, 300, 400})}});
  rec.advance(kLeadInPause);
  // PIPEDREAM's Schneider module: identify, take the reservation, stop the PLC.
  tcp_session(rec, attacker, m340, 40700, 502, 752,
              {{modbus_umas(1, 0, 0, 0x02, {}), modbus_umas(1, 0, 0, 0xFE, pattern_bytes(12, 2))},
               {modbus_umas(2, 0, 0, 0x10, text("PIPEDREAM-HOST")), modbus_umas(2, 0, 0, 0xFE, Frame{0x7A})},
               {modbus_umas(3, 0, 0x7A, 0x41, Frame{0xFF, 0x00}), modbus_umas(3, 0, 0x7A, 0xFE, {})}});
  rec.expect_device(device(hmi, {}, {client("modbus")}));
  rec.expect_device(device(m340, {}, {server("modbus")}));
  rec.expect_alerts({"OTS-BHV-PIPEDREAM-UMAS"});
}

void attack_frostygoop(Recorder& rec) {
  const Host hmi{mac("00:0c:29:14:08:14"), ip("10.20.8.20")};
  const Host heating{mac("00:80:f4:14:08:0a"), ip("10.20.8.10")};  // heating system controller
  for (const Host& h : {hmi, heating}) arp_claim(rec, h);
  const Host attacker = remote_attacker(rec, "10.20.8.1");
  tcp_session(rec, hmi, heating, 52700, 502, 761,
              {{modbus_read_holding(1, 1, 0, 4), modbus_read_holding_reply(1, 1, {55, 60, 45, 1})}});
  rec.advance(kLeadInPause);
  // FrostyGoop: read the set points, then overwrite them.
  tcp_session(rec, attacker, heating, 40800, 502, 762,
              {{modbus_read_holding(1, 1, 0, 4), modbus_read_holding_reply(1, 1, {55, 60, 45, 1})},
               {modbus_write_multiple(2, 1, 0, {5, 5}), modbus_write_multiple_reply(2, 1, 0, 2)},
               {modbus_write_single(3, 1, 3, 0), modbus_write_single(3, 1, 3, 0)}});
  rec.expect_device(device(hmi, {}, {client("modbus")}));
  rec.expect_device(device(heating, {}, {server("modbus")}));
  rec.expect_alerts({"OTS-BHV-FROSTYGOOP"});
}

void attack_s7_stop_download(Recorder& rec) {
  const Host hmi{mac("00:0c:29:14:09:14"), ip("10.20.9.20")};
  const Host plc{mac("00:1b:1b:14:09:0a"), ip("10.20.9.10")};
  for (const Host& h : {hmi, plc}) arp_claim(rec, h);
  const Host attacker = remote_attacker(rec, "10.20.9.1");
  auto s7_open = [](uint16_t ref) -> std::vector<std::pair<Frame, Frame>> {
    return {{cotp_connect_request(ref, 0x0100, 0x0102), cotp_connect_confirm(ref, 0x4431, 0x0100, 0x0102)},
            {s7_setup_communication(1, false), s7_setup_communication(1, true)}};
  };
  std::vector<std::pair<Frame, Frame>> poll = s7_open(1);
  poll.push_back({s7_read_db(2, 10, 0, 8), s7_read_db_reply(2, pattern_bytes(8, 2))});
  tcp_session(rec, hmi, plc, 52800, 102, 771, poll);
  rec.advance(kLeadInPause);
  // Stop the CPU and download a replacement OB 1.
  std::vector<std::pair<Frame, Frame>> attack = s7_open(2);
  attack.push_back({s7_plc_stop(2), s7_ack(2, 0x29)});
  attack.push_back({s7_request_download(3, "0800001"), s7_ack(3, 0x1A)});
  attack.push_back({s7_download_block(4, "0800001"), s7_ack(4, 0x1B)});
  tcp_session(rec, attacker, plc, 40900, 102, 772, attack);
  rec.expect_device(device(hmi, {}, {client("s7comm")}));
  rec.expect_device(device(plc, {}, {server("s7comm")}));
  rec.expect_alerts({"OTS-BHV-S7-STOP-DOWNLOAD"});
}

void attack_modbus_fc8(Recorder& rec) {
  const Host hmi{mac("00:0c:29:14:0a:14"), ip("10.20.10.20")};
  const Host rtu{mac("00:80:f4:14:0a:0a"), ip("10.20.10.10")};
  for (const Host& h : {hmi, rtu}) arp_claim(rec, h);
  const Host attacker = remote_attacker(rec, "10.20.10.1");
  tcp_session(rec, hmi, rtu, 53000, 502, 781,
              {{modbus_read_holding(1, 1, 0, 2), modbus_read_holding_reply(1, 1, {7, 8})}});
  rec.advance(kLeadInPause);
  // Force listen-only mode: the device goes quiet and does not answer.
  tcp_session(rec, attacker, rtu, 41000, 502, 782, {{modbus_diagnostics(1, 1, 4, 0), {}}});
  rec.expect_device(device(hmi, {}, {client("modbus")}));
  rec.expect_device(device(rtu, {}, {server("modbus")}));
  rec.expect_alerts({"OTS-BHV-MODBUS-FC8"});
}

void attack_dnp3_restart(Recorder& rec) {
  const Host master{mac("00:50:56:14:0b:05"), ip("10.20.11.5")};
  const Host outstation{mac("00:60:35:14:0b:14"), ip("10.20.11.20")};
  for (const Host& h : {master, outstation}) arp_claim(rec, h);
  const Host attacker = remote_attacker(rec, "10.20.11.1");
  tcp_session(rec, master, outstation, 53100, 20000, 791,
              {{dnp3(10, 1, true, 0xC1, 1, Frame{0x3C, 0x01, 0x06}, 0),
                dnp3_response(1, 10, 0xC1, 0x0000, Frame{0x01, 0x02, 0x00, 0x00, 0x01, 0x81, 0x01}, 0)}});
  rec.advance(kLeadInPause);
  // Cold restart; the outstation answers with the time until it is back (g52v2, 5000 ms).
  tcp_session(rec, attacker, outstation, 41100, 20000, 792,
              {{dnp3(10, 1, true, 0xC3, 13, {}, 0),
                dnp3_response(1, 10, 0xC3, 0x0000, Frame{0x34, 0x02, 0x07, 0x01, 0x88, 0x13}, 0)}});
  rec.expect_device(device(master, {}, {client("dnp3")}));
  rec.expect_device(device(outstation, {}, {server("dnp3")}));
  rec.expect_alerts({"OTS-BHV-DNP3-RESTART"});
}

// Normal polling of several protocols by the plant's own masters: no writes by a new writer, one
// CODESYS login, a few OPC UA browses, IEC-104 interrogation without commands.
void benign_plant(Recorder& rec) {
  const Host scada{mac("00:50:56:14:0c:05"), ip("10.20.12.5")};
  const Host m340{mac("00:80:f4:14:0c:0a"), ip("10.20.12.10")};
  const Host s7{mac("00:1b:1b:14:0c:0b"), ip("10.20.12.11")};
  const Host rtu{mac("00:60:35:14:0c:14"), ip("10.20.12.20")};
  const Host gateway104{mac("00:0a:dc:14:0c:1e"), ip("10.20.12.30")};
  const Host ews{mac("3c:52:82:14:0c:1f"), ip("10.20.12.31")};
  const Host opc_server{mac("00:50:56:14:0c:32"), ip("10.20.12.50")};
  const Host codesys_plc{mac("00:30:de:14:0c:33"), ip("10.20.12.51")};
  for (const Host& h : {scada, m340, s7, rtu, gateway104, ews, opc_server, codesys_plc}) arp_claim(rec, h);
  for (uint16_t round = 0; round < 3; ++round) {
    tcp_session(rec, scada, m340, uint16_t(53200 + round), 502, 801 + round,
                {{modbus_read_holding(uint16_t(1 + 2 * round), 1, 0, 4), modbus_read_holding_reply(uint16_t(1 + 2 * round), 1, {1, 2, 3, 4})},
                 {modbus_read_holding(uint16_t(2 + 2 * round), 1, 100, 2), modbus_read_holding_reply(uint16_t(2 + 2 * round), 1, {5, 6})}});
    tcp_session(rec, scada, rtu, uint16_t(53300 + round), 20000, 811 + round,
                {{dnp3(10, 1, true, uint8_t(0xC0 | round), 1, Frame{0x3C, 0x01, 0x06}, uint8_t(round)),
                  dnp3_response(1, 10, uint8_t(0xC0 | round), 0x0000, Frame{0x01, 0x02, 0x00, 0x00, 0x01, 0x81, 0x01}, uint8_t(round))}});
    rec.advance(10 * kSecond);
  }
  tcp_session(rec, scada, s7, 53400, 102, 821,
              {{cotp_connect_request(1, 0x0100, 0x0102), cotp_connect_confirm(1, 0x4431, 0x0100, 0x0102)},
               {s7_setup_communication(1, false), s7_setup_communication(1, true)},
               {s7_read_db(2, 10, 0, 8), s7_read_db_reply(2, pattern_bytes(8, 2))}});
  {
    Iec104Link link{TcpConversation(rec, ethernet_link(), scada.at(), gateway104.at(), 53500, 2404, 831)};
    iec104_start_and_interrogate(rec, link);
    link.server_i(13, 3, 2001, float_element(49.98f, 0));
    rec.advance(3 * kMs);
    link.tcp.send(true, tcp_flags::Psh | tcp_flags::Ack, iec104_s(link.server_sent));
    rec.advance(3 * kMs);
    link.tcp.close();
  }
  opcua_browsing(rec, scada, opc_server, 53600, 841, 4);
  tcp_session(rec, ews, codesys_plc, 53700, 11740, 851, {codesys_login(1, true)});

  rec.expect_device(device(scada, {}, {client("modbus"), client("dnp3"), client("s7comm"), client("iec104"), client("opcua")}));
  rec.expect_device(device(m340, {}, {server("modbus")}));
  rec.expect_device(device(s7, {}, {server("s7comm")}));
  rec.expect_device(device(rtu, {}, {server("dnp3")}));
  rec.expect_device(device(gateway104, {}, {server("iec104")}));
  rec.expect_device(device(ews, {}, {client("codesys")}));
  rec.expect_device(device(opc_server, {}, {server("opcua")}));
  rec.expect_device(device(codesys_plc, {}, {server("codesys")}));
  rec.expect_alerts({});
}

}  // namespace

std::vector<NamedScenario> protocol_scenarios() {
  return {{"proto_siemens.pcap", proto_siemens},     {"proto_factory.pcap", proto_factory},
          {"proto_utility.pcap", proto_utility},     {"proto_building.pcap", proto_building},
          {"proto_controllers.pcap", proto_controllers}, {"proto_it.pcap", proto_it},
          {"attack_industroyer2.pcap", attack_industroyer2}, {"attack_industroyer.pcap", attack_industroyer},
          {"attack_triton.pcap", attack_triton}, {"attack_pipedream_opcua.pcap", attack_pipedream_opcua},
          {"attack_pipedream_codesys.pcap", attack_pipedream_codesys},
          {"attack_pipedream_fins.pcap", attack_pipedream_fins}, {"attack_pipedream_umas.pcap", attack_pipedream_umas},
          {"attack_frostygoop.pcap", attack_frostygoop}, {"attack_s7_stop_download.pcap", attack_s7_stop_download},
          {"attack_modbus_fc8.pcap", attack_modbus_fc8}, {"attack_dnp3_restart.pcap", attack_dnp3_restart},
          {"benign_plant.pcap", benign_plant}};
}

}  // namespace ots::pcapgen
