// Byte builders for the SMB / NTLM tests and fuzz seeds, written from MS-SMB2 §2.2 and MS-NLMP §2.2.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace ots::smb::test {

using Buffer = std::vector<uint8_t>;

inline void le16(Buffer& b, uint16_t v) { b.insert(b.end(), {uint8_t(v), uint8_t(v >> 8)}); }
inline void le32(Buffer& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
inline void le64(Buffer& b, uint64_t v) {
  for (int i = 0; i < 8; ++i) b.push_back(uint8_t(v >> (8 * i)));
}
inline void zeros(Buffer& b, size_t n) { b.insert(b.end(), n, 0); }
inline Buffer utf16(std::string_view s) {
  Buffer b;
  for (char c : s) le16(b, uint8_t(c));
  return b;
}
inline void append(Buffer& b, const Buffer& more) { b.insert(b.end(), more.begin(), more.end()); }

// NetBIOS session message (TCP 445 direct hosting uses the same 4-byte header).
inline Buffer nbss_packet(const Buffer& payload, uint8_t type = 0) {
  Buffer b{type, uint8_t(payload.size() >> 16), uint8_t(payload.size() >> 8), uint8_t(payload.size())};
  append(b, payload);
  return b;
}

inline Buffer smb2(uint16_t command, bool response, uint32_t status, uint64_t message_id, const Buffer& body,
                   uint32_t tree_id = 0, uint32_t next_command = 0) {
  Buffer b{0xFE, 'S', 'M', 'B'};
  le16(b, 64);
  le16(b, 1);  // credit charge
  le32(b, status);
  le16(b, command);
  le16(b, 1);  // credits
  le32(b, response ? 1 : 0);
  le32(b, next_command);
  le64(b, message_id);
  le32(b, 0xFEFF);  // process id
  le32(b, tree_id);
  le64(b, 0x0000100000000011ULL);  // session id
  zeros(b, 16);
  append(b, body);
  return b;
}

inline Buffer negotiate_request() {
  Buffer b;
  le16(b, 36);
  le16(b, 5);  // dialect count
  le16(b, 1);  // signing enabled
  le16(b, 0);
  le32(b, 0x7F);
  for (int i = 0; i < 16; ++i) b.push_back(uint8_t(0xA0 + i));  // client GUID
  zeros(b, 8);
  for (uint16_t d : {0x0202, 0x0210, 0x0300, 0x0302, 0x0311}) le16(b, d);
  return b;
}

inline Buffer negotiate_response(uint16_t dialect) {
  Buffer b;
  le16(b, 65);
  le16(b, 1);
  le16(b, dialect);
  le16(b, 0);
  // Server GUID {6ff8a2b4-32e2-4c3a-9d11-0123456789ab} in its mixed-endian wire form.
  for (uint8_t g :
       {0xb4, 0xa2, 0xf8, 0x6f, 0xe2, 0x32, 0x3a, 0x4c, 0x9d, 0x11, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab}) {
    b.push_back(g);
  }
  le32(b, 0x2F);
  le32(b, 8 << 20);
  le32(b, 8 << 20);
  le32(b, 8 << 20);
  le64(b, 0);
  le64(b, 0);
  le16(b, 128);  // security buffer offset
  le16(b, 0);
  le32(b, 0);
  return b;
}

// SPNEGO (RFC 4178) around an NTLMSSP token: DER tag + length + content.
inline Buffer der(uint8_t tag, const Buffer& content) {
  Buffer b{tag};
  if (content.size() < 0x80) {
    b.push_back(uint8_t(content.size()));
  } else {
    b.insert(b.end(), {0x82, uint8_t(content.size() >> 8), uint8_t(content.size())});
  }
  append(b, content);
  return b;
}
inline const Buffer kNtlmOid{0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a};
// The client's first token: InitialContextToken { SPNEGO OID, NegTokenInit { mechTypes, mechToken } }.
inline Buffer spnego_init(const Buffer& ntlm) {
  Buffer inner = der(0xa0, der(0x30, kNtlmOid));
  append(inner, der(0xa2, der(0x04, ntlm)));
  Buffer body{0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};
  append(body, der(0xa0, der(0x30, inner)));
  return der(0x60, body);
}
// Later tokens: NegTokenResp { [negState], [supportedMech], responseToken }.
inline Buffer spnego(const Buffer& ntlm, bool server = false) {
  Buffer inner;
  if (server) {
    append(inner, Buffer{0xa0, 0x03, 0x0a, 0x01, 0x01});
    append(inner, der(0xa1, kNtlmOid));
  }
  append(inner, der(0xa2, der(0x04, ntlm)));
  return der(0xa1, der(0x30, inner));
}

inline Buffer session_setup_request(const Buffer& blob) {
  Buffer b;
  le16(b, 25);
  b.push_back(0);
  b.push_back(1);
  le32(b, 1);
  le32(b, 0);
  le16(b, 64 + 24);
  le16(b, uint16_t(blob.size()));
  le64(b, 0);
  append(b, blob);
  return b;
}

inline Buffer session_setup_response(const Buffer& blob) {
  Buffer b;
  le16(b, 9);
  le16(b, 0);
  le16(b, blob.empty() ? 0 : 64 + 8);
  le16(b, uint16_t(blob.size()));
  append(b, blob);
  return b;
}

inline Buffer error_response() {
  Buffer b;
  le16(b, 9);
  b.push_back(0);
  b.push_back(0);
  le32(b, 0);
  b.push_back(0);
  return b;
}

inline Buffer tree_connect_request(std::string_view path) {
  Buffer name = utf16(path);
  Buffer b;
  le16(b, 9);
  le16(b, 0);
  le16(b, 64 + 8);
  le16(b, uint16_t(name.size()));
  append(b, name);
  return b;
}

inline Buffer create_request(std::string_view file) {
  Buffer name = utf16(file);
  Buffer b;
  le16(b, 57);
  b.push_back(0);
  b.push_back(0);
  le32(b, 2);           // impersonation
  zeros(b, 16);         // create flags, reserved
  le32(b, 0x0012019F);  // desired access
  le32(b, 0x80);
  le32(b, 7);
  le32(b, 1);  // FILE_OPEN
  le32(b, 0x40);
  le16(b, 64 + 56);
  le16(b, uint16_t(name.size()));
  le32(b, 0);
  le32(b, 0);
  append(b, name);
  return b;
}

inline Buffer write_request(uint64_t offset, uint32_t length) {
  Buffer b;
  le16(b, 49);
  le16(b, 64 + 48);
  le32(b, length);
  le64(b, offset);
  zeros(b, 16);  // file id
  le32(b, 0);
  le32(b, 0);
  le16(b, 0);
  le16(b, 0);
  le32(b, 0);
  b.insert(b.end(), length, 0x5A);
  return b;
}

inline Buffer read_request(uint64_t offset, uint32_t length) {
  Buffer b;
  le16(b, 49);
  b.push_back(0x50);
  b.push_back(0);
  le32(b, length);
  le64(b, offset);
  zeros(b, 16);
  le32(b, 1);
  le32(b, 0);
  le32(b, 0);
  le16(b, 0);
  le16(b, 0);
  b.push_back(0);
  return b;
}

inline Buffer small_response(uint16_t structure_size, size_t body_size) {
  Buffer b;
  le16(b, structure_size);
  zeros(b, body_size - 2);
  return b;
}

// --- NTLMSSP (MS-NLMP §2.2.1) ---

constexpr uint32_t kNtlmFlags = 0x00000001 | 0x00000200 | 0x00080000 | 0x00800000 | 0x02000000 | 0x20000000;

inline void ntlm_head(Buffer& b, uint32_t type) {
  for (char c : std::string_view("NTLMSSP\0", 8)) b.push_back(uint8_t(c));
  le32(b, type);
}
inline void field(Buffer& b, size_t length, size_t offset) {
  le16(b, uint16_t(length));
  le16(b, uint16_t(length));
  le32(b, uint32_t(offset));
}
inline void version(Buffer& b, uint8_t major, uint8_t minor, uint16_t build) {
  b.push_back(major);
  b.push_back(minor);
  le16(b, build);
  zeros(b, 3);
  b.push_back(15);
}

inline Buffer ntlm_negotiate() {
  Buffer b;
  ntlm_head(b, 1);
  le32(b, 0xE2088297);
  field(b, 0, 40);
  field(b, 0, 40);
  version(b, 10, 0, 19041);
  return b;
}

inline void av(Buffer& b, uint16_t id, const Buffer& value) {
  le16(b, id);
  le16(b, uint16_t(value.size()));
  append(b, value);
}

inline Buffer ntlm_challenge() {
  Buffer target = utf16("CORP");
  Buffer info;
  av(info, 2, utf16("CORP"));
  av(info, 1, utf16("FILESRV01"));
  av(info, 4, utf16("corp.example"));
  av(info, 3, utf16("filesrv01.corp.example"));
  av(info, 5, utf16("corp.example"));
  av(info, 7, Buffer(8, 0x11));
  av(info, 0, {});
  Buffer b;
  ntlm_head(b, 2);
  field(b, target.size(), 56);
  le32(b, kNtlmFlags | 0x00010000);
  for (uint8_t i = 1; i <= 8; ++i) b.push_back(i);  // server challenge
  zeros(b, 8);
  field(b, info.size(), 56 + target.size());
  version(b, 10, 0, 17763);
  append(b, target);
  append(b, info);
  return b;
}

inline Buffer ntlm_authenticate(std::string_view domain, std::string_view user,
                                std::string_view workstation) {
  Buffer d = utf16(domain), u = utf16(user), w = utf16(workstation);
  Buffer lm(24, 0), nt(48, 0xAA), key(16, 0xBB);
  size_t at = 88;
  Buffer b;
  ntlm_head(b, 3);
  field(b, lm.size(), at);
  field(b, nt.size(), at + lm.size());
  size_t strings = at + lm.size() + nt.size();
  field(b, d.size(), strings);
  field(b, u.size(), strings + d.size());
  field(b, w.size(), strings + d.size() + u.size());
  field(b, key.size(), strings + d.size() + u.size() + w.size());
  le32(b, kNtlmFlags);
  version(b, 10, 0, 19041);
  zeros(b, 16);  // MIC
  for (const Buffer* part : {&lm, &nt, &d, &u, &w, &key}) append(b, *part);
  return b;
}

// --- SMB1 (MS-CIFS §2.2.4.52) ---

inline Buffer smb1_negotiate_request() {
  Buffer b{0xFF, 'S', 'M', 'B', 0x72};
  zeros(b, 4);  // status
  b.push_back(0x18);
  le16(b, 0xC853);  // flags2: unicode, NT status, extended security
  zeros(b, 12);     // pid high, security features
  le16(b, 0xFFFF);  // tid
  le16(b, 0xFEFF);  // pid
  le16(b, 0);       // uid
  le16(b, 0);       // mid
  b.push_back(0);   // word count
  Buffer dialects;
  for (std::string_view d : {"NT LM 0.12", "SMB 2.002", "SMB 2.???"}) {
    dialects.push_back(0x02);
    dialects.insert(dialects.end(), d.begin(), d.end());
    dialects.push_back(0);
  }
  le16(b, uint16_t(dialects.size()));
  append(b, dialects);
  return b;
}

// RFC 1002 §4.3.2 session request with first-level encoded names.
inline Buffer encoded_name(std::string_view name, uint8_t suffix) {
  Buffer b{32};
  char padded[16];
  for (size_t i = 0; i < 15; ++i) padded[i] = i < name.size() ? name[i] : ' ';
  padded[15] = char(suffix);
  for (char c : padded) {
    b.push_back(uint8_t('A' + ((uint8_t(c) >> 4) & 0xF)));
    b.push_back(uint8_t('A' + (uint8_t(c) & 0xF)));
  }
  b.push_back(0);
  return b;
}

inline Buffer session_request(std::string_view called, std::string_view calling) {
  Buffer payload = encoded_name(called, 0x20);
  append(payload, encoded_name(calling, 0x00));
  return nbss_packet(payload, 0x81);
}

}  // namespace ots::smb::test
