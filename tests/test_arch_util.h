#pragma once
// Helpers shared by the test_arch*.cpp files: temporary files and InputError checks.
#include <gtest/gtest.h>

#include <unistd.h>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "common/error.h"

namespace acceldse::arch::testing {

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("acceldse_arch_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string write(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

// Runs `action`, which must throw InputError whose file is `file` and whose place (or
// message) mentions every string in `mentions`.
inline void expect_input_error(const std::function<void()>& action, const std::string& file,
                               const std::vector<std::string>& mentions) {
  try {
    action();
    ADD_FAILURE() << "expected an InputError mentioning " << (mentions.empty() ? "" : mentions.front());
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), file) << e.what();
    const std::string message = e.what();
    for (const auto& m : mentions) EXPECT_NE(message.find(m), std::string::npos) << "'" << m << "' not in: " << message;
  }
}

}  // namespace acceldse::arch::testing
