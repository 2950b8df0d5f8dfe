// serve/compress.hpp: gzip (zlib) and brotli bodies.
#include "serve/compress.hpp"

#include <brotli/encode.h>
#include <zlib.h>

#include <limits>

#include "soma/core/error.hpp"

namespace soma::serve::detail {
namespace {

bool compressible(std::string_view type) {
  return (type.starts_with("text/") && type != "text/event-stream") || type == "image/svg+xml" ||
         type == "application/javascript" || type == "application/json" ||
         type == "application/xml" || type == "application/xhtml+xml";
}

std::string gzip(std::string_view body) {
  if (body.size() > std::numeric_limits<uInt>::max()) throw Error("gzip: body too large");
  z_stream z{};
  // windowBits 31: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error("gzip: deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(body.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  z.avail_in = static_cast<uInt>(body.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw Error("gzip: deflate failed");
  return out;
}

std::string brotli(std::string_view body) {
  // Brotli's best quality (11) runs near 1 MB/s: fine for the page's files, too slow
  // for a large dataset's JSON, where quality 5 still beats gzip.
  const int quality = body.size() <= (1u << 20) ? BROTLI_MAX_QUALITY : 5;
  size_t size = BrotliEncoderMaxCompressedSize(body.size());
  if (size == 0) throw Error("brotli: body too large");
  std::string out(size, '\0');
  if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, body.size(),
                             reinterpret_cast<const uint8_t*>(body.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data())))
    throw Error("brotli: compression failed");
  out.resize(size);
  return out;
}

}  // namespace

Encoding choose_encoding(std::string_view accept_encoding, std::string_view content_type) {
  if (!compressible(content_type)) return Encoding::identity;
  if (accept_encoding.find("br") != std::string_view::npos) return Encoding::br;
  if (accept_encoding.find("gzip") != std::string_view::npos) return Encoding::gzip;
  return Encoding::identity;
}

const char* encoding_name(Encoding e) {
  switch (e) {
    case Encoding::gzip:
      return "gzip";
    case Encoding::br:
      return "br";
    case Encoding::identity:
      break;
  }
  return "";
}

std::string compress(Encoding e, std::string_view body) {
  switch (e) {
    case Encoding::gzip:
      return gzip(body);
    case Encoding::br:
      return brotli(body);
    case Encoding::identity:
      break;
  }
  return std::string(body);
}

}  // namespace soma::serve::detail
