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
    case IdentityField::Software: return "software";
    case IdentityField::Domain: return "domain";
    case IdentityField::kCount: break;
  }
  return "unknown";
}

const char* observable_name(Observable o) {
  switch (o) {
    case Observable::Domain: return "domain";
    case Observable::Url: return "url";
    case Observable::Ja3: return "ja3";
    case Observable::Ja3s: return "ja3s";
    case Observable::Ja4: return "ja4";
    case Observable::CertSha1: return "certSha1";
    case Observable::CertSha256: return "certSha256";
    case Observable::FileMd5: return "fileMd5";
    case Observable::FileSha1: return "fileSha1";
    case Observable::FileSha256: return "fileSha256";
    case Observable::kCount: break;
  }
  return "unknown";
}

}  // namespace ots
