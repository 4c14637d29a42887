#pragma once
// Limits on what acceldse reads, and the one way every reader gets a file's bytes.
// Readers hold a whole file in memory and build trees of a few hundred bytes per input
// byte, so an unbounded file (or /dev/zero, a pipe) would exhaust memory or never end;
// these caps turn that into one clear InputError instead.
#include <cstdint>
#include <string>
#include <string_view>

namespace acceldse {

// Text formats (YAML, SCALE-Sim .cfg and topology CSV): 4 MiB, over 100 times the
// largest file shipped in models/.
constexpr uint64_t kMaxTextInputBytes = uint64_t{4} << 20;
// ONNX: protobuf cannot parse a message of 2 GiB or more.
constexpr uint64_t kMaxOnnxInputBytes = (uint64_t{2} << 30) - 1;

// The whole content of `path`, which must be a regular file (not a directory, device
// or pipe) of at most `max_bytes`. `what` names the expected content for the message,
// e.g. "a network YAML file". Throws InputError naming the file otherwise.
std::string read_input_file(const std::string& path, uint64_t max_bytes, std::string_view what);

// Valid UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool is_valid_utf8(std::string_view text);
// Throws InputError(file, place, ...) naming the first invalid byte offset when `text`
// is not valid UTF-8: names reach JSON output, which must be UTF-8.
void require_utf8(std::string_view text, const std::string& file, const std::string& place);

}  // namespace acceldse
