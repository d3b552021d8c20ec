// ArcSight CEF for alerts, and the RFC 5424 syslog message that carries it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "detect/alert_model.h"

namespace ots::detect {

int cef_severity(Severity s);  // Warning 1, Minor 4, Major 8, Critical 10

// CEF escaping: header fields escape '\' and '|'; extension values escape '\', '=' and line
// breaks (as \n / \r). Other control characters become spaces.
std::string cef_escape_header(std::string_view text);
std::string cef_escape_extension(std::string_view text);

// CEF:0|otsensor|otsensor|<version>|<definition id>|<title>|<severity>|<extensions>
// Extensions (ArcSight keys): rt start end (ms) msg cat app proto src dst smac dmac cnt
// cs1Label=engine cs1 cs2Label=attackTechniques cs2 cs3Label=state cs3 cs4Label=activity cs4
// cn1Label=alertId cn1; empty values are left out.
std::string format_cef(const Alert& alert, std::string_view product_version);

// RFC 5424: "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG" with facility local4 (20)
// and the alert's severity mapped to syslog severities (Critical 2, Major 3, Minor 4, Warning 5).
std::string syslog_5424(std::string_view message, Severity severity, int64_t ts_ns, std::string_view hostname,
                        std::string_view app_name = "otsensor", std::string_view msg_id = "alert");

}  // namespace ots::detect
