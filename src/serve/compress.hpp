#pragma once
// Response compression as the dashboard has always sent it (cpp-httplib's rules): brotli
// when Accept-Encoding names br, else gzip when it names gzip, for text/*, JSON, XML,
// SVG and application/javascript — never for the event stream nor Plotly.js, whose
// application/x-javascript type keeps a 4.8 MB file from being compressed per request.
#include <string>
#include <string_view>

namespace soma::serve::detail {

enum class Encoding { identity, gzip, br };

Encoding choose_encoding(std::string_view accept_encoding, std::string_view content_type);
const char* encoding_name(Encoding e);  // "gzip", "br"; "" for identity
// The body in that encoding; soma::Error if the compressor fails.
std::string compress(Encoding e, std::string_view body);

}  // namespace soma::serve::detail
