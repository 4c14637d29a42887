#pragma once
// The options every command that reads a network shares: --batch, --input-shape and,
// for LLMs, --prompt-len / --context-len; and the per-network form the studies take in
// their --models lists: NAME@batch=8@input-shape=1x3x320x320@context-len=2048.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "workload/workload.h"

namespace acceldse::cli {

struct NetworkOptions {
  std::optional<int64_t> batch;
  std::vector<std::string> input_shapes;  // as typed: NAME=1x3x224x224 or 1x3x224x224
  std::optional<int64_t> prompt_len;      // LLM: tokens in the prompt (prefill)
  std::optional<int64_t> context_len;     // LLM: tokens in the KV cache at a decode step
};

// Adds --batch, --input-shape, --prompt-len and --context-len to `cmd`. `per_network`
// words the help for commands that take several networks (the options apply to each
// unless its --models entry says otherwise).
void add_network_options(CLI::App* cmd, NetworkOptions& options, bool per_network = false);

// "1x3x224x224" -> {1, 3, 224, 224}; "image=1x3x224x224" -> {"image", shape}.
std::pair<std::string, workload::Shape> parse_input_shape(const std::string& argument);

workload::LoadOptions load_options(const NetworkOptions& options);

// "@batch=8@input-shape=1x3x320x320" for the options given ("" for none): appended to a
// network's name where results are stored by name, so two batches are two networks.
std::string options_suffix(const NetworkOptions& options);

// One entry of a --models list: the name and its options (`defaults` overridden by the
// entry's own @key=value parts). Throws InputError naming `place` on a bad part.
struct ModelSpec {
  std::string name;
  NetworkOptions options;
};
ModelSpec parse_model_spec(const std::string& entry, const NetworkOptions& defaults, const std::string& place);

// Loads one --models entry. A network with options of its own is named by the entry
// ("resnet50@batch=8"), so one network at two batches stays two columns of a study.
workload::Network load_model_spec(const ModelSpec& spec, const std::string& entry);

}  // namespace acceldse::cli
