#pragma once
// Decoder-only transformers (LLMs) described by their configuration rather than layer by
// layer: models/llm/NAME.yaml holds {layers, hidden, heads, kv_heads, ffn, vocab, ...}
// and llm_network() expands it into the graph of one inference phase for a given batch,
// prompt length and context length, in the ordinary workload IR.
//
// Phases. Prefill: the whole prompt of `prompt_len` tokens at once; its latency is the
// time to first token (TTFT). Decode: one new token per sequence, attending over the
// `context_len` tokens already in the KV cache plus itself; its latency is the time per
// output token (TPOT).
//
// KV cache. In the decode graph each layer reads its cache as two network inputs,
// k_cache_L [batch, kv_heads, head_dim, context_len + 1] (stored transposed, as
// kernels keep it) and v_cache_L [batch, kv_heads, context_len + 1, head_dim]; the
// slot context_len is the token being decoded, whose key and value the graph also
// writes (outputs k_new_L, v_new_L [batch, 1, kv_heads * head_dim]). So the cache
// traffic of a step is what a real step moves: every cached position read once,
// one position written, no copy of the cache.
//
// Attention with grouped KV heads (GQA; MQA is kv_heads 1): the heads / kv_heads query
// heads that share a KV head are stacked into the rows of one matmul against that KV
// head, so K and V are read once per KV head, as GQA kernels do.
#include <cstdint>
#include <optional>
#include <string>

#include "workload/workload.h"

namespace acceldse::workload {

struct LlmConfig {
  std::string name, description;
  int64_t layers = 0;
  int64_t hidden = 0;
  int64_t heads = 0;
  int64_t kv_heads = 0;  // = heads for multi-head attention, 1 for MQA
  int64_t head_dim = 0;  // hidden / heads unless the file says otherwise
  int64_t ffn = 0;       // FFN inner width
  int64_t vocab = 0;
  bool gated_ffn = true;         // SwiGLU (gate, up, down) rather than fc, gelu, proj
  bool bias = false;             // linear layers carry biases
  bool rmsnorm = true;           // RMSNorm (a scale per feature) rather than LayerNorm (scale, shift)
  bool tied_embeddings = false;  // LM head shares the token embedding's weights
  int64_t max_context = 0;       // longest prompt + generated tokens the model supports
};

enum class LlmPhase { kPrefill, kDecode };
const char* to_string(LlmPhase phase);

// Batch and sequence lengths of one phase.
struct LlmShape {
  int64_t batch = 1;
  int64_t prompt_len = 512;   // prefill: tokens of every prompt
  int64_t context_len = 512;  // decode: tokens already in the cache (default: prompt_len)
};
LlmShape llm_shape(const LoadOptions& options);

// "llama_7b", "llama_7b:prefill" or "llama_7b:decode" where models/llm/llama_7b.yaml
// exists, or the same with a path to an LLM configuration file ("my_llm.yaml:decode";
// a YAML file whose `layers` is a number rather than a list); nullopt for any other
// name.
struct LlmName {
  std::string config;             // built-in name or path
  std::string path;               // the configuration file
  std::optional<LlmPhase> phase;  // nullopt: both (a command shows the decode graph)
};
std::optional<LlmName> parse_llm_name(const std::string& name);
std::vector<std::string> llm_names();  // configurations in models/llm, sorted

LlmConfig load_llm_config(const std::string& path);
LlmConfig load_llm_config_text(const std::string& text, const std::string& file_label);
LlmConfig load_llm_config(const LlmName& name);

// The graph of one phase; throws InputError naming `file` on a length beyond
// max_context.
Network llm_network(const LlmConfig& config, LlmPhase phase, const LlmShape& shape, const std::string& file = "<llm>");

// Parameters of the whole model (embedding, layers, final norm, LM head unless tied).
int64_t llm_params(const LlmConfig& config);
// Parameters a decode step reads in full: all but the token embedding, whose rows are
// gathered one per token (a tied table is read in full by the LM head, so it counts).
int64_t llm_streamed_params(const LlmConfig& config);
// Bytes of keys and values the cache holds for `positions` tokens of `batch` sequences.
int64_t kv_cache_bytes(const LlmConfig& config, int64_t batch, int64_t positions, int64_t bytes_per_element);

}  // namespace acceldse::workload
