#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "report/report.h"

namespace acceldse::report {

ProgressBar::ProgressBar(bool enabled, std::string what) : enabled_(enabled), what_(std::move(what)) {}

ProgressBar::~ProgressBar() { clear(); }

void ProgressBar::clear() {
  if (drawn_) std::cerr << "\r\033[K" << std::flush;
  drawn_ = false;
}

void ProgressBar::update(uint64_t done, uint64_t planned, double elapsed_s) {
  if (!enabled_ || (elapsed_s - last_s_ < 0.1 && done != planned)) return;
  last_s_ = elapsed_s;
  drawn_ = true;
  const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0;
  std::string line;
  if (planned > 0) {
    const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(planned));
    const auto filled = static_cast<size_t>(fraction * 30);
    const double eta = rate > 0 ? static_cast<double>(planned - std::min(planned, done)) / rate : 0;
    line = fmt::format("[{}{}] {:3.0f}% {}/{} {}  {:.0f}/s  ETA {:.0f}s", std::string(filled, '#'),
                       std::string(30 - filled, '.'), fraction * 100, done, planned, what_, rate, eta);
  } else {
    line = fmt::format("{} {}  {:.0f}/s  {:.0f}s", done, what_, rate, elapsed_s);
  }
  std::cerr << "\r\033[K" << line << std::flush;
}

}  // namespace acceldse::report
