#include "dissectors/decode/packet_decoder.h"

#include <array>

#include "dissectors/decode/fast_path.h"
#include "dissectors/decode/fragment_reassembler.h"
#include "dissectors/decode/frame_walker.h"

namespace ots {

using namespace decode_detail;

namespace {

constexpr std::array<const char*, static_cast<size_t>(DecodeAnomaly::kCount)> kAnomalyNames = {
    "none",
    "decode.truncated_link",
    "decode.unsupported_link_type",
    "decode.truncated_vlan",
    "decode.too_many_vlan_tags",
    "decode.truncated_arp",
    "decode.ipv4_bad_version",
    "decode.ipv4_bad_header_length",
    "decode.ipv4_bad_total_length",
    "decode.ipv4_bad_checksum",
    "decode.ipv4_fragment_overlap",
    "decode.ipv4_fragment_too_large",
    "decode.ipv6_truncated",
    "decode.ipv6_bad_extension_header",
    "decode.truncated_tcp",
    "decode.tcp_bad_data_offset",
    "decode.truncated_udp",
    "decode.udp_bad_length",
    "decode.truncated_icmp",
    "decode.truncated_gre",
    "decode.unsupported_gre",
    "decode.truncated_erspan",
    "decode.tunnel_too_deep",
};
static_assert(kAnomalyNames.back() != nullptr, "one name per DecodeAnomaly value");

// Copied over a packet to reset it: assigning DecodedPacket{} builds a zeroed temporary and
// copies it (two passes over 200 bytes, which GCC emits as rep stos + rep movs).
constexpr DecodedPacket kEmptyPacket{};

}  // namespace

const char* anomaly_name(DecodeAnomaly a) {
  size_t index = static_cast<size_t>(a);
  return index < kAnomalyNames.size() ? kAnomalyNames[index] : "decode.unknown";
}

struct PacketDecoder::Impl {
  Impl(const DecoderConfig& config, DecoderStats& stats)
      : reassembler(config, stats), fast_path(config.fast_path) {}
  FragmentReassembler reassembler;
  const bool fast_path;
  uint64_t fast_path_frames = 0;
};

PacketDecoder::PacketDecoder(DecoderConfig config) : impl_(std::make_unique<Impl>(config, stats_)) {}
PacketDecoder::~PacketDecoder() = default;

uint64_t PacketDecoder::fast_path_frames() const { return impl_->fast_path_frames; }

namespace {

// Fills a DecodedPacket from the walk; owns the decisions the stateless walk cannot make:
// checksum verification, fragment reassembly, statistics.
class DecodeVisitor {
 public:
  DecodeVisitor(FragmentReassembler& reassembler, DecoderStats& stats, const PacketView& packet,
                DecodedPacket& out)
      : reassembler_(reassembler), stats_(stats), packet_(packet), out_(out) {}

  bool held() const { return held_; }

  void l2(const L2Header& l2) {
    out_.has_ethernet = l2.has_ethernet;
    out_.llc = l2.llc;
    out_.src_mac = l2.src_mac;
    out_.dst_mac = l2.dst_mac;
    out_.vlan_count = l2.vlan_count;
    out_.vlans = l2.vlans;
    out_.ethertype = l2.ethertype;
    out_.l3_payload = l2.payload;
  }

  void arp(const ArpInfo& arp) {
    ++stats_.arp;
    out_.has_arp = true;
    out_.arp = arp;
  }

  void ip(IpHeader& ip) {
    ++(ip.version == 4 ? stats_.ipv4 : stats_.ipv6);
    out_.ip_version = ip.version;
    out_.src_ip = ip.src;
    out_.dst_ip = ip.dst;
    out_.ip_proto = ip.proto;
    out_.ttl = ip.ttl;
    out_.ip_packet = ip.packet;
    if (ip.version == 4 && !ipv4_checksum_ok(ip.ipv4_header)) record(DecodeAnomaly::Ipv4BadChecksum, false);
    if (ip.is_fragment) reassemble(ip);
  }

  void transport(const TransportHeader& t) {
    switch (static_cast<IpProto>(t.proto)) {
      case IpProto::Tcp: ++stats_.tcp; break;
      case IpProto::Udp: ++stats_.udp; break;
      case IpProto::Icmp:
      case IpProto::Icmpv6: ++stats_.icmp; break;
      default: break;
    }
    out_.ip_proto = t.proto;
    out_.src_port = t.src_port;
    out_.dst_port = t.dst_port;
    out_.tcp_flags = t.tcp_flags;
    out_.tcp_seq = t.tcp_seq;
    out_.tcp_ack = t.tcp_ack;
    out_.tcp_window = t.tcp_window;
    out_.icmp_type = t.icmp_type;
    out_.icmp_code = t.icmp_code;
    out_.payload = t.payload;
  }

  // The outer headers are forgotten; what the frame as a whole taught (time, length,
  // reassembly, a non-fatal anomaly) stays.
  void tunnel(uint8_t depth) {
    if (depth == 1) ++stats_.tunneled;
    const int64_t ts_ns = out_.ts_ns;
    const uint32_t wire_len = out_.wire_len;
    const bool reassembled = out_.reassembled;
    const uint16_t frames = out_.frames;
    const DecodeAnomaly anomaly = out_.anomaly;
    out_ = kEmptyPacket;
    out_.ts_ns = ts_ns;
    out_.wire_len = wire_len;
    out_.reassembled = reassembled;
    out_.frames = frames;
    out_.anomaly = anomaly;
    out_.tunnel_depth = depth;
  }

  void anomaly(DecodeAnomaly a) { record(a, true); }

 private:
  // A fatal anomaly (decoding stopped) replaces a non-fatal one, which only the first may set.
  void record(DecodeAnomaly a, bool fatal) {
    ++stats_.anomalies[static_cast<size_t>(a)];
    if (fatal || out_.anomaly == DecodeAnomaly::None) out_.anomaly = a;
  }

  void reassemble(IpHeader& ip) {
    ++stats_.fragments;
    FragmentKey key;
    key.src = ip.src;
    key.dst = ip.dst;
    key.id = ip.fragment_id;
    key.ip_version = ip.version;
    key.proto = ip.proto;
    key.tunnel_depth = out_.tunnel_depth;
    key.vlan_count = out_.vlan_count;
    key.vlans = out_.vlans;
    Fragment fragment;
    fragment.offset = ip.fragment_offset;
    fragment.more = ip.more_fragments;
    fragment.data = ip.payload;
    fragment.max_datagram_payload =
        ip.version == 4 ? 65535 - static_cast<uint32_t>(ip.ipv4_header.size()) : 65535;
    fragment.ts_ns = packet_.ts_ns;
    fragment.wire_len = packet_.wire_len;
    FirstFragmentInfo info{out_.has_ethernet, out_.src_mac, out_.dst_mac, out_.ethertype, ip.ttl};

    FragmentReassembler::Result result = reassembler_.add(key, fragment, info);
    if (result.anomaly != DecodeAnomaly::None) record(result.anomaly, false);
    switch (result.outcome) {
      case FragmentReassembler::Outcome::Held:
        // A fragment that brought an anomaly is reported; a plain one waits for its datagram.
        held_ = out_.anomaly == DecodeAnomaly::None;
        out_.is_fragment = true;
        break;
      case FragmentReassembler::Outcome::Rejected: out_.is_fragment = true; break;
      case FragmentReassembler::Outcome::Complete:
        out_.has_ethernet = result.first.has_ethernet;
        out_.src_mac = result.first.src_mac;
        out_.dst_mac = result.first.dst_mac;
        out_.ethertype = result.first.ethertype;
        out_.l3_payload = {};
        out_.ttl = result.first.ttl;
        out_.wire_len = result.wire_len;
        out_.frames = static_cast<uint16_t>(result.fragments);
        out_.ip_packet = {};
        out_.reassembled = true;
        ip.payload = result.datagram;
        ip.is_fragment = false;
        ip.reassembled = true;
        break;
    }
  }

  FragmentReassembler& reassembler_;
  DecoderStats& stats_;
  const PacketView& packet_;
  DecodedPacket& out_;
  bool held_ = false;
};

}  // namespace

DecodeResult PacketDecoder::decode(const PacketView& packet, DecodedPacket& out) {
  ++stats_.frames;
  impl_->reassembler.expire(packet.ts_ns);
  if (impl_->fast_path && decode_common_case(packet, out, stats_)) {
    ++impl_->fast_path_frames;
    return DecodeResult::Decoded;
  }
  out = kEmptyPacket;
  out.ts_ns = packet.ts_ns;
  out.wire_len = packet.wire_len;
  DecodeVisitor visitor(impl_->reassembler, stats_, packet, out);
  walk_frame(packet.link, packet.data, packet.data.size() < packet.wire_len, visitor);
  if (visitor.held()) return DecodeResult::Held;
  if (out.ip_version == 0 && !out.has_arp && out.anomaly == DecodeAnomaly::None) ++stats_.other_l3;
  return DecodeResult::Decoded;
}

}  // namespace ots
