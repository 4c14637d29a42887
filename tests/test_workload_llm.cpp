// LLM configurations expanded into prefill and decode graphs: parameter counts against
// the published ones, and MACs and KV-cache bytes of a small configuration derived by
// hand in the comments.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "workload/llm.h"
#include "workload/workload.h"

namespace {

namespace wl = acceldse::workload;
using ::testing::HasSubstr;

// 2 layers, hidden 64, 4 heads of 16, 2 KV heads (GQA, 2 query heads per KV head),
// SwiGLU FFN 128, vocabulary 100, untied head, RMSNorm, no biases.
const char* const kTiny =
    "name: tiny\n"
    "layers: 2\nhidden: 64\nheads: 4\nkv_heads: 2\nffn: 128\nvocab: 100\n"
    "max_context: 64\n";

wl::LlmConfig tiny() { return wl::load_llm_config_text(kTiny, "tiny.yaml"); }

const wl::Tensor& tensor(const wl::Network& net, const std::string& name) {
  for (const wl::Tensor& t : net.tensors) {
    if (t.name == name) return t;
  }
  throw std::runtime_error("no tensor " + name);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const acceldse::InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Llm, ParamsMatchPublishedCounts) {
  // LLaMA 7B: 6,738,415,616 (Touvron et al. 2023 / released checkpoint).
  wl::LlmConfig llama = wl::load_llm_config(*wl::parse_llm_name("llama_7b"));
  EXPECT_EQ(wl::llm_params(llama), 6'738'415'616);
  // Llama 3.2 1B, tied embeddings: 1,235,814,400.
  wl::LlmConfig small = wl::load_llm_config(*wl::parse_llm_name("llama_1b"));
  EXPECT_EQ(wl::llm_params(small), 1'235'814'400);
  // The graph holds exactly those parameters.
  wl::LoadOptions o;
  o.prompt_len = 16;
  EXPECT_EQ(wl::totals(wl::load_network("llama_7b:decode", o)).params, 6'738'415'616);
  EXPECT_EQ(wl::totals(wl::load_network("llama_1b:prefill", o)).params, 1'235'814'400);
}

TEST(Llm, TinyParamsByHand) {
  // per layer: q 64*64 + k 64*32 + v 64*32 + o 64*64 = 12288; FFN 3*64*128 = 24576;
  // two RMSNorms 2*64 = 128 -> 36992; 2 layers 73984; final norm 64; embedding and head
  // 2 * 100*64 = 12800 -> 86848.
  EXPECT_EQ(wl::llm_params(tiny()), 86'848);
  EXPECT_EQ(wl::llm_streamed_params(tiny()), 86'848 - 6'400);
}

TEST(Llm, DecodeMacsAndKvCacheByHand) {
  wl::LlmShape s{.batch = 3, .prompt_len = 8, .context_len = 10};
  wl::Network net = wl::llm_network(tiny(), wl::LlmPhase::kDecode, s);
  // Per token and layer: linears 12288 + FFN 24576 = 36864; attention over 10 cached +
  // 1 new positions: QK 4 heads * 16 * 11 = 704, PV 704 -> 38272. Two layers 76544,
  // head 64*100 = 6400 -> 82944 per token; batch 3 -> 248,832.
  EXPECT_EQ(wl::totals(net).macs, 248'832);
  // The cache a step reads: K [3, 2, 16, 11] and V [3, 2, 11, 16] per layer.
  EXPECT_EQ(tensor(net, "k_cache_1").shape, (wl::Shape{3, 2, 16, 11}));
  EXPECT_EQ(tensor(net, "v_cache_0").shape, (wl::Shape{3, 2, 11, 16}));
  // 2 (K, V) * 2 layers * 3 sequences * 2 KV heads * 16 * 11 positions * 2 bytes = 8448.
  EXPECT_EQ(wl::kv_cache_bytes(tiny(), 3, 11, 2), 8'448);
  int64_t cache_elements = 0;
  for (int id : net.inputs) {
    if (net.tensors[id].name != "input_ids") cache_elements += wl::num_elements(net.tensors[id].shape);
  }
  EXPECT_EQ(cache_elements * 2, 8'448);
  // The step writes one position per layer: k_proj and v_proj outputs [3, 1, 32].
  EXPECT_EQ(tensor(net, "l0_k_proj").shape, (wl::Shape{3, 1, 32}));
  EXPECT_EQ(net.outputs.size(), 1u + 2 * 2);
}

TEST(Llm, KvCacheGrowsWithContext) {
  // LLaMA 7B: 2 * 32 layers * 32 heads * 128 * 2 bytes = 524,288 bytes per token.
  wl::LlmConfig llama = wl::load_llm_config(*wl::parse_llm_name("llama_7b"));
  EXPECT_EQ(wl::kv_cache_bytes(llama, 1, 1, 2), 524'288);
  EXPECT_EQ(wl::kv_cache_bytes(llama, 4, 2048, 2), 4LL * 2048 * 524'288);
}

TEST(Llm, PrefillMacsByHand) {
  wl::LlmShape s{.batch = 2, .prompt_len = 8, .context_len = 8};
  wl::Network net = wl::llm_network(tiny(), wl::LlmPhase::kPrefill, s);
  // Linears and FFN 36864 per token * 16 tokens = 589,824 per layer; attention per
  // sequence QK 4 heads * 8 * 8 * 16 = 4096 and PV 4096, two sequences 16,384 ->
  // 606,208 per layer, 1,212,416 for two; LM head on the last token of each sequence
  // 2 * 6400 = 12,800 -> 1,225,216.
  EXPECT_EQ(wl::totals(net).macs, 1'225'216);
  EXPECT_EQ(tensor(net, "l1_qk").shape, (wl::Shape{2, 2, 16, 8}));  // 2 heads x 8 rows per KV head
  EXPECT_EQ(tensor(net, "lm_head").shape, (wl::Shape{2, 1, 100}));
}

TEST(Llm, NamesAndOptions) {
  EXPECT_TRUE(wl::is_llm_name("llama_7b"));
  EXPECT_TRUE(wl::is_llm_name("llama_7b:prefill"));
  EXPECT_FALSE(wl::is_llm_name("llama_7b:train"));
  EXPECT_FALSE(wl::is_llm_name("resnet50"));
  wl::LoadOptions o;
  o.batch = 2;
  o.prompt_len = 100;
  wl::LlmShape s = wl::llm_shape(o);
  EXPECT_EQ(s.context_len, 100);  // decode right after a 100-token prompt
  o.context_len = 1000;
  wl::Network net = wl::load_network("llama_1b:decode", o);
  EXPECT_EQ(tensor(net, "k_cache_0").shape, (wl::Shape{2, 8, 64, 1001}));
}

TEST(Llm, BadConfigsAndLengthsAreErrors) {
  EXPECT_THAT(error_of([] {
                wl::load_llm_config_text("layers: 2\nhidden: 64\nheads: 4\nkv_heads: 3\nffn: 8\nvocab: 9\n", "x.yaml");
              }),
              HasSubstr("kv_heads"));
  EXPECT_THAT(error_of([] { wl::load_llm_config_text("layers: 2\nhidden: 64\nheads: 4\nffn: 8\n", "x.yaml"); }),
              HasSubstr("vocab: missing"));
  EXPECT_THAT(
      error_of([] { wl::load_llm_config_text("layers: 0\nhidden: 64\nheads: 4\nffn: 8\nvocab: 9\n", "x.yaml"); }),
      HasSubstr("line 1, layers"));
  EXPECT_THAT(
      error_of([] { wl::load_llm_config_text("layers: 100000\nhidden: 64\nheads: 4\nffn: 8\nvocab: 9\n", "x.yaml"); }),
      HasSubstr("from 1 to 4096"));
  EXPECT_THAT(error_of([] { wl::load_llm_config_text("layers: 2\nhiden: 64\n", "x.yaml"); }), HasSubstr("unknown key"));
  wl::LlmShape s{.batch = 1, .prompt_len = 65, .context_len = 8};
  EXPECT_THAT(error_of([&] { wl::llm_network(tiny(), wl::LlmPhase::kPrefill, s); }), HasSubstr("max_context"));
  wl::LoadOptions o;
  o.input_shapes = {{"", {1, 8}}};
  EXPECT_THAT(error_of([&] { wl::load_network("llama_7b", o); }), HasSubstr("--prompt-len"));
}

}  // namespace
