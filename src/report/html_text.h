// Text made safe for the places of an HTML page the report writer fills: element content
// and quoted attribute values, URL query components, and data: URIs (base64).
#pragma once

#include <string>
#include <string_view>

namespace qpan {

// & < > " ' as character references: safe in element content and in quoted attributes
// (xml_escape's attribute form).
std::string html_escape(std::string_view text);

// Percent-encoding of a URL component (RFC 3986): every byte but the unreserved
// A–Z a–z 0–9 - . _ ~ as %XX, so '&', '=', '#', ';' and UTF-8 cannot break the URL.
std::string url_encode_component(std::string_view text);

// Base64 (RFC 4648, standard alphabet, padded with '=').
std::string base64_encode(std::string_view bytes);

}  // namespace qpan
