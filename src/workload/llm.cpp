// LLM configurations (models/llm/NAME.yaml) and their expansion into prefill and decode
// graphs; see llm.h for the graph layout and what the KV-cache inputs mean.
#include "workload/llm.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/checked.h"
#include "common/data_dir.h"
#include "common/error.h"
#include "common/input_limits.h"
#include "common/yaml_check.h"

namespace acceldse::workload {

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------
// Reading a configuration
// ---------------------------------------------------------------------------------

const std::set<std::string>& known_keys() {
  static const std::set<std::string> keys{
      "name", "description", "layers",    "hidden", "heads", "kv_heads",        "head_dim",
      "ffn",  "vocab",       "gated_ffn", "bias",   "norm",  "tied_embeddings", "max_context"};
  return keys;
}

std::string at_line(const YAML::Node& node, const std::string& key) {
  return fmt::format("line {}, {}", node.Mark().line + 1, key);
}

int64_t read_positive(const YAML::Node& root, const std::string& key, const std::string& file,
                      std::optional<int64_t> fallback = std::nullopt) {
  YAML::Node node = root[key];
  if (!node) {
    if (fallback) return *fallback;
    throw InputError(file, key, "missing; expected a positive integer");
  }
  // Far beyond any real model, and small enough that the graph stays buildable.
  const int64_t limit = key == "layers" ? 4096 : int64_t{1} << 24;
  int64_t value = 0;
  if (!node.IsScalar() || !YAML::convert<int64_t>::decode(node, value) || value <= 0 || value > limit) {
    throw InputError(file, at_line(node, key),
                     fmt::format("expected an integer from 1 to {}, got '{}'", limit,
                                 node.IsScalar() ? node.Scalar() : "a list or map"));
  }
  return value;
}

bool read_bool(const YAML::Node& root, const std::string& key, const std::string& file, bool fallback) {
  YAML::Node node = root[key];
  if (!node) return fallback;
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    throw InputError(file, at_line(node, key), "expected true or false");
  }
  return value;
}

std::string read_string(const YAML::Node& root, const std::string& key, const std::string& file,
                        const std::string& fallback) {
  YAML::Node node = root[key];
  if (!node) return fallback;
  if (!node.IsScalar()) throw InputError(file, at_line(node, key), "expected a string");
  return node.Scalar();
}

void check_keys(const YAML::Node& root, const std::string& file) {
  for (const auto& kv : root) {
    std::string key = kv.first.Scalar();
    if (!known_keys().count(key)) {
      throw InputError(file, at_line(kv.first, key),
                       fmt::format("unknown key; expected one of: {}", fmt::join(known_keys(), ", ")));
    }
  }
}

// Sizes must divide as attention needs: heads into groups of kv_heads.
void check_config(const LlmConfig& c, const std::string& file) {
  if (c.heads % c.kv_heads != 0) {
    throw InputError(file, "kv_heads",
                     fmt::format("{} query heads do not split into {} KV-head groups", c.heads, c.kv_heads));
  }
}

LlmConfig parse_config(const YAML::Node& root, const std::string& file) {
  if (!root.IsMap()) throw InputError(file, "", "expected a mapping with keys layers, hidden, heads, ffn, vocab");
  check_keys(root, file);
  LlmConfig c;
  c.name = read_string(root, "name", file, fs::path(file).stem().string());
  c.description = read_string(root, "description", file, "");
  c.layers = read_positive(root, "layers", file);
  c.hidden = read_positive(root, "hidden", file);
  c.heads = read_positive(root, "heads", file);
  c.kv_heads = read_positive(root, "kv_heads", file, c.heads);
  if (!root["head_dim"] && c.hidden % c.heads != 0) {
    throw InputError(file, "heads",
                     fmt::format("hidden {} is not a multiple of {} heads; give head_dim", c.hidden, c.heads));
  }
  c.head_dim = read_positive(root, "head_dim", file, c.hidden / c.heads);
  c.ffn = read_positive(root, "ffn", file);
  c.vocab = read_positive(root, "vocab", file);
  c.gated_ffn = read_bool(root, "gated_ffn", file, true);
  c.bias = read_bool(root, "bias", file, false);
  c.tied_embeddings = read_bool(root, "tied_embeddings", file, false);
  c.max_context = read_positive(root, "max_context", file, int64_t{1} << 20);  // default 1,048,576
  std::string norm = read_string(root, "norm", file, "rmsnorm");
  if (norm != "rmsnorm" && norm != "layernorm") {
    throw InputError(file, at_line(root["norm"], "norm"), fmt::format("expected rmsnorm or layernorm, got '{}'", norm));
  }
  c.rmsnorm = norm == "rmsnorm";
  check_config(c, file);
  return c;
}

fs::path llm_dir() { return data_path("models") / "llm"; }

// ---------------------------------------------------------------------------------
// Building the graphs
// ---------------------------------------------------------------------------------

// Builds one phase layer by layer; `seq` is the number of new tokens per sequence
// (prompt_len for prefill, 1 for decode) and `kv_len` the positions attended over.
class Builder {
 public:
  Builder(const LlmConfig& c, LlmPhase phase, const LlmShape& s, const std::string& file)
      : c_(c),
        phase_(phase),
        batch_(s.batch),
        seq_(phase == LlmPhase::kPrefill ? s.prompt_len : 1),
        kv_len_(phase == LlmPhase::kPrefill ? s.prompt_len : s.context_len + 1),
        b_(fmt::format("{}_{}", c.name, to_string(phase)), file) {}

  Network build() {
    b_.add_input("input_ids", {batch_, seq_});
    Attrs emb;
    emb.vocab = c_.vocab;
    emb.embed_dim = c_.hidden;
    std::string x = add("embed", "embedding", {"input_ids"}, emb);
    for (int64_t l = 0; l < c_.layers; ++l) x = layer(l, x);
    return head(x);
  }

 private:
  std::string add(const std::string& name, const std::string& type, const std::vector<std::string>& ins,
                  const Attrs& a = {}, std::optional<int64_t> params = std::nullopt) {
    Attrs attrs = a;
    if (attrs == Attrs{}) attrs = default_attrs(type);
    b_.add_op(name, type, ins, attrs, {}, params);
    return name;
  }
  std::string linear(const std::string& name, const std::string& in, int64_t out) {
    Attrs a = default_attrs("linear");
    a.out_features = out;
    a.bias = c_.bias;
    return add(name, "linear", {in}, a);
  }
  std::string reshape(const std::string& name, const std::string& in, std::vector<int64_t> dims) {
    Attrs a = default_attrs("reshape");
    a.dims = std::move(dims);
    return add(name, "reshape", {in}, a);
  }
  std::string transpose(const std::string& name, const std::string& in, std::vector<int64_t> perm) {
    Attrs a = default_attrs("transpose");
    a.dims = std::move(perm);
    return add(name, "transpose", {in}, a);
  }
  // RMSNorm has one learned scale per feature; LayerNorm a scale and a shift.
  std::string norm(const std::string& name, const std::string& in) {
    Attrs a = default_attrs("layernorm");
    a.axis = -1;
    return add(name, "layernorm", {in}, a, c_.rmsnorm ? c_.hidden : 2 * c_.hidden);
  }

  int64_t group() const { return c_.heads / c_.kv_heads; }  // query heads per KV head

  std::string layer(int64_t l, const std::string& x) {
    std::string p = fmt::format("l{}_", l);
    std::string h = norm(p + "attn_norm", x);
    std::string attn = attention(p, h, l);
    std::string res = add(p + "attn_res", "add", {linear(p + "o_proj", attn, c_.hidden), x});
    std::string f = ffn(p, norm(p + "ffn_norm", res));
    return add(p + "ffn_res", "add", {f, res});
  }

  std::string ffn(const std::string& p, const std::string& h) {
    if (!c_.gated_ffn) {
      return linear(p + "down", add(p + "gelu", "gelu", {linear(p + "fc", h, c_.ffn)}), c_.hidden);
    }
    std::string gate = add(p + "silu", "silu", {linear(p + "gate", h, c_.ffn)});
    return linear(p + "down", add(p + "gate_mul", "mul", {gate, linear(p + "up", h, c_.ffn)}), c_.hidden);
  }

  // Queries [batch, kv_heads, group * seq, head_dim]; keys transposed [batch, kv_heads,
  // head_dim, kv_len]; values [batch, kv_heads, kv_len, head_dim].
  std::string attention(const std::string& p, const std::string& h, int64_t l) {
    const int64_t g = c_.kv_heads, r = group(), d = c_.head_dim;
    std::string q = linear(p + "q_proj", h, c_.heads * d);
    std::string k = linear(p + "k_proj", h, g * d);
    std::string v = linear(p + "v_proj", h, g * d);
    std::string qh, kt, vh;
    if (phase_ == LlmPhase::kDecode) {
      // One token: [batch, 1, heads*d] is already [batch, g, r, d] in memory.
      qh = reshape(p + "q_heads", q, {0, g, r, d});
      kt = fmt::format("k_cache_{}", l);
      vh = fmt::format("v_cache_{}", l);
      b_.add_input(kt, {batch_, g, d, kv_len_});
      b_.add_input(vh, {batch_, g, kv_len_, d});
      new_kv_.push_back(k);
      new_kv_.push_back(v);
    } else {
      qh = reshape(p + "q_rows", transpose(p + "q_t", reshape(p + "q_heads", q, {0, seq_, g, r, d}), {0, 2, 3, 1, 4}),
                   {0, g, r * seq_, d});
      kt = transpose(p + "k_t", reshape(p + "k_heads", k, {0, seq_, g, d}), {0, 2, 3, 1});
      vh = transpose(p + "v_t", reshape(p + "v_heads", v, {0, seq_, g, d}), {0, 2, 1, 3});
    }
    std::string scores = add(p + "scores", "mul", {add(p + "qk", "matmul", {qh, kt})});  // scaled by 1/sqrt(d)
    std::string ctx = add(p + "context", "matmul", {add(p + "softmax", "softmax", {scores}), vh});
    if (phase_ == LlmPhase::kDecode) return reshape(p + "context_merge", ctx, {0, 1, c_.heads * d});
    std::string back =
        transpose(p + "context_t", reshape(p + "context_heads", ctx, {0, g, r, seq_, d}), {0, 3, 1, 2, 4});
    return reshape(p + "context_merge", back, {0, seq_, c_.heads * d});
  }

  // Final norm and LM head on the last position only: a prefill needs the logits of the
  // token it generates, not of every prompt token.
  Network head(const std::string& x) {
    std::string last = x;
    if (seq_ > 1) {
      Attrs a = default_attrs("slice");
      a.dims = {batch_, 1, c_.hidden};
      last = add("last_token", "slice", {x}, a);
    }
    std::string h = norm("final_norm", last);
    Attrs a = default_attrs("linear");
    a.out_features = c_.vocab;
    std::optional<int64_t> params;
    if (c_.tied_embeddings) params = 0;  // counted with the embedding
    b_.add_op("lm_head", "linear", {h}, a, {}, params);
    std::vector<std::string> outputs{"lm_head"};
    outputs.insert(outputs.end(), new_kv_.begin(), new_kv_.end());
    Network net = b_.finish(outputs);
    net.domain = "language";
    net.description = fmt::format("{}: {} phase, batch {}, {} (see models/llm and docs/commands.md 'LLM inference')",
                                  c_.description.empty() ? c_.name : c_.description, to_string(phase_), batch_,
                                  phase_ == LlmPhase::kPrefill ? fmt::format("prompt {} tokens", seq_)
                                                               : fmt::format("context {} tokens + 1", kv_len_ - 1));
    return net;
  }

  const LlmConfig& c_;
  LlmPhase phase_;
  int64_t batch_, seq_, kv_len_;
  NetworkBuilder b_;
  std::vector<std::string> new_kv_;  // decode: keys and values written to the cache
};

}  // namespace

const char* to_string(LlmPhase phase) { return phase == LlmPhase::kPrefill ? "prefill" : "decode"; }

LlmShape llm_shape(const LoadOptions& options) {
  LlmShape s;
  if (options.batch) s.batch = *options.batch;
  if (options.prompt_len) s.prompt_len = *options.prompt_len;
  s.context_len = options.context_len.value_or(s.prompt_len);
  return s;
}

// A YAML file is an LLM configuration when its `layers` is a number (a network file
// lists its layers).
bool is_llm_config_file(const fs::path& path) {
  std::error_code ec;
  std::string ext = path.extension().string();
  if ((ext != ".yaml" && ext != ".yml") || !fs::is_regular_file(path, ec)) return false;
  try {
    YAML::Node root = YAML::Load(read_input_file(path.string(), kMaxTextInputBytes, "a YAML file"));
    return root.IsMap() && root["layers"] && root["layers"].IsScalar();
  } catch (const YAML::Exception&) {
    return false;  // the network loader reports the malformed file
  } catch (const InputError&) {
    return false;  // likewise the file it cannot read
  }
}

std::optional<LlmName> parse_llm_name(const std::string& name) {
  LlmName out{name, "", std::nullopt};
  size_t colon = name.rfind(':');
  if (colon != std::string::npos) {
    std::string phase = name.substr(colon + 1);
    if (phase == "prefill")
      out.phase = LlmPhase::kPrefill;
    else if (phase == "decode")
      out.phase = LlmPhase::kDecode;
    else
      return std::nullopt;
    out.config = name.substr(0, colon);
  }
  if (is_llm_config_file(out.config)) {
    out.path = out.config;
    return out;
  }
  bool plain = !out.config.empty() && out.config.front() != '.' &&
               out.config.find_first_of("/\\:") == std::string::npos && fs::path(out.config).extension().empty();
  std::error_code ec;
  fs::path builtin = llm_dir() / (out.config + ".yaml");
  if (!plain || !fs::is_regular_file(builtin, ec)) return std::nullopt;
  out.path = builtin.string();
  return out;
}

bool is_llm_name(const std::string& name) { return parse_llm_name(name).has_value(); }

std::vector<std::string> llm_names() {
  std::vector<std::string> names;
  std::error_code ec;
  if (!fs::is_directory(llm_dir(), ec)) return names;
  for (const fs::directory_entry& f : fs::directory_iterator(llm_dir(), ec)) {
    if (f.is_regular_file(ec) && f.path().extension() == ".yaml") names.push_back(f.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

LlmConfig load_llm_config_text(const std::string& text, const std::string& file_label) {
  return parse_config(parse_yaml_document(text, file_label), file_label);
}

LlmConfig load_llm_config(const std::string& path) {
  return load_llm_config_text(read_input_file(path, kMaxTextInputBytes, "an LLM configuration YAML file"), path);
}

LlmConfig load_llm_config(const LlmName& name) { return load_llm_config(name.path); }

Network llm_network(const LlmConfig& config, LlmPhase phase, const LlmShape& shape, const std::string& file) {
  const std::string cli = "<command line>";
  if (shape.batch <= 0) throw InputError(cli, "--batch", "expected a positive integer");
  if (shape.prompt_len <= 0) throw InputError(cli, "--prompt-len", "expected a positive integer");
  if (shape.context_len <= 0) throw InputError(cli, "--context-len", "expected a positive integer");
  int64_t longest = phase == LlmPhase::kPrefill ? shape.prompt_len : shape.context_len + 1;
  if (longest > config.max_context) {
    throw InputError(cli, phase == LlmPhase::kPrefill ? "--prompt-len" : "--context-len",
                     fmt::format("{} tokens exceed {}'s max_context of {}", longest, config.name, config.max_context));
  }
  return Builder(config, phase, shape, file).build();
}

// Saturating arithmetic: a configuration file may hold any sizes, and a count must never
// wrap around (64-bit counts saturate at kCountLimit, as everywhere in the IR).
int64_t llm_params(const LlmConfig& c) {
  const int64_t d = c.head_dim, bias = c.bias ? 1 : 0;
  const int64_t q = mul_sat(c.heads, d), kv = mul_sat(c.kv_heads, d);
  int64_t attn = add_sat(mul_sat(2, c.hidden, q), mul_sat(2, c.hidden, kv));
  attn = add_sat(attn, mul_sat(bias, add_sat(add_sat(q, mul_sat(2, kv)), c.hidden)));
  int64_t ffn = mul_sat(c.gated_ffn ? 3 : 2, c.hidden, c.ffn);
  ffn = add_sat(ffn, mul_sat(bias, add_sat(mul_sat(c.gated_ffn ? 2 : 1, c.ffn), c.hidden)));
  const int64_t norm = c.rmsnorm ? c.hidden : mul_sat(2, c.hidden);
  const int64_t embed = mul_sat(c.vocab, c.hidden);
  int64_t total = mul_sat(c.layers, add_sat(add_sat(attn, ffn), mul_sat(2, norm)));
  return add_sat(add_sat(total, norm), add_sat(embed, c.tied_embeddings ? 0 : embed));
}

int64_t llm_streamed_params(const LlmConfig& c) {
  return llm_params(c) - (c.tied_embeddings ? 0 : mul_sat(c.vocab, c.hidden));
}

int64_t kv_cache_bytes(const LlmConfig& c, int64_t batch, int64_t positions, int64_t bytes_per_element) {
  return mul_sat(mul_sat(2, c.layers, batch, c.kv_heads), mul_sat(c.head_dim, positions, bytes_per_element));
}

}  // namespace acceldse::workload
