// The inventory proof (issue 3): for each public capture in ../shared/pcaps, every identity
// GROUND_TRUTH.md lists for it (what tshark decodes) appears on the right device of the
// inventory `otsensor replay` builds, and each protocol there is recognised on the right
// endpoint with the right role. Skips cleanly when ../shared/pcaps is absent.
//
// The table below quotes GROUND_TRUTH.md's key facts per file. A device is selected by one
// of its addresses ("ip:…" or "mac:…"); a fact matches when the device holds `field` with a
// value equal to `value` (or containing it, for free-text fields marked `contains`); a fact marked
// `absent` must not be on the device (a module's identity is not the device's own).
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/e2e/e2e_support.h"

namespace ots::proof {
namespace {

using e2e::run;
using e2e::shell_quote;
using nlohmann::json;

const std::filesystem::path kShared = std::filesystem::path(OTS_SOURCE_DIR) / ".." / "shared" / "pcaps";

enum class Match { Exact, Contains, Absent };

struct ExpectedFact {
  const char* device;  // "ip:10.0.0.3" or "mac:00:0e:8c:ef:75:c5"
  const char* field;   // camelCase fact field, as in `otsensor devices --json`
  const char* value;
  Match match = Match::Exact;
};

struct ExpectedProtocol {
  const char* device;
  const char* protocol;
  const char* role;  // "client" or "server"
};

struct CaptureProof {
  const char* file;
  std::vector<ExpectedFact> facts;
  std::vector<ExpectedProtocol> protocols;
};

// gtest prints a parameter on failure; the file name says which one.
void PrintTo(const CaptureProof& proof, std::ostream* out) { *out << proof.file; }

const std::vector<CaptureProof>& proofs() {
  static const std::vector<CaptureProof> kProofs = {
      // --- Modbus/TCP: servers, FC 43/14 device identification ---
      {"modbus_cisagov_modbus_example.pcap",
       {{"ip:127.0.0.1", "vendor", "Zeek Modbus Test"},
        {"ip:127.0.0.1", "orderNumber", "Protocol Parsing is fun!"},
        {"ip:127.0.0.1", "firmwareVersion", "1.2.3.6"}},
       {{"ip:127.0.0.1", "modbus", "server"}, {"ip:3.15.227.20", "modbus", "server"}}},
      {"modbus_iti_quickdraw_modbus_test_data_part1.pcap", {}, {{"ip:10.0.0.3", "modbus", "server"}}},
      {"modbus_iti_modbus_test.pcap", {}, {{"ip:192.168.0.20", "modbus", "server"}}},
      {"modbus_zeek_modbusSmall.pcap", {}, {{"ip:118.189.96.132", "modbus", "server"}}},
      // --- S7comm: SZL 0x0011 order number, 0x001C names and serial ---
      {"s7comm_iti_gymgit_snap7_s300_everything.pcapng",
       {{"ip:134.217.61.211", "orderNumber", "6ES7 315-2EH14-0AB0"},
        {"ip:134.217.61.211", "hostname", "S7300/ET200M station_1"},
        {"ip:134.217.61.211", "moduleName", "PLC_1"},
        {"ip:134.217.61.211", "serialNumber", "S C-B1U393142011"},
        {"ip:134.217.61.211", "productName", "CPU 315-2 PN/DP"}},
       {{"ip:134.217.61.211", "s7comm", "server"}, {"ip:134.217.61.131", "s7comm", "client"}}},
      {"s7comm_iti_gymgit_tia_s300_goOnline.pcapng",
       {{"ip:134.217.61.211", "orderNumber", "6ES7 315-2EH14-0AB0"},
        {"ip:134.217.61.211", "hostname", "S7300/ET200M station_1"},
        {"ip:134.217.61.211", "moduleName", "PLC_1"},
        {"ip:134.217.61.211", "serialNumber", "S C-B1U393142011"}},
       {{"ip:134.217.61.211", "s7comm", "server"}}},
      {"s7comm_iti_gymgit_wincc_s400_production.pcapng", {}, {{"ip:194.250.63.170", "s7comm", "server"}}},
      {"s7comm_iti_gymgit_step7_s300_download.pcapng", {}, {{"ip:134.249.61.182", "s7comm", "server"}}},
      // This capture starts with the COTP connect request: the called TSAP puts the CPU in rack 0 slot 2.
      {"s7comm_iti_reading_plc_status.pcap",
       {{"ip:192.168.1.40", "module", "rack 0 slot 2: productName=IM151-8 PN/DP CPU; orderNumber=6ES7 151-8AB01-0AB0",
         Match::Contains},
        {"ip:192.168.1.40", "module", "firmwareVersion=V3.2.6; serialNumber=S C-C6TW74882012", Match::Contains},
        {"ip:192.168.1.40", "orderNumber", "6ES7 151-8AB01-0AB0"},
        {"ip:192.168.1.40", "hostname", "IM151-8-CPU"},
        {"ip:192.168.1.40", "moduleName", "IM151-8 PN/DP CPU"},
        {"ip:192.168.1.40", "serialNumber", "S C-C6TW74882012"}},
       {{"ip:192.168.1.40", "s7comm", "server"}}},
      {"s7comm_iti_varservice_libnodavedemo_bench.pcap",
       {{"ip:192.168.1.40", "module", "rack 0 slot 2"}},
       {{"ip:192.168.1.40", "s7comm", "server"}}},
      // --- EtherNet/IP: ListIdentity / Identity object; LLDP and CDP on the same segment ---
      {"enip_cisagov_enip_cip_example.pcap",
       {{"ip:10.1.1.164", "productName", "1756-ENBT/A"},
        {"ip:10.1.1.164", "serialNumber", "0x00524d8e"},
        {"ip:10.1.1.164", "vendor", "Rockwell Automation/Allen-Bradley"}},
       {{"ip:10.1.1.164", "enip", "server"}}},
      // 192.168.10.105 walks the backplane behind the ENBT (Unconnected Send, route port 1 slot N):
      // each module's Identity is a module of the device, not a second product name or serial.
      // DHCP: the client 00:e0:62:60:35:d0 only ever speaks from 0.0.0.0; the server's ACK names it
      // KoyoDL405 and gives it .131; 00:00:bc:3e:eb:e4 (the ENBT) gets ConLgxEIP by BOOTP.
      {"enip_iti_quickdraw_EIP-IPAddressChangeAttempt.pcap",
       {{"ip:192.168.10.120", "productName", "1756-ENBT/A"},
        {"ip:192.168.10.120", "serialNumber", "0x0051aec3"},
        {"ip:192.168.10.125", "module",
         "slot 0: vendor=Rockwell Automation/Allen-Bradley; deviceType=Programmable Logic Controller; "
         "productName=1756-L61/B LOGIX5561; firmwareVersion=16.20; serialNumber=0x0051823f"},
        {"ip:192.168.10.125", "module",
         "slot 3: vendor=Prosoft Technology; deviceType=Communications Adapter; "
         "productName=MVI56 ProSoft Technology, Inc.; firmwareVersion=1.2; serialNumber=0x0000ad5e"},
        {"ip:192.168.10.125", "productName", "1756-L61/B LOGIX5561", Match::Absent},
        {"ip:192.168.10.125", "productName", "MVI56 ProSoft Technology, Inc.", Match::Absent},
        {"ip:192.168.10.125", "serialNumber", "0x0051823f", Match::Absent},
        {"ip:192.168.10.125", "deviceType", "Programmable Logic Controller", Match::Absent},
        {"mac:00:e0:62:60:35:d0", "hostname", "KoyoDL405"},
        {"mac:00:e0:62:60:35:d0", "description", "dhcp fingerprint 1,3,28,6"},
        {"mac:00:e0:62:60:35:d0", "description", "dhcp assigned address 192.168.10.131"},
        {"mac:00:00:bc:3e:eb:e4", "hostname", "ConLgxEIP"},
        {"mac:00:1e:f6:73:59:81", "hostname", "Ns5gt"},
        {"mac:00:1e:f6:73:59:81", "productName", "cisco WS-CE500-24TT"}},
       {{"ip:192.168.10.120", "enip", "server"}, {"mac:00:1e:f6:73:59:81", "cdp", "client"}}},
      {"enip_iti_quickdraw_EIP-FirmwareChange.pcap",
       {{"mac:00:1e:f6:73:59:81", "hostname", "Ns5gt"}, {"ip:192.168.10.120", "productName", "1756-ENBT/A"}},
       {{"ip:192.168.10.120", "enip", "server"}}},
      {"enip_iti_quickdraw_EIP-SoftwareUpload.pcap",
       {{"mac:00:1e:f6:73:59:81", "hostname", "Ns5gt"}},
       {{"ip:192.168.10.120", "enip", "server"}}},
      {"enip_ndpi_cip_io.pcap", {}, {{"ip:192.168.5.50", "enip", "server"}, {"ip:192.168.5.62", "enip", "client"}}},
      // --- DNP3: link addresses (src 4 from the outstation) ---
      {"dnp3_zeek_dnp3.pcap",
       {{"ip:10.0.0.3", "description", "DNP3 address 4"}, {"ip:10.0.0.3", "role", "outstation"}},
       {{"ip:10.0.0.3", "dnp3", "server"}, {"ip:10.0.0.8", "dnp3", "client"}}},
      {"dnp3_zeek_dnp3_udp_read.pcap",
       {{"ip:192.168.80.12", "description", "DNP3 address 1"}, {"ip:192.168.80.160", "description", "DNP3 address 100"}},
       {{"ip:192.168.80.12", "dnp3", "server"}}},
      {"dnp3_zeek_dnp3_file_read.pcap",
       {{"ip:130.126.140.229", "description", "DNP3 address 4"}},
       {{"ip:130.126.140.229", "dnp3", "server"}}},
      {"dnp3_iti_auth_change_session_keys.pcap",
       {{"ip:192.168.1.1", "description", "DNP3 address 4"}, {"ip:192.168.1.2", "description", "DNP3 address 3"}},
       {{"ip:192.168.1.1", "dnp3", "server"}}},
      // --- IEC 60870-5-104: common address of the controlled station ---
      {"iec104_iti_090813_diverse.pcap", {{"ip:10.0.0.10", "description", "CASDU 3"}}, {}},
      {"iec104_iti_JavaRMI_and_IEC_Misc.pcap",
       {{"ip:10.209.13.145", "description", "CASDU 37133"}},
       {{"ip:10.209.13.145", "iec104", "server"}}},
      // --- BACnet/IP: I-Am device instance and vendor ---
      {"bacnet_cisagov_bacnet_example.pcap",
       {{"ip:172.20.32.108", "description", "device instance 721"},
        {"ip:172.20.32.108", "vendor", "Cornell University"},
        {"ip:172.20.32.107", "description", "device instance 456"},
        {"ip:172.20.32.119", "description", "device instance 303"}},
       {{"ip:172.20.32.108", "bacnet", "server"}}},
      {"bacnet_cisagov_bacnet_segmented_data.pcap",
       {{"ip:10.0.0.1", "description", "device instance 0"}, {"ip:10.0.0.2", "description", "device instance 254"}},
       {}},
      {"bacnet_cisagov_bacnet_error_reject_abort.pcap", {{"ip:10.10.10.10", "description", "device instance 101"}}, {}},
      // --- Profinet DCP: name of station of the devices that answered ---
      // DHCP DISCOVERs from 0.0.0.0 name their clients (by MAC).
      {"profinet_cisagov_profinet_io_cm_mixed_1.pcap",
       {{"ip:192.168.1.2", "hostname", "versamax-pns11"},
        {"mac:00:0e:8c:ef:75:c5", "hostname", "siemens-x208-switch"},
        {"mac:00:0e:8c:ef:75:c5", "description", "dhcp fingerprint 1,28,3"},
        {"mac:e4:11:5b:5a:d9:73", "hostname", "LT-US-DSWANSON"},
        {"mac:e4:11:5b:5a:d9:73", "description", "vendor class MSFT 5.0"},
        {"mac:00:0e:8c:ef:75:c9", "description", "Siemens AG SIMATIC S7 MULTIPORT SCALANCE X 200 FAM"}},
       {}},
      {"profinet_iti_ChangeIPUsingDCP.pcap",
       {{"mac:08:00:06:93:cf:32", "hostname", "X208-BORD"}, {"mac:08:00:06:93:cf:32", "vendor", "Siemens"}},
       {}},
      {"profinet_iti_profinet-wireshark-bug.pcap", {{"mac:00:02:e3:17:c7:50", "productName", "S7-300EC"}}, {}},
      {"profinet_plc4x_working-profinet-recording.pcapng",
       {{"mac:88:3f:99:00:06:e0", "hostname", "cdxb195b3"},
        {"mac:88:3f:99:00:06:e0", "description", "SIMOCODE pro V PN", Match::Contains}},
       {}},
      // --- OPC UA: endpoint URLs, application and product URIs ---
      {"opcua_cisagov_opcua_with-gap_with-handshake.pcap",
       {{"ip:192.168.224.102", "description", "endpoint opc.tcp://192.168.224.102:4840"},
        {"ip:192.168.224.102", "description", "application uri urn:open62541.server.application"},
        {"ip:192.168.224.102", "productName", "http://open62541.org"}},
       {{"ip:192.168.224.102", "opcua", "server"}}},
      {"opcua_cisagov_open62541_client-server-getEndpoints.pcap",
       {{"ip:::1", "description", "endpoint opc.tcp://localhost:4840"}},
       {}},
      {"opcua_cisagov_open62541_create_monitored_items.pcap",
       {{"ip:127.0.0.1", "description", "application uri urn:freeopcua:client"},
        {"ip:127.0.0.1", "productName", "http://open62541.org"}},
       {}},
      {"opcua_cisagov_python_opcua-client-server_encrypted.pcap",
       {{"ip:127.0.0.1", "description", "endpoint opc.tcp://localhost:4840/freeopcua/server/"}},
       {}},
      // --- IEC 61850 MMS on TCP 102: identify response of the server (not taken by S7comm's probe) ---
      {"mms_iti_piccolo.pcap",
       {{"ip:10.10.0.30", "vendor", "INFO TECH"},
        {"ip:10.10.0.30", "productName", "S61850 for PC"},
        {"ip:10.10.0.30", "firmwareVersion", "0.0.1"}},
       {{"ip:10.10.0.30", "mms", "server"}}},
      // These two open with a COTP connect request (no S7 TSAP): MMS, not S7comm, once the first DT shows it.
      {"mms_iti_iec61850_read.pcap",
       {{"ip:127.0.0.1", "deviceType", "IED"}},
       {{"ip:127.0.0.1", "mms", "server"}, {"ip:127.0.0.1", "mms", "client"}}},
      {"mms_iti_iec61850_get_name_list.pcap",
       {{"ip:127.0.0.1", "deviceType", "IED"}},
       {{"ip:127.0.0.1", "mms", "server"}}},
      // --- IEC 61850 GOOSE publishers ---
      {"goose_iti_Sample_File_GOOSE.pcap",
       {{"mac:0a:bb:fe:10:c9:06", "description", "gocbRef AA1C1Q05A1LD0/LLN0$GO$gcb_A"},
        {"mac:0a:bb:fe:10:c9:08", "description", "gocbRef AA1C1Q07A1LD0/LLN0$GO$gcb_A"},
        {"mac:0a:bb:fe:10:c9:02", "description", "gocbRef AA1C1Q01A1LD0/LLN0$GO$gcb_A"}},
       {}},
      {"goose_iti_GOOSE.pcap", {{"mac:00:a0:f4:08:2f:77", "description", "gocbRef GEDeviceF650/LLN0$GO$gcb01"}}, {}},
      // --- Omron FINS: controller data read (model, version) from the PLC ---
      // One host (10.4.14.102) sends the commands and the Controller Data Read answers: the answer
      // makes it the PLC, whatever else it sends.
      {"fins_cisagovfork_omron.pcap",
       {{"ip:10.4.14.102", "deviceType", "PLC"},
        {"ip:10.4.14.102", "productName", "AAAAAAAAAAAAAAAAAAAA"},
        {"ip:10.4.14.102", "firmwareVersion", "BBBBBBBBBBBBBBBBBBBB"}},
       {}},
      {"fins_cisagovfork_omron_fins_tcp_commands_responses.pcap",
       {{"ip:192.168.0.1", "productName", "AAAAAAAAAAAAAAAAAAAA"},
        {"ip:192.168.0.1", "deviceType", "PLC"},
        {"ip:192.168.0.2", "deviceType", "PLC", Match::Absent}},
       {{"ip:192.168.0.1", "fins", "server"}}},
      // --- LLDP / CDP system names ---
      {"lldp_assimilation_lldp.detailed.pcap", {{"mac:00:01:30:f9:ad:a0", "hostname", "Summit300-48"}}, {}},
      {"lldp_assimilation_lldpmed_civicloc.pcap",
       {{"mac:00:13:21:57:ca:7f", "hostname", "ProCurve Switch 2600-8-PWR"}},
       {}},
      {"cdp_assimilation_cdp_v2.pcap",
       {{"mac:00:0b:be:18:9a:41", "hostname", "myswitch"}, {"mac:00:0b:be:18:9a:41", "productName", "cisco WS-C2950-12"}},
       {}},
      {"cdp_assimilation_n0.eth2.cdp.pcap",
       {{"mac:00:0f:23:b0:62:84", "hostname", "csr706a.pbm.ihost.com"},
        {"mac:00:0f:23:b0:62:84", "productName", "cisco WS-C3750G-24TS"}},
       {}},
      // --- DHCP: the client speaks only from 0.0.0.0; its facts land on its MAC ---
      {"dhcp_zeek_dhcp.pcap",
       {{"mac:90:b1:1c:99:49:29", "hostname", "btest.is.cool"},
        {"mac:90:b1:1c:99:49:29", "description", "dhcp assigned address 128.2.6.189"},
        {"mac:00:0c:29:40:0e:ef", "description", "vendor class ArubaAP"}},
       {{"mac:90:b1:1c:99:49:29", "dhcp", "client"}}},
      // --- Names: mDNS, NetBIOS, SNMP sysDescr ---
      {"dns_zeek_mdns.pcap", {{"ip:10.0.2.7", "hostname", "johanna-QEMU-Virtual-Machine"}}, {}},
      {"nbns_ndpi_netbios.pcap",
       {{"ip:10.0.4.24", "hostname", "GUNNAR"}, {"ip:10.0.5.1", "hostname", "GURU"}},
       {}},
      {"snmp_zeek_snmpwalk-short.pcap",
       {{"ip:138.68.10.203", "description",
         "Linux ubuntu-512mb-sfo2-01 4.4.0-31-generic #50~14.04.1-Ubuntu SMP Wed Jul 13 01:07:32 UTC 2016",
         Match::Contains}},
       {{"ip:138.68.10.203", "snmp", "server"}}},
  };
  return kProofs;
}

// The devices `otsensor replay` finds in one capture (one fresh database per capture).
json inventory_of(const std::filesystem::path& capture, const std::filesystem::path& db) {
  auto replay = run(e2e::otsensor("replay --workers 1 --db " + shell_quote(db.string()) + " " +
                                  shell_quote(capture.string())));
  EXPECT_EQ(replay.exit_code, 0) << replay.err;
  auto devices = run(e2e::otsensor("devices --json --db " + shell_quote(db.string())));
  EXPECT_EQ(devices.exit_code, 0) << devices.err;
  return json::parse(devices.out, nullptr, false);
}

bool has_address(const json& device, const std::string& selector) {
  const bool by_ip = selector.starts_with("ip:");
  const std::string address = selector.substr(selector.find(':') + 1);
  for (const auto& a : device[by_ip ? "ipAddresses" : "macAddresses"]) {
    if (a.get<std::string>() == address) return true;
  }
  return false;
}

const json* find_device(const json& devices, const std::string& selector) {
  for (const auto& d : devices) {
    if (has_address(d, selector)) return &d;
  }
  return nullptr;
}

std::string describe_facts(const json& device) {
  std::string out;
  for (const auto& f : device["facts"]) out += "  " + f["field"].get<std::string>() + " = " + f["value"].get<std::string>() + "\n";
  return out;
}

class GroundTruth : public ::testing::TestWithParam<CaptureProof> {};

TEST_P(GroundTruth, IdentitiesAndProtocolsLandOnTheRightDevices) {
  const CaptureProof& proof = GetParam();
  const std::filesystem::path capture = kShared / proof.file;
  if (!std::filesystem::exists(capture)) GTEST_SKIP() << capture << " absent (../shared/pcaps not here)";
  e2e::TempDir dir;
  const json devices = inventory_of(capture, dir.file("proof.db"));
  ASSERT_TRUE(devices.is_array());

  for (const auto& fact : proof.facts) {
    const json* device = find_device(devices, fact.device);
    ASSERT_NE(device, nullptr) << proof.file << ": no device " << fact.device;
    bool found = false;
    for (const auto& f : (*device)["facts"]) {
      if (f["field"] != fact.field) continue;
      const std::string value = f["value"].get<std::string>();
      found |= fact.match == Match::Contains ? value.find(fact.value) != std::string::npos : value == fact.value;
    }
    if (fact.match == Match::Absent) {
      EXPECT_FALSE(found) << proof.file << ": " << fact.device << " holds " << fact.field << " = '" << fact.value
                          << "' (not its own); it has:\n" << describe_facts(*device);
    } else {
      EXPECT_TRUE(found) << proof.file << ": " << fact.device << " lacks " << fact.field << " = '" << fact.value
                         << "'; it has:\n" << describe_facts(*device);
    }
  }
  for (const auto& expected : proof.protocols) {
    const json* device = find_device(devices, expected.device);
    ASSERT_NE(device, nullptr) << proof.file << ": no device " << expected.device;
    bool found = false;
    for (const auto& p : (*device)["protocols"]) found |= p["protocol"] == expected.protocol && p["role"] == expected.role;
    EXPECT_TRUE(found) << proof.file << ": " << expected.device << " is not a " << expected.protocol << " "
                       << expected.role << "; protocols: " << (*device)["protocols"].dump();
  }
  // Provenance: every fact names the message that said it.
  for (const auto& d : devices)
    for (const auto& f : d["facts"]) EXPECT_NE(f["event"], "") << proof.file << ": " << d["key"] << ": " << f.dump();
}

std::string test_name(const ::testing::TestParamInfo<CaptureProof>& info) {
  std::string name = info.param.file;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(SharedCaptures, GroundTruth, ::testing::ValuesIn(proofs()), test_name);

// Provenance beyond the protocol: each fact names the message that said it (tshark shows the
// same messages: the SZL ids read, ListIdentity, FC 43/14).
TEST(GroundTruthProvenance, FactsNameTheMessageThatSaidThem) {
  struct Said {
    const char* file;
    const char* device;
    const char* field;
    const char* value;
    const char* event;
  };
  const std::vector<Said> said = {
      {"s7comm_iti_reading_plc_status.pcap", "ip:192.168.1.40", "orderNumber", "6ES7 151-8AB01-0AB0",
       "Read SZL 0x0111 reply (module identification)"},
      {"s7comm_iti_reading_plc_status.pcap", "ip:192.168.1.40", "serialNumber", "S C-C6TW74882012",
       "Read SZL 0x001C reply (component identification)"},
      {"s7comm_iti_reading_plc_status.pcap", "ip:192.168.1.40", "cpuState", "RUN", "Read SZL 0x0424 reply (CPU state)"},
      {"enip_cisagov_enip_cip_example.pcap", "ip:10.1.1.164", "productName", "1756-ENBT/A", "ListIdentity reply"},
      {"modbus_cisagov_modbus_example.pcap", "ip:127.0.0.1", "vendor", "Zeek Modbus Test",
       "Read Device Identification reply"},
  };
  e2e::TempDir dir;
  std::map<std::string, json> inventories;
  for (const Said& expected : said) {
    const std::filesystem::path capture = kShared / expected.file;
    if (!std::filesystem::exists(capture)) GTEST_SKIP() << capture << " absent (../shared/pcaps not here)";
    auto [it, added] = inventories.try_emplace(expected.file);
    if (added) it->second = inventory_of(capture, dir.file(std::string(expected.file) + ".db"));
    const json* device = find_device(it->second, expected.device);
    ASSERT_NE(device, nullptr) << expected.file << ": no device " << expected.device;
    std::string event = "(no such fact)";
    for (const auto& f : (*device)["facts"])
      if (f["field"] == expected.field && f["value"] == expected.value) event = f["event"];
    EXPECT_EQ(event, expected.event) << expected.file << ": " << expected.field << " = " << expected.value;
  }
}

}  // namespace
}  // namespace ots::proof
