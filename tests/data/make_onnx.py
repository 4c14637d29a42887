#!/usr/bin/python3
"""Writes the small ONNX models the importer tests load (tests/test_workload_onnx.cpp) and
the one fit-model's ONNX output is tested on (fit_residual.onnx, tests/test_dse_study_fit.cpp).
dyn_cnn, seq_lstm and static_vit are written the way torch.onnx.export writes such
networks (dynamic axes; a sequence-first LSTM; literal reshape targets) for the --batch /
--input-shape tests (also tests/test_cli_network_options.cpp); new_ops holds
ConvTranspose, InstanceNormalization, PyTorch's GroupNorm pattern, Einsum and CumSum.

Run with Debian's python3-onnx:  /usr/bin/python3 tests/data/make_onnx.py
Each model passes onnx.checker and carries the value_info of ONNX's own shape inference,
so the C++ test can compare every shape the importer infers with ONNX's answer. The
MAC and parameter totals the test expects are derived by hand in its comments.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)


def weight(name, shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def const(out, value, dtype=np.float32):
    """A Constant node, as PyTorch emits for literals."""
    return helper.make_node("Constant", [], [out],
                            value=numpy_helper.from_array(np.array(value, dtype=dtype)))


def save(graph, opset, filename):
    model = helper.make_model(graph, producer_name="acceldse-make_onnx",
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True, data_prop=True)
    path = os.path.join(HERE, filename)
    onnx.save(model, path)
    print(f"{path}: {os.path.getsize(path)} bytes")


def tiny_cnn():
    """Conv/BN/ReLU, ceil-mode pooling, grouped SAME conv, clip, resize, depthwise conv,
    global pooling, flatten, Gemm, softmax."""
    n = helper.make_node
    nodes = [
        n("Conv", ["image", "c1_w", "c1_b"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        n("BatchNormalization", ["c1", "bn_s", "bn_b", "bn_m", "bn_v"], ["bn"], name="bn1"),
        n("Relu", ["bn"], ["r1"], name="relu1"),
        n("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1),
        n("Conv", ["p1", "c2_w"], ["c2"], name="conv2", group=2, strides=[2, 2], auto_pad="SAME_UPPER"),
        n("Clip", ["c2", "lo", "hi"], ["r2"], name="relu6"),
        n("Resize", ["r2", "", "scales"], ["up"], name="up", mode="nearest"),
        n("Conv", ["up", "c3_w"], ["c3"], name="dwconv", group=16, pads=[1, 1, 1, 1]),
        n("GlobalAveragePool", ["c3"], ["gap"], name="gap"),
        n("Flatten", ["gap"], ["flat"], name="flatten"),
        n("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], name="fc", transB=1),
        n("Softmax", ["logits"], ["probs"], name="softmax", axis=-1),
    ]
    inits = [
        weight("c1_w", (8, 3, 3, 3)), weight("c1_b", (8,)),
        weight("bn_s", (8,)), weight("bn_b", (8,)), weight("bn_m", (8,)),
        numpy_helper.from_array(np.ones(8, dtype=np.float32), "bn_v"),
        weight("c2_w", (16, 4, 3, 3)),
        numpy_helper.from_array(np.array(0.0, dtype=np.float32), "lo"),
        numpy_helper.from_array(np.array(6.0, dtype=np.float32), "hi"),
        numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), "scales"),
        weight("c3_w", (16, 1, 3, 3)),
        weight("fc_w", (10, 16)), weight("fc_b", (10,)),
    ]
    graph = helper.make_graph(
        nodes, "tiny_cnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])], inits)
    save(graph, 13, "tiny_cnn.onnx")


def tiny_attention():
    """One pre-norm-free encoder layer (d 16, 2 heads, FFN 64) as PyTorch exports it:
    head shapes from Shape/Gather/Concat, a causal mask from Range/Less/Where, an Erf GELU,
    and the last token sliced out at the end."""
    n = helper.make_node
    nodes = [
        n("MatMul", ["x", "w_qkv"], ["qkv0"], name="qkv"),
        n("Add", ["qkv0", "b_qkv"], ["qkv1"], name="qkv_bias"),
        n("Split", ["qkv1", "split"], ["q", "k", "v"], name="split_qkv", axis=-1),
        n("Shape", ["x"], ["xs"]),
        const("c0", 0, np.int64), const("c1", 1, np.int64), const("ax0", [0], np.int64),
        const("heads_hd", [2, 8], np.int64), const("minus1", [-1], np.int64),
        n("Gather", ["xs", "c0"], ["bsz"]),
        n("Gather", ["xs", "c1"], ["seq"]),
        n("Unsqueeze", ["bsz", "ax0"], ["bsz1"]),
        n("Unsqueeze", ["seq", "ax0"], ["seq1"]),
        n("Concat", ["bsz1", "seq1", "heads_hd"], ["split_shape"], axis=0),
        n("Concat", ["bsz1", "seq1", "minus1"], ["merge_shape"], axis=0),
    ]
    for name, perm in (("q", [0, 2, 1, 3]), ("k", [0, 2, 3, 1]), ("v", [0, 2, 1, 3])):
        nodes += [n("Reshape", [name, "split_shape"], [name + "_h"], name="heads_" + name),
                  n("Transpose", [name + "_h"], [name + "_t"], name="t_" + name, perm=perm)]
    nodes += [
        # causal mask: position j > i gets -1e9
        const("zero_i", 0, np.int64), const("one_i", 1, np.int64), const("ax1", [1], np.int64),
        n("Range", ["zero_i", "seq", "one_i"], ["pos"]),
        n("Unsqueeze", ["pos", "ax1"], ["row"]),
        n("Unsqueeze", ["pos", "ax0"], ["col"]),
        n("Less", ["row", "col"], ["future"]),
        const("neg", -1e9), const("zero_f", 0.0),
        n("Where", ["future", "neg", "zero_f"], ["mask"]),
        n("MatMul", ["q_t", "k_t"], ["scores"], name="qk"),
        const("inv_sqrt_d", 1 / np.sqrt(8)),
        n("Mul", ["scores", "inv_sqrt_d"], ["scaled"], name="scale"),
        n("Add", ["scaled", "mask"], ["masked"], name="mask_add"),
        n("Softmax", ["masked"], ["probs"], name="softmax", axis=-1),
        n("MatMul", ["probs", "v_t"], ["ctx"], name="pv"),
        n("Transpose", ["ctx"], ["ctx_t"], name="t_ctx", perm=[0, 2, 1, 3]),
        n("Reshape", ["ctx_t", "merge_shape"], ["ctx_m"], name="merge"),
        n("MatMul", ["ctx_m", "w_o"], ["o0"], name="out_proj"),
        n("Add", ["o0", "b_o"], ["o1"], name="out_bias"),
        n("Add", ["x", "o1"], ["h1"], name="res1"),
        n("LayerNormalization", ["h1", "ln_g", "ln_b"], ["ln"], name="ln", axis=-1),
        n("MatMul", ["ln", "w1"], ["f0"], name="ffn1"),
        n("Add", ["f0", "b1"], ["f1"], name="ffn1_bias"),
        const("sqrt2", np.sqrt(2)), const("one_f", 1.0), const("half", 0.5),
        n("Div", ["f1", "sqrt2"], ["g0"]),
        n("Erf", ["g0"], ["g1"]),
        n("Add", ["g1", "one_f"], ["g2"]),
        n("Mul", ["f1", "g2"], ["g3"]),
        n("Mul", ["g3", "half"], ["g4"]),
        n("MatMul", ["g4", "w2"], ["f2"], name="ffn2"),
        n("Add", ["f2", "b2"], ["f3"], name="ffn2_bias"),
        n("Add", ["ln", "f3"], ["h2"], name="res2"),
        const("last", [-1], np.int64), const("end", [np.iinfo(np.int64).max], np.int64),
        n("Slice", ["h2", "last", "end", "ax1"], ["tail"], name="last_token"),
        n("Squeeze", ["tail", "ax1"], ["cls"], name="squeeze"),
    ]
    inits = [
        weight("w_qkv", (16, 48)), weight("b_qkv", (48,)), ints("split", [16, 16, 16]),
        weight("w_o", (16, 16)), weight("b_o", (16,)),
        weight("ln_g", (16,)), weight("ln_b", (16,)),
        weight("w1", (16, 64)), weight("b1", (64,)), weight("w2", (64, 16)), weight("b2", (16,)),
    ]
    graph = helper.make_graph(
        nodes, "tiny_attention",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 16, 16])],
        [helper.make_tensor_value_info("cls", TensorProto.FLOAT, [2, 16])], inits)
    save(graph, 17, "tiny_attention.onnx")


def fit_residual():
    """A residual block whose width, 65, is one more than a 64-wide array takes: conv with
    bias, batch norm, depthwise conv (group = channels), 1x1 conv, batch norm, residual
    add, global pooling and a Gemm head (transB). fit-model makes every 65 a 64 together;
    the head's 10 classes are an output and stay."""
    n = helper.make_node
    c = 65
    nodes = [
        n("Conv", ["x", "a_w", "a_b"], ["a"], name="conv_a", pads=[1, 1, 1, 1]),
        n("BatchNormalization", ["a", "bna_s", "bna_b", "bna_m", "bna_v"], ["an"], name="bn_a"),
        n("Relu", ["an"], ["ra"], name="relu_a"),
        n("Conv", ["ra", "dw_w"], ["d"], name="dw", group=c, pads=[1, 1, 1, 1]),
        n("Conv", ["d", "b_w"], ["b"], name="conv_b"),
        n("BatchNormalization", ["b", "bnb_s", "bnb_b", "bnb_m", "bnb_v"], ["bn"], name="bn_b"),
        n("Add", ["bn", "ra"], ["s"], name="residual"),
        n("Relu", ["s"], ["r"], name="relu"),
        n("GlobalAveragePool", ["r"], ["g"], name="gap"),
        n("Flatten", ["g"], ["f"], name="flatten"),
        n("Gemm", ["f", "fc_w", "fc_b"], ["logits"], name="fc", transB=1),
    ]
    ones = lambda name: numpy_helper.from_array(np.ones(c, dtype=np.float32), name)
    inits = [
        weight("a_w", (c, 8, 3, 3)), weight("a_b", (c,)),
        weight("bna_s", (c,)), weight("bna_b", (c,)), weight("bna_m", (c,)), ones("bna_v"),
        weight("dw_w", (c, 1, 3, 3)), weight("b_w", (c, c, 1, 1)),
        weight("bnb_s", (c,)), weight("bnb_b", (c,)), weight("bnb_m", (c,)), ones("bnb_v"),
        weight("fc_w", (10, c)), weight("fc_b", (10,)),
    ]
    graph = helper.make_graph(
        nodes, "fit_residual",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 56, 56])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])], inits)
    save(graph, 13, "fit_residual.onnx")


def dyn_cnn():
    """A CNN exported with dynamic batch, height and width (torch.onnx.export's
    dynamic_axes={"image": {0: "N", 2: "H", 3: "W"}}): it needs --batch and --input-shape."""
    n = helper.make_node
    nodes = [
        n("Conv", ["image", "c_w", "c_b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        n("Relu", ["c"], ["r"], name="relu"),
        n("GlobalAveragePool", ["r"], ["g"], name="gap"),
        n("Flatten", ["g"], ["f"], name="flatten"),
        n("Gemm", ["f", "fc_w", "fc_b"], ["logits"], name="fc", transB=1),
    ]
    inits = [weight("c_w", (8, 3, 3, 3)), weight("c_b", (8,)), weight("fc_w", (10, 8)), weight("fc_b", (10,))]
    graph = helper.make_graph(
        nodes, "dyn_cnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])], inits)
    save(graph, 13, "dyn_cnn.onnx")


def seq_lstm():
    """nn.LSTM(10, 20) as exported at its default batch_first=False: the static input is
    [seq 5, batch 1, features 10], so the batch is axis 1, not 0."""
    n = helper.make_node
    nodes = [n("LSTM", ["x", "W", "R", "B"], ["Y"], name="lstm", hidden_size=20)]
    inits = [weight("W", (1, 80, 10)), weight("R", (1, 80, 20)), weight("B", (1, 160))]
    graph = helper.make_graph(
        nodes, "seq_lstm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [5, 1, 10])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [5, 1, 1, 20])], inits)
    save(graph, 13, "seq_lstm.onnx")


def static_vit():
    """A ViT patch embedding exported with static shapes: the reshape target [1, 16, 16]
    is a literal that spells batch 1, as torch.onnx.export writes it without dynamic_axes."""
    n = helper.make_node
    nodes = [
        n("Conv", ["image", "p_w"], ["p"], name="patch", kernel_shape=[8, 8], strides=[8, 8]),
        const("tokens_shape", [1, 16, 16], np.int64),
        n("Reshape", ["p", "tokens_shape"], ["t"], name="flatten_patches"),
        n("Transpose", ["t"], ["tt"], name="to_tokens", perm=[0, 2, 1]),
        n("MatMul", ["tt", "w"], ["y"], name="proj"),
    ]
    inits = [weight("p_w", (16, 3, 8, 8)), weight("w", (16, 32))]
    graph = helper.make_graph(
        nodes, "static_vit",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16, 32])], inits)
    save(graph, 13, "static_vit.onnx")


def new_ops():
    """ConvTranspose (plain, then grouped with output_padding), InstanceNormalization,
    GroupNorm as torch.onnx.export writes it before opset 18 (reshape, instance norm with
    ones and zeros, reshape, Mul/Add), Einsum for an MLP and attention, and CumSum."""
    n = helper.make_node
    nodes = [
        n("ConvTranspose", ["x", "ct1_w", "ct1_b"], ["y1"], name="up1", strides=[2, 2], pads=[1, 1, 1, 1]),
        n("InstanceNormalization", ["y1", "in_s", "in_b"], ["n1"], name="inorm"),
        n("ConvTranspose", ["n1", "ct2_w"], ["y2"], name="up2", group=2, strides=[2, 2], pads=[1, 1, 1, 1],
          output_padding=[1, 1]),
        n("Reshape", ["y2", "g_shape"], ["g"]),
        n("InstanceNormalization", ["g", "ones", "zeros"], ["gi"], name="group_norm"),
        n("Reshape", ["gi", "y2_shape"], ["gb"]),
        n("Mul", ["gb", "gamma"], ["gm"]),
        n("Add", ["gm", "beta"], ["gn"]),
        n("Reshape", ["gn", "tok_shape"], ["tok"]),
        n("Transpose", ["tok"], ["t"], perm=[0, 2, 1]),
        n("Einsum", ["t", "w"], ["h"], name="mlp", equation="bsd,df->bsf"),
        n("Einsum", ["h", "h"], ["s"], name="qk", equation="bqd,bkd->bqk"),
        n("Softmax", ["s"], ["p"], axis=-1),
        n("Einsum", ["p", "h"], ["c"], name="pv", equation="bqk,bkd->bqd"),
        n("CumSum", ["c", "axis"], ["out"], name="cumsum"),
    ]
    inits = [
        weight("ct1_w", (8, 4, 4, 4)), weight("ct1_b", (4,)),
        weight("in_s", (4,)), weight("in_b", (4,)),
        weight("ct2_w", (4, 2, 3, 3)),
        ints("g_shape", [1, 2, -1]), ints("y2_shape", [1, 4, 16, 16]), ints("tok_shape", [1, 4, 256]),
        numpy_helper.from_array(np.ones(2, dtype=np.float32), "ones"),
        numpy_helper.from_array(np.zeros(2, dtype=np.float32), "zeros"),
        weight("gamma", (4, 1, 1)), weight("beta", (4, 1, 1)),
        weight("w", (4, 8)),
        numpy_helper.from_array(np.array(1, dtype=np.int64), "axis"),
    ]
    graph = helper.make_graph(
        nodes, "new_ops",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 4, 4])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 256, 8])], inits)
    save(graph, 13, "new_ops.onnx")


if __name__ == "__main__":
    tiny_cnn()
    tiny_attention()
    fit_residual()
    dyn_cnn()
    seq_lstm()
    static_vit()
    new_ops()
