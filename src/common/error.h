#pragma once
// Errors every part raises for bad user input. The CLI turns an InputError into one
// line on stderr and exit code 2; anything else escaping is a bug.
#include <stdexcept>
#include <string>

namespace acceldse {

class InputError : public std::runtime_error {
 public:
  // file: the path (or "<built-in NAME>"/"<command line>"); place: line, key or node name
  // (may be empty); what_expected: what was wrong and what was expected instead.
  InputError(std::string file, std::string place, std::string what_expected);

  const std::string& file() const { return file_; }
  const std::string& place() const { return place_; }
  const std::string& detail() const { return detail_; }

 private:
  std::string file_, place_, detail_;
};

}  // namespace acceldse
