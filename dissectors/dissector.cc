#include "dissectors/dissector.h"

namespace ots {

const char* identity_field_name(IdentityField f) {
  switch (f) {
    case IdentityField::Vendor: return "vendor";
    case IdentityField::ProductName: return "productName";
    case IdentityField::OrderNumber: return "orderNumber";
    case IdentityField::FirmwareVersion: return "firmwareVersion";
    case IdentityField::HardwareRevision: return "hardwareRevision";
    case IdentityField::SerialNumber: return "serialNumber";
    case IdentityField::Hostname: return "hostname";
    case IdentityField::ModuleName: return "moduleName";
    case IdentityField::DeviceType: return "deviceType";
    case IdentityField::Role: return "role";
    case IdentityField::OperatingSystem: return "operatingSystem";
    case IdentityField::CpuState: return "cpuState";
    case IdentityField::Description: return "description";
    case IdentityField::kCount: break;
  }
  return "unknown";
}

}  // namespace ots
