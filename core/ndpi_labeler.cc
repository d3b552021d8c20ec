#include "core/ndpi_labeler.h"

#include <ndpi/ndpi_api.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "core/flow_memory.h"

namespace ots {

NdpiLabeler::FlowState::FlowState()
    : flow(static_cast<ndpi_flow_struct*>(std::calloc(1, ndpi_detection_get_sizeof_ndpi_flow_struct()))) {
  if (!flow) throw std::bad_alloc();
  flow_memory::note_allocated(flow);
}

NdpiLabeler::FlowState::~FlowState() {
  ndpi_free_flow_data(flow);  // what nDPI allocated inside the flow; the struct itself is ours
  flow_memory::note_freed(flow);
  std::free(flow);
}

NdpiLabeler::NdpiLabeler()
    : module_((flow_memory::install_ndpi_hooks(), ndpi_init_detection_module(ndpi_no_prefs))) {
  if (!module_) throw std::runtime_error("nDPI initialisation failed");
  NDPI_PROTOCOL_BITMASK all;
  NDPI_BITMASK_SET_ALL(all);
  ndpi_set_protocol_detection_bitmask2(module_, &all);
  ndpi_finalize_initialization(module_);
}

NdpiLabeler::~NdpiLabeler() { ndpi_exit_detection_module(module_); }

std::string_view NdpiLabeler::name_of(uint16_t master, uint16_t app) const {
  const uint16_t id = app != NDPI_PROTOCOL_UNKNOWN ? app : master;
  const char* name = ndpi_get_proto_name(module_, id);
  return name ? std::string_view(name) : std::string_view("Unknown");
}

std::string_view NdpiLabeler::process(FlowState& state, Bytes ip_packet, int64_t ts_ns) {
  if (ip_packet.empty() || ip_packet.size() > 0xffff) return {};
  const ndpi_protocol p = ndpi_detection_process_packet(module_, state.flow, ip_packet.data(),
                                                        static_cast<unsigned short>(ip_packet.size()),
                                                        static_cast<uint64_t>(ts_ns / 1'000'000));
  ++state.packets;
  if (p.app_protocol != NDPI_PROTOCOL_UNKNOWN || p.master_protocol != NDPI_PROTOCOL_UNKNOWN)
    return name_of(p.master_protocol, p.app_protocol);
  if (state.packets >= kMaxPackets) return give_up(state);
  return {};
}

std::string_view NdpiLabeler::give_up(FlowState& state) {
  uint8_t guessed = 0;
  const ndpi_protocol p = ndpi_detection_giveup(module_, state.flow, 1, &guessed);
  return name_of(p.master_protocol, p.app_protocol);
}

}  // namespace ots
