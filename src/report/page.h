#pragma once
// One self-contained HTML page: inline CSS, a tiny inline script, no external
// resources (a Content-Security-Policy forbids any network fetch). Internal to
// src/report.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace acceldse::report::detail {

using Rows = std::vector<std::vector<std::string>>;

class Page {
 public:
  // kind: "evaluation", "exploration", ... (data-report attribute on <body>).
  Page(std::string_view title, std::string_view kind);

  void heading(std::string_view text);    // <h2>
  void paragraph(std::string_view text);  // escaped
  void note(std::string_view text);       // why a plot or table is missing
  // Two-column table of key figures; values are plain text (escaped here).
  void summary(const std::vector<std::pair<std::string, std::string>>& rows);
  // A table with a header row; cells are plain text. At most `max_rows` rows are
  // written (the rest are counted in a note) so huge lists keep the page small.
  void table(const std::vector<std::string>& header, const Rows& rows, size_t max_rows = 1000);
  // Same, folded inside <details> with `summary_text` as its label.
  void folded_table(std::string_view summary_text, const std::vector<std::string>& header, const Rows& rows,
                    size_t max_rows = 1000);
  void raw(std::string_view html);  // trusted fragment (our own SVG)
  void open_row();                  // flex row of small plots
  void close_row();

  std::string finish() const;

 private:
  std::string title_, kind_, body_;
};

}  // namespace acceldse::report::detail
