#include "pcaps/gen/proto_samples.h"

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

}  // namespace

std::vector<NamedScenario> protocol_scenarios() {
  return {{"proto_siemens.pcap", proto_siemens}, {"proto_factory.pcap", proto_factory}};
}

}  // namespace ots::pcapgen
