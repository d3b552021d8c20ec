#include "core/packet.h"

namespace ots {

bool is_supported_link_type(uint32_t linktype) {
  switch (static_cast<LinkType>(linktype)) {
    case LinkType::Null:
    case LinkType::Ethernet:
    case LinkType::Raw:
    case LinkType::Loop:
    case LinkType::LinuxSll:
    case LinkType::Ipv4:
    case LinkType::Ipv6:
    case LinkType::LinuxSll2:
      return true;
  }
  return false;
}

}  // namespace ots
