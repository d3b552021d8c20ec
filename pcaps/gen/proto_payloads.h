// Application messages of the protocols otsensor dissects, built from their specifications
// (or, for the vendor protocols without one, from the public analyses the dissectors follow),
// with every length, count and checksum right, so generated captures decode in Wireshark and
// in otsensor as the real thing. Each builder returns the transport payload (TCP stream bytes
// of one message, a UDP datagram, or the payload after an EtherType).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pcaps/gen/frame_builder.h"

namespace ots::pcapgen::proto {

// ---- Modbus/TCP (MBAP + PDU) -------------------------------------------------------------------
Frame modbus(uint16_t transaction, uint8_t unit, Bytes pdu);
Frame modbus_read_holding(uint16_t transaction, uint8_t unit, uint16_t address, uint16_t count);
Frame modbus_read_holding_reply(uint16_t transaction, uint8_t unit, const std::vector<uint16_t>& values);
Frame modbus_write_single(uint16_t transaction, uint8_t unit, uint16_t address, uint16_t value);  // FC 6, echoed
Frame modbus_write_multiple(uint16_t transaction, uint8_t unit, uint16_t address,
                            const std::vector<uint16_t>& values);
Frame modbus_write_multiple_reply(uint16_t transaction, uint8_t unit, uint16_t address, uint16_t count);
// FC 43 / MEI 14, basic device identification: objects 0 vendor, 1 product code, 2 revision.
Frame modbus_device_id_request(uint16_t transaction, uint8_t unit);
Frame modbus_device_id_reply(uint16_t transaction, uint8_t unit, std::string_view vendor,
                             std::string_view product_code, std::string_view revision);
// FC 8 diagnostics with a sub-function (1 restart communications, 4 force listen-only).
Frame modbus_diagnostics(uint16_t transaction, uint8_t unit, uint16_t sub_function, uint16_t data);
// FC 0x5A Schneider UMAS: session byte, UMAS function, data.
Frame modbus_umas(uint16_t transaction, uint8_t unit, uint8_t session, uint8_t umas_function, Bytes data);

// ---- ISO transport (TPKT + COTP) ------------------------------------------------------------------
Frame cotp_connect_request(uint16_t src_ref, uint16_t calling_tsap, uint16_t called_tsap);
Frame cotp_connect_confirm(uint16_t dst_ref, uint16_t src_ref, uint16_t calling_tsap, uint16_t called_tsap);
Frame tpkt_data(Bytes user_data);  // TPKT + COTP DT (last data unit)

// ---- S7comm (inside tpkt_data) ------------------------------------------------------------------------
Frame s7_setup_communication(uint16_t pdu_ref, bool response);
Frame s7_read_db(uint16_t pdu_ref, uint16_t db, uint32_t byte_address, uint16_t bytes);
Frame s7_read_db_reply(uint16_t pdu_ref, Bytes data);
Frame s7_write_db(uint16_t pdu_ref, uint16_t db, uint32_t byte_address, Bytes data);
Frame s7_write_db_reply(uint16_t pdu_ref);
Frame s7_read_szl(uint16_t pdu_ref, uint16_t szl_id, uint16_t index);
// SZL 0x0011 (module identification): one record with the order number (MLFB).
Frame s7_szl_0011_reply(uint16_t pdu_ref, std::string_view order_number);
// SZL 0x001C (component identification): station (1), module (2), serial (5), module type (7).
Frame s7_szl_001c_reply(uint16_t pdu_ref, std::string_view station, std::string_view module,
                        std::string_view serial, std::string_view module_type);
Frame s7_plc_stop(uint16_t pdu_ref);
Frame s7_request_download(uint16_t pdu_ref, std::string_view block);  // block like "0800001" (OB 1)
Frame s7_download_block(uint16_t pdu_ref, std::string_view block);
Frame s7_ack(uint16_t pdu_ref, uint8_t function);  // an ack-data answer with a one-byte parameter

// ---- S7comm-plus: a real TIA Portal HMI session set-up (order number and firmware in its answer) --
std::vector<Frame> s7plus_session_client();  // COTP CR, CreateObject, SetSessionVersion, GetMultiVariables
std::vector<Frame> s7plus_session_server();  // their answers
inline constexpr std::string_view kS7plusOrderNumber = "6ES7 211-1BE31-0XB0", kS7plusFirmware = "V3.0";

// ---- EtherNet/IP + CIP -----------------------------------------------------------------------------
Frame enip_list_identity_request();
struct CipIdentity {
  uint16_t vendor_id, device_type, product_code;
  uint8_t major, minor;
  uint32_t serial;
  std::string product_name;
  IpAddr address;
};
Frame enip_list_identity_reply(const CipIdentity& identity);
Frame enip_register_session(uint32_t session);  // request and reply have the same shape
// SendRRData carrying an unconnected CIP request / reply.
Frame enip_send_rr(uint32_t session, Bytes cip);
Frame cip_get_attributes_all(uint16_t cls, uint16_t instance);
Frame cip_identity_reply(const CipIdentity& identity);  // Get_Attributes_All answer of the Identity object
Frame cip_forward_open(uint32_t o_t_id, uint32_t t_o_id, uint16_t serial);
Frame cip_forward_open_reply(uint32_t o_t_id, uint32_t t_o_id, uint16_t serial);
Frame cip_read_tag(std::string_view tag);
Frame cip_read_tag_reply(uint32_t value);
Frame enip_io(uint32_t connection_id, uint32_t sequence, Bytes data);  // UDP 2222 class 1 I/O

// ---- DNP3 (link CRCs, transport, application) ---------------------------------------------------------
// One link frame carrying a whole application fragment; `from_master` sets DIR.
Frame dnp3(uint16_t destination, uint16_t source, bool from_master, uint8_t app_control, uint8_t function,
           Bytes objects, uint8_t transport_sequence);
Frame dnp3_response(uint16_t destination, uint16_t source, uint8_t app_control, uint16_t iin, Bytes objects,
                    uint8_t transport_sequence);
uint16_t dnp3_crc(Bytes data);

// ---- IEC 60870-5-104 ------------------------------------------------------------------------------------
Frame iec104_u(uint8_t control);  // 0x07 STARTDT act, 0x0B con, 0x43 TESTFR act, 0x83 con
Frame iec104_s(uint16_t receive_seq);
// An I-frame with one information object: `element` follows the 3-byte IOA.
Frame iec104_i(uint16_t send_seq, uint16_t receive_seq, uint8_t type, uint8_t cause, uint16_t casdu,
               uint32_t ioa, Bytes element);

// ---- BACnet/IP ----------------------------------------------------------------------------------------------
Frame bacnet_who_is();
Frame bacnet_i_am(uint32_t instance, uint16_t vendor_id);
Frame bacnet_read_property(uint8_t invoke_id, uint32_t instance, uint32_t property);
Frame bacnet_read_property_string(uint8_t invoke_id, uint32_t instance, uint32_t property, std::string_view value);

// ---- Profinet DCP, GOOSE, LLDP, CDP (frames after the Ethernet header) -----------------------------------------
Frame dcp_identify_all(uint32_t xid);
Frame dcp_identify_reply(uint32_t xid, std::string_view station, std::string_view vendor_text, uint16_t vendor_id,
                         uint16_t device_id, const IpAddr& address);
Frame dcp_set_ip(uint32_t xid, const IpAddr& address);
Frame dcp_set_reply(uint32_t xid);
Frame goose(uint16_t appid, std::string_view gocb_ref, std::string_view dataset, std::string_view go_id,
            uint32_t st_num, uint32_t sq_num, bool value);
Frame lldp(const MacAddr& chassis, std::string_view port, std::string_view system_name,
           std::string_view system_description);
Frame cdp(std::string_view device_id, std::string_view software, std::string_view platform, const IpAddr& address);
Frame llc_snap(uint32_t oui, uint16_t protocol, Bytes payload);  // 802.3 LLC/SNAP (CDP), caller adds length

// ---- OPC UA Binary ------------------------------------------------------------------------------------------
Frame opcua_hello(std::string_view endpoint);
Frame opcua_acknowledge();
Frame opcua_open_secure_channel(uint32_t request_id);
Frame opcua_open_secure_channel_reply(uint32_t channel, uint32_t token, uint32_t request_id);
Frame opcua_get_endpoints(uint32_t channel, uint32_t token, uint32_t sequence, std::string_view endpoint);
Frame opcua_get_endpoints_reply(uint32_t channel, uint32_t token, uint32_t sequence, std::string_view endpoint,
                                std::string_view application_uri, std::string_view product_uri,
                                std::string_view application_name);
Frame opcua_browse(uint32_t channel, uint32_t token, uint32_t sequence, uint32_t node);
Frame opcua_browse_reply(uint32_t channel, uint32_t token, uint32_t sequence);

// ---- MMS over the ISO stack -------------------------------------------------------------------------------
std::vector<Frame> mms_associate_client();  // COTP CR, session CONNECT + ACSE AARQ + initiate
std::vector<Frame> mms_associate_server();
Frame mms_identify(uint8_t invoke);
Frame mms_identify_reply(uint8_t invoke, std::string_view vendor, std::string_view model, std::string_view revision);
Frame mms_read(uint8_t invoke, std::string_view domain, std::string_view item);
Frame mms_read_reply_bool(uint8_t invoke, bool value);
Frame mms_write_bool(uint8_t invoke, std::string_view domain, std::string_view item, bool value);
Frame mms_write_reply(uint8_t invoke);

// ---- Omron FINS (UDP 9600) -------------------------------------------------------------------------------------
Frame fins(bool response, uint8_t dest_node, uint8_t src_node, uint8_t sid, uint16_t command, Bytes data);
Frame fins_controller_data_reply(uint8_t dest_node, uint8_t src_node, uint8_t sid, std::string_view model,
                                 std::string_view version);
Frame fins_memory_read(uint8_t dest_node, uint8_t src_node, uint8_t sid, uint8_t area, uint16_t word, uint16_t count);
Frame fins_memory_write(uint8_t dest_node, uint8_t src_node, uint8_t sid, uint8_t area, uint16_t word,
                        const std::vector<uint16_t>& values);

// ---- MELSEC MC protocol (SLMP binary) -----------------------------------------------------------------------
Frame mc3e_request(uint16_t command, uint16_t sub_command, Bytes data);
Frame mc3e_reply(uint16_t end_code, Bytes data);
Frame mc4e_request(uint16_t serial, uint16_t command, uint16_t sub_command, Bytes data);
Frame mc4e_reply(uint16_t serial, uint16_t end_code, Bytes data);
Frame mc_device(uint32_t head, uint8_t device_code, uint16_t points);  // head (3), device code, points (2)

// ---- MQTT 3.1.1 ------------------------------------------------------------------------------------------------
Frame mqtt_connect(std::string_view client_id, std::string_view user);
Frame mqtt_connack();
Frame mqtt_publish(std::string_view topic, std::string_view message);
Frame mqtt_subscribe(uint16_t packet_id, std::string_view filter);
Frame mqtt_suback(uint16_t packet_id);

// ---- Beckhoff ADS / AMS ------------------------------------------------------------------------------------------
struct AmsAddress {
  uint8_t net_id[6];
  uint16_t port;
};
Frame ads(const AmsAddress& target, const AmsAddress& source, uint16_t command, bool response, uint32_t invoke,
          Bytes data);
Frame ads_device_info_data(uint8_t major, uint8_t minor, uint16_t build, std::string_view name);
Frame ads_add_route(uint32_t invoke, const AmsAddress& source, std::string_view route_name, std::string_view user,
                    std::string_view host);
Frame ads_add_route_reply(uint32_t invoke, const AmsAddress& source, std::string_view host);

// ---- TriStation (UDP 1502) ---------------------------------------------------------------------------------------
Frame tristation(uint8_t type, uint8_t channel, Bytes data);
Frame tristation_command(uint8_t direction, uint8_t connection, uint8_t command, uint8_t counter, Bytes extra);

// ---- CODESYS V3 ---------------------------------------------------------------------------------------------------
Frame codesys_name_request(uint32_t message_id);  // name service "address resolve" (discovery); answered by device info
Frame codesys_device_info(uint32_t message_id, std::string_view node, std::string_view device, std::string_view vendor,
                          const uint8_t firmware[4]);
Frame codesys_service(uint16_t group, uint16_t service, bool request, uint32_t session, Bytes content);
Frame codesys_block_driver(Bytes datagram);  // TCP framing

// ---- IT protocols --------------------------------------------------------------------------------------------------
Frame dhcp(uint8_t message_type, uint32_t xid, const MacAddr& client, const IpAddr& your_ip, const IpAddr& server,
           std::string_view hostname, std::string_view vendor_class);
Frame dhcpv6_solicit(uint32_t transaction, const MacAddr& client, std::string_view fqdn, uint32_t enterprise,
                     std::string_view vendor_class);
Frame dns_query(uint16_t id, std::string_view name, uint16_t type);
Frame dns_a_answer(uint16_t id, std::string_view name, const IpAddr& address, bool authoritative);
Frame nbns_registration(uint16_t id, std::string_view name, const IpAddr& address);
Frame snmp_get(uint32_t request_id, std::string_view community);
Frame snmp_get_response(uint32_t request_id, std::string_view community, std::string_view sys_descr,
                        std::string_view sys_name);
Frame text(std::string_view s);
Frame tls_client_hello(std::string_view server_name, uint32_t seed);
Frame tls_server_hello_certificate(Bytes der_certificate, uint32_t seed);
Bytes tls_test_certificate();  // a self-signed DER certificate generated once with openssl
Frame ssh_banner(std::string_view banner);
Frame smb2_negotiate(bool response);
Frame smb2_session_setup(bool response, uint64_t session, Bytes security_blob);
Frame ntlm_negotiate(std::string_view domain, std::string_view workstation);
Frame ntlm_challenge(std::string_view domain, std::string_view server, std::string_view dns_domain,
                     std::string_view dns_host);
Frame ntlm_authenticate(std::string_view domain, std::string_view user, std::string_view workstation);
Frame rdp_connection_request(std::string_view cookie_user);
Frame rdp_connection_confirm();
Frame vnc_security_types();
Frame vnc_server_init(uint16_t width, uint16_t height, std::string_view name);

}  // namespace ots::pcapgen::proto
