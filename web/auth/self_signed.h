// The console's TLS identity: the operator's certificate and key, or a self-signed one
// generated on first start (ECDSA P-256, 825 days, SAN = the host names and addresses the
// console answers on) and kept beside the database so browsers can pin it.
#pragma once

#include <string>
#include <vector>

namespace ots::console {

struct TlsFiles {
  std::string certificate_pem;  // paths
  std::string private_key_pem;
  bool generated = false;       // true when this call created them
  std::string sha256_fingerprint;  // "AB:CD:…" of the certificate, to compare with the browser's
};

// Returns the files in `directory` (cert.pem, key.pem), creating the directory (0700) and a
// new self-signed pair when absent. The key file is written 0600. Throws std::runtime_error.
TlsFiles ensure_self_signed(const std::string& directory, const std::vector<std::string>& subject_alt_names);

// The SHA-256 fingerprint of the first certificate in a PEM file.
std::string certificate_fingerprint(const std::string& certificate_pem_path);

}  // namespace ots::console
