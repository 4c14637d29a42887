#include "common/input_limits.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"

namespace acceldse {

std::string read_input_file(const std::string& path, uint64_t max_bytes, std::string_view what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw InputError(path, "", fmt::format("no such file; expected {}", what));
  // Devices and pipes never end (/dev/zero) or block (a FIFO); only plain files are inputs.
  if (!fs::is_regular_file(status)) {
    throw InputError(path, "", fmt::format("not a regular file (a directory, device or pipe); expected {}", what));
  }
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) throw InputError(path, "", "cannot read the file size: " + ec.message());
  if (size > max_bytes) {
    throw InputError(
        path, "", fmt::format("file of {} bytes is larger than the limit of {} bytes for {}", size, max_bytes, what));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open the file for reading");
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  // The file may have shrunk meanwhile; one byte more tells whether it grew.
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) throw InputError(path, "", "read error");
  if (in && in.peek() != std::char_traits<char>::eof()) {
    throw InputError(path, "", fmt::format("the file grew while being read beyond the limit of {} bytes", max_bytes));
  }
  return bytes;
}

namespace {

// Length of the UTF-8 sequence starting at text[i], or 0 when it is invalid.
size_t utf8_sequence(std::string_view text, size_t i) {
  const auto byte = [&](size_t j) { return static_cast<unsigned char>(text[j]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint32_t code = 0, min_code = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code = lead & 0x1Fu, min_code = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code = lead & 0x0Fu, min_code = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code = lead & 0x07u, min_code = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t j = 1; j < length; ++j) {
    if ((byte(i + j) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + j) & 0x3Fu);
  }
  const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
  return (code < min_code || code > 0x10FFFF || surrogate) ? 0 : length;
}

size_t first_invalid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = utf8_sequence(text, i);
    if (length == 0) return i;
    i += length;
  }
  return text.size();
}

}  // namespace

bool is_valid_utf8(std::string_view text) { return first_invalid_utf8(text) == text.size(); }

void require_utf8(std::string_view text, const std::string& file, const std::string& place) {
  const size_t at = first_invalid_utf8(text);
  if (at == text.size()) return;
  throw InputError(file, place, fmt::format("invalid UTF-8 at byte {} of the name; names must be UTF-8 text", at));
}

}  // namespace acceldse
