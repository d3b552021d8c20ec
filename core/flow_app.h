// Application-layer state a flow carries once it has payload: TCP reassembly and
// the dissector session chosen by probing.
#pragma once

#include <memory>

#include "core/ndpi_labeler.h"
#include "dissectors/dissector.h"
#include "dissectors/flow/tcp_reassembler.h"

namespace ots {

struct FlowAppState {
  std::unique_ptr<TcpReassembler> tcp;
  std::unique_ptr<DissectorSession> session;
  const DissectorDescriptor* dissector = nullptr;
  uint8_t probes_left = 4;  // payloads to probe before giving up on the flow
  bool done = false;        // no dissector wants this flow (or its session gave up)
  bool confirmed = false;   // a dissector recognised the flow: nDPI is not needed
  std::unique_ptr<NdpiLabeler::FlowState> ndpi;  // while nDPI is still deciding
  std::string_view application;                  // the flow's label once known (static storage)
};

}  // namespace ots
