// Folds: how a GEMM is cut into passes of the array, and the line structure of one pass.
#include <algorithm>
#include <array>
#include <map>

#include "common/error.h"
#include "sim/internal.h"

namespace acceldse::sim::detail {
namespace {

// A range [begin, begin + len) of one GEMM dimension.
struct Range {
  int64_t begin = 0, len = 0;
};

// Cuts [range.begin, range.begin + range.len) into pieces of at most `step`.
std::vector<Range> split(Range range, int64_t step) {
  std::vector<Range> pieces;
  for (int64_t b = 0; b < range.len; b += step) {
    pieces.push_back({range.begin + b, std::min(step, range.len - b)});
  }
  return pieces;
}

// Folds of one tile, SCALE-Sim order: column folds outer, row folds inner.
void tile_folds(const ArrayShape& s, int64_t inst, Range m, Range k, Range n, std::vector<Fold>& out) {
  auto add = [&](Range fm, Range fk, Range fn) {
    out.push_back({.inst = inst,
                   .m0 = fm.begin,
                   .m_len = fm.len,
                   .k0 = fk.begin,
                   .k_len = fk.len,
                   .n0 = fn.begin,
                   .n_len = fn.len});
  };
  switch (s.dataflow) {
    case Dataflow::kOs:  // rows: M, columns: N, streamed: K
      for (Range fn : split(n, s.cols))
        for (Range fm : split(m, s.rows)) add(fm, k, fn);
      break;
    case Dataflow::kIs:  // rows: K, columns: M, streamed: N
      for (Range fm : split(m, s.cols))
        for (Range fk : split(k, s.rows)) add(fm, fk, n);
      break;
    default:  // ws: rows: K, columns: N, streamed: M
      for (Range fn : split(n, s.cols))
        for (Range fk : split(k, s.rows)) add(m, fk, fn);
      break;
  }
}

// Fewer folds than arrays: each fold's streamed dimension is cut into `split` pieces
// that run side by side on arrays holding the same stationary operand (data
// parallelism), so no array idles while another streams the whole fold.
std::vector<Fold> split_streams(const std::vector<Fold>& folds, const ArrayShape& s, int64_t ways) {
  std::vector<Fold> out;
  for (const Fold& f : folds) {
    const bool os = s.dataflow == Dataflow::kOs, is = s.dataflow == Dataflow::kIs;
    const Range stream = os ? Range{f.k0, f.k_len} : is ? Range{f.n0, f.n_len} : Range{f.m0, f.m_len};
    for (Range piece : split(stream, (stream.len + ways - 1) / ways)) {
      Fold p = f;
      if (os)
        p.k0 = piece.begin, p.k_len = piece.len;
      else if (is)
        p.n0 = piece.begin, p.n_len = piece.len;
      else
        p.m0 = piece.begin, p.m_len = piece.len;
      out.push_back(p);
    }
  }
  return out;
}

// Position of each of 'm', 'k', 'n' in the loop order (0 = outermost).
std::array<int, 3> loop_positions(const std::string& order) {
  std::array<int, 3> pos{-1, -1, -1};
  const std::string dims = "mkn";
  bool ok = order.size() == 3;
  for (size_t i = 0; ok && i < 3; ++i) {
    size_t d = dims.find(order[i]);
    ok = d != std::string::npos && pos[d] < 0;
    if (ok) pos[d] = static_cast<int>(i);
  }
  if (!ok) {
    throw InputError("<mapping>", "loop_order", "'" + order + "' is not a permutation of the letters m, k and n");
  }
  return pos;
}

}  // namespace

FoldTiming fold_timing(const ArrayShape& shape, const Fold& fold) {
  const int64_t r = shape.rows, c = shape.cols;
  FoldTiming t;
  if (shape.dataflow == Dataflow::kOs) {
    t.rows_used = fold.m_len;
    t.cols_used = fold.n_len;
    t.stream_len = fold.k_len;
    t.lines = t.stream_len + r + c - 2;
    t.stream_start = 0;
    t.out_start = t.stream_len - 1;
    // Rows drain bottom-up; the padding rows of a partial fold come out first.
    t.out_rows = t.rows_used;
    t.out_first_row_line = t.out_start + (r - t.rows_used);
  } else {
    t.rows_used = fold.k_len;
    t.cols_used = shape.dataflow == Dataflow::kIs ? fold.m_len : fold.n_len;
    t.stream_len = shape.dataflow == Dataflow::kIs ? fold.n_len : fold.m_len;
    t.lines = 2 * r + c + t.stream_len - 2;
    t.stream_start = r;
    t.out_start = 2 * r - 1;
    t.out_rows = t.stream_len;
    t.out_first_row_line = t.out_start;
  }
  t.out_row_elems = t.cols_used;
  return t;
}

std::vector<Fold> make_folds(const workload::Gemm& gemm, const ArrayShape& shape, const Mapping& mapping,
                             int64_t arrays) {
  const std::array<int, 3> pos = loop_positions(mapping.loop_order);
  const std::array<int64_t, 3> dim{gemm.m, gemm.k, gemm.n};
  const std::array<int64_t, 3> tile{mapping.tile_m, mapping.tile_k, mapping.tile_n};
  std::array<std::vector<Range>, 3> tiles;  // per dimension m, k, n
  for (int d = 0; d < 3; ++d) {
    int64_t step = tile[d] > 0 ? std::min(tile[d], dim[d]) : dim[d];
    tiles[d] = split({0, dim[d]}, step);
  }
  // loops[i]: the dimension iterated by the i-th loop, outermost first.
  std::array<int, 3> loops{};
  for (int d = 0; d < 3; ++d) loops[pos[d]] = d;

  std::vector<Fold> folds;
  std::array<size_t, 3> idx{};
  for (int64_t inst = 0; inst < gemm.count; ++inst) {
    for (idx[loops[0]] = 0; idx[loops[0]] < tiles[loops[0]].size(); ++idx[loops[0]])
      for (idx[loops[1]] = 0; idx[loops[1]] < tiles[loops[1]].size(); ++idx[loops[1]])
        for (idx[loops[2]] = 0; idx[loops[2]] < tiles[loops[2]].size(); ++idx[loops[2]])
          tile_folds(shape, inst, tiles[0][idx[0]], tiles[1][idx[1]], tiles[2][idx[2]], folds);
  }
  if (arrays > 1 && !folds.empty() && static_cast<int64_t>(folds.size()) < arrays) {
    folds = split_streams(folds, shape, arrays / static_cast<int64_t>(folds.size()));
  }
  for (Fold& f : folds) {
    f.first_k = f.k0 == 0;
    f.last_k = f.k0 + f.k_len == gemm.k;
  }
  return folds;
}

void plan_partial_sums(std::vector<Fold>& folds, int64_t acc_bytes, double retain_bytes) {
  std::map<std::array<int64_t, 3>, size_t> last;  // (inst, m0, n0) -> fold of the last contribution
  Fenwick last_use_bytes(folds.size());           // per fold: bytes of blocks last used in it
  for (size_t i = 0; i < folds.size(); ++i) {
    Fold& f = folds[i];
    const int64_t bytes = f.m_len * f.n_len * acc_bytes;
    auto it = last.find({f.inst, f.m0, f.n0});
    if (it != last.end()) {
      const size_t prev = it->second;
      const int64_t distance = last_use_bytes.range(prev + 1, i) + bytes;
      if (!f.first_k && static_cast<double>(distance) > retain_bytes) {
        f.reload_partials = true;
        folds[prev].spill_partials = true;
      }
      last_use_bytes.add(prev, -bytes);
      last.erase(it);
    }
    last_use_bytes.add(i, bytes);
    if (!f.last_k) last[{f.inst, f.m0, f.n0}] = i;
  }
}

int64_t sram_trace_cells(const std::vector<Fold>& folds, const ArrayShape& shape) {
  // Port counts per SCALE-Sim: ifmap R (is: C), filter C (is: R), ofmap C.
  const int64_t ports = shape.rows + 2 * shape.cols;
  int64_t cells = 0;
  for (const Fold& f : folds) cells += fold_timing(shape, f).lines * (ports + 1);
  return cells;
}

}  // namespace acceldse::sim::detail
