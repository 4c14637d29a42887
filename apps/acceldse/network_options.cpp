// Network options shared by model show, evaluate, explore, suite, corun and fit-model.
#include "network_options.h"

#include <fmt/format.h>

#include "common/error.h"

namespace acceldse::cli {

namespace wl = acceldse::workload;

namespace {

const char* const kCommandLine = "<command line>";

int64_t parse_positive(const std::string& text, const std::string& place) {
  size_t used = 0;
  int64_t value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || value <= 0) {
    throw InputError(kCommandLine, place, fmt::format("expected a positive integer, got '{}'", text));
  }
  return value;
}

wl::Shape parse_shape(const std::string& text, const std::string& argument) {
  wl::Shape shape;
  for (size_t start = 0;;) {
    const size_t end = text.find('x', start);
    try {
      shape.push_back(parse_positive(text.substr(start, end == std::string::npos ? end : end - start), ""));
    } catch (const InputError&) {
      throw InputError(kCommandLine, "--input-shape",
                       fmt::format("expected NAME=1x3x224x224 or 1x3x224x224 (positive "
                                   "dimensions joined by x), got '{}'",
                                   argument));
    }
    if (end == std::string::npos) return shape;
    start = end + 1;
  }
}

// Applies one "key=value" part of a --models entry.
void apply_part(const std::string& part, NetworkOptions& o, const std::string& place, const std::string& entry) {
  size_t eq = part.find('=');
  std::string key = part.substr(0, eq);
  std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
  std::string where = fmt::format("{} '{}', part '@{}'", place, entry, part);
  if (key == "batch") {
    o.batch = parse_positive(value, where);
  } else if (key == "input-shape") {
    parse_input_shape(value);  // checked now, so the error names the entry
    o.input_shapes.push_back(value);
  } else if (key == "prompt-len") {
    o.prompt_len = parse_positive(value, where);
  } else if (key == "context-len") {
    o.context_len = parse_positive(value, where);
  } else {
    throw InputError(kCommandLine, where,
                     "expected batch=N, input-shape=[NAME=]D0xD1x..., prompt-len=N or context-len=N");
  }
}

}  // namespace

std::pair<std::string, wl::Shape> parse_input_shape(const std::string& argument) {
  size_t eq = argument.rfind('=');
  if (eq == std::string::npos) return {"", parse_shape(argument, argument)};
  return {argument.substr(0, eq), parse_shape(argument.substr(eq + 1), argument)};
}

void add_network_options(CLI::App* cmd, NetworkOptions& options, bool per_network) {
  std::string each = per_network ? " of every network (an entry's @batch=N wins)" : "";
  cmd->add_option("--batch", options.batch, "Batch size" + each + ", on the batch axis found from the graph")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--input-shape", options.input_shapes,
                  "Input shape NAME=1x3x224x224, or 1x3x224x224 for a single input (repeatable)" + each)
      ->expected(1)
      ->allow_extra_args(false)  // one value per flag: do not swallow a positional argument
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--prompt-len", options.prompt_len,
                  "LLM networks: prompt tokens processed by the prefill phase (default 512)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--context-len", options.context_len,
                  "LLM networks: tokens already in the KV cache at the decode step (default: --prompt-len)")
      ->check(CLI::PositiveNumber);
}

wl::LoadOptions load_options(const NetworkOptions& o) {
  wl::LoadOptions options;
  options.batch = o.batch;
  for (const std::string& arg : o.input_shapes) options.input_shapes.push_back(parse_input_shape(arg));
  options.prompt_len = o.prompt_len;
  options.context_len = o.context_len;
  return options;
}

std::string options_suffix(const NetworkOptions& o) {
  std::string out;
  if (o.batch) out += fmt::format("@batch={}", *o.batch);
  for (const std::string& s : o.input_shapes) out += "@input-shape=" + s;
  if (o.prompt_len) out += fmt::format("@prompt-len={}", *o.prompt_len);
  if (o.context_len) out += fmt::format("@context-len={}", *o.context_len);
  return out;
}

ModelSpec parse_model_spec(const std::string& entry, const NetworkOptions& defaults, const std::string& place) {
  // Options start at the first '@' after the last folder separator.
  size_t slash = entry.find_last_of("/\\");
  size_t at = entry.find('@', slash == std::string::npos ? 0 : slash + 1);
  ModelSpec spec{entry.substr(0, at), defaults};
  if (!wl::is_llm_name(spec.name)) {  // the command's LLM lengths are for its LLMs only
    spec.options.prompt_len.reset();
    spec.options.context_len.reset();
  }
  if (at == std::string::npos) return spec;
  spec.options.input_shapes.clear();  // an entry's shapes replace the command's
  size_t start = at + 1;
  while (start <= entry.size()) {
    size_t end = entry.find('@', start);
    apply_part(entry.substr(start, end == std::string::npos ? end : end - start), spec.options, place, entry);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (spec.options.input_shapes.empty()) spec.options.input_shapes = defaults.input_shapes;
  return spec;
}

wl::Network load_model_spec(const ModelSpec& spec, const std::string& entry) {
  wl::Network net = wl::load_network(spec.name, load_options(spec.options));
  if (entry != spec.name) net.name = entry;
  return net;
}

}  // namespace acceldse::cli
