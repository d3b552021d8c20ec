// Protocol coverage captures (proto_*.pcap: one or a few protocol families per plant, with the
// identities each device declares) and behaviour-pack scenarios (attack_*.pcap with a benign
// lead-in, benign_plant.pcap), all Ethernet pcaps with microsecond timestamps.
#pragma once

#include <string>
#include <vector>

#include "pcaps/gen/recorder.h"

namespace ots::pcapgen {

struct NamedScenario {
  std::string file;
  void (*run)(Recorder& rec);
};
std::vector<NamedScenario> protocol_scenarios();

}  // namespace ots::pcapgen
