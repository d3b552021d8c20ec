// How a dissector says that an identity fact is about one module of a device (a CPU in rack 0
// slot 2, an I/O card in slot 3 of a ControlLogix chassis reached through its ENBT) rather than
// about the device itself, within the identity-event contract (dissectors/dissector.h has no
// module field): a Description fact whose value is
//
//     "module <address>: <attribute>=<value>"    e.g. "module slot 3: productName=1756-IB16/A"
//     "module <address>"                         the module is there, nothing more is known
//
// where <address> is "rack R slot S" or "slot S" and <attribute> a camelCase fact field
// (productName, orderNumber, firmwareVersion, serialNumber …). The inventory folds the attribute
// facts of one (protocol, address) into one "module" fact of the device
// ("slot 3: productName=1756-IB16/A; serialNumber=0x00c0ffee"), see inventory/inventory.h.
// Header-only: dissectors format, the inventory parses, neither links the other.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ots::module_fact {

inline constexpr std::string_view kPrefix = "module ";

// "rack 0 slot 2" / "slot 3".
inline std::string rack_slot_address(unsigned rack, unsigned slot) {
  return "rack " + std::to_string(rack) + " slot " + std::to_string(slot);
}
inline std::string slot_address(unsigned slot) { return "slot " + std::to_string(slot); }

inline std::string describe(std::string_view address) { return std::string(kPrefix).append(address); }

inline std::string describe(std::string_view address, std::string_view attribute, std::string_view value) {
  return std::string(kPrefix).append(address).append(": ").append(attribute).append("=").append(value);
}

struct Parsed {
  std::string_view address;
  std::string_view attribute;  // empty for "module <address>"
  std::string_view value;
};

// The parts of a module Description, or nothing when `description` is not one.
inline std::optional<Parsed> parse(std::string_view description) {
  if (!description.starts_with(kPrefix)) return std::nullopt;
  std::string_view rest = description.substr(kPrefix.size());
  const size_t colon = rest.find(": ");
  Parsed out;
  out.address = rest.substr(0, colon);
  if (!out.address.starts_with("slot ") && !out.address.starts_with("rack ")) return std::nullopt;
  if (out.address.find_first_of("=:;") != std::string_view::npos) return std::nullopt;
  if (colon == std::string_view::npos) return out;
  std::string_view pair = rest.substr(colon + 2);
  const size_t equals = pair.find('=');
  if (equals == 0 || equals == std::string_view::npos) return std::nullopt;
  out.attribute = pair.substr(0, equals);
  out.value = pair.substr(equals + 1);
  return out;
}

}  // namespace ots::module_fact
