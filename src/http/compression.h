// gzip for response bodies (zlib): JSON answers shrink to a fifth, which is what a border
// commune's slow link feels.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace qpan::http {

// The gzip form (RFC 1952) of `data`; nullopt if zlib fails (the caller sends it as it is).
std::optional<std::string> gzip_compress(std::string_view data);

// Whether a body of this content type is text that compresses (JSON, CSV, HTML, scripts).
bool is_compressible_type(std::string_view content_type);

}  // namespace qpan::http
