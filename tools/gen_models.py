#!/usr/bin/env python3
"""Writes the built-in network suite, models/NAME.yaml, in the format of docs/formats.md
("Network YAML format"), and checks every network's multiply-accumulates and
parameters against published figures.

Python 3 standard library only. Usage (from anywhere):

    python3 tools/gen_models.py            # write models/*.yaml, print the table, check
    python3 tools/gen_models.py --check    # only print the table and check (writes nothing)
    python3 tools/gen_models.py --markdown # also print the "Built-in suite" table (docs/commands.md)

The counts here are computed independently of the C++ library, from this file's own
shape inference, with the semantics of docs/formats.md:
  conv    N*K*P*Q*(C/groups)*kh*kw MACs, K*(C/groups)*kh*kw (+K bias) params
  linear  rows*in*out MACs, in*out (+out bias) params
  matmul  batch*M*K*N MACs, no params
  lstm    seq*batch*dirs*4*H*(I+H) MACs, dirs*(4H*I + 4H*H (+8H biases)) params
  batchnorm 2*C params, layernorm 2*D params, embedding vocab*dim params
Exit status 1 if a network is more than 1% away from a published figure.
"""
import argparse
import math
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --------------------------------------------------------------------------------------
# A tiny network builder with shape inference, MAC and parameter counts
# --------------------------------------------------------------------------------------
def _pair(v):
    if isinstance(v, (list, tuple)):
        return list(v)
    return [v, v]


def _pads(v):
    if isinstance(v, (list, tuple)):
        if len(v) == 2:
            return [v[0], v[1], v[0], v[1]]
        return list(v)
    return [v, v, v, v]


def _prod(xs):
    p = 1
    for x in xs:
        p *= x
    return p


def _broadcast(a, b):
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + list(a)
    b = [1] * (n - len(b)) + list(b)
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            raise ValueError("cannot broadcast %s and %s" % (a, b))
        out.append(max(x, y))
    return out


UNARY = {"relu", "relu6", "clip", "gelu", "sigmoid", "tanh", "silu", "hardswish",
         "hardsigmoid", "leakyrelu", "elu", "exp", "log", "sqrt", "reciprocal", "neg",
         "abs", "erf", "cast", "identity", "dropout"}
BINARY = {"add", "sub", "mul", "div", "pow", "max", "min"}


class Net:
    def __init__(self, name, domain, description, input_desc, source, paper_suite=False):
        self.name = name
        self.domain = domain
        self.description = description
        self.input_desc = input_desc  # for the README table
        self.source = source          # short source for the README table
        self.paper_suite = paper_suite
        self.inputs = []   # (name, shape)
        self.layers = []   # dict(name, op, in, out, attrs, params_override)
        self.shapes = {}   # tensor name -> shape
        self.prev = None   # default input of the next layer
        self.outputs = None
        self.macs = 0
        self.params = 0
        self.per_op = []   # (name, op, macs, params)

    # -- inputs ------------------------------------------------------------------------
    def input(self, name, shape):
        assert name not in self.shapes, name
        self.inputs.append((name, list(shape)))
        self.shapes[name] = list(shape)
        if self.prev is None:
            self.prev = name
        return name

    # -- layers ------------------------------------------------------------------------
    def layer(self, name, op, inp=None, out=None, params=None, **attrs):
        """Adds a layer; `inp` is a tensor name or a list (default: previous output).
        Returns the (first) output tensor name."""
        assert name not in self.shapes and all(l["name"] != name for l in self.layers), name
        if inp is None:
            inp = [self.prev]
        elif isinstance(inp, str):
            inp = [inp]
        in_shapes = [self.shapes[t] for t in inp]
        out_shapes, macs, own = self._infer(name, op, in_shapes, attrs)
        if params is not None:
            own = params
        if len(out_shapes) == 1:
            outs = [name] if out is None else list(out)
        else:
            outs = list(out) if out is not None else ["%s:%d" % (name, i) for i in range(len(out_shapes))]
        assert len(outs) == len(out_shapes), name
        for t, s in zip(outs, out_shapes):
            assert t not in self.shapes, t
            self.shapes[t] = s
        self.layers.append({"name": name, "op": op, "in": inp, "out": out,
                            "attrs": attrs, "params": params,
                            "default_in": inp == [self.prev]})
        self.prev = outs[0]
        self.macs += macs
        self.params += own
        self.per_op.append((name, op, macs, own))
        return outs[0] if len(outs) == 1 else outs

    def _infer(self, name, op, ins, a):
        """Returns (output shapes, MACs, default params)."""
        x = ins[0]
        if op == "conv":
            n, c, h, w = x
            k = a["out_channels"]
            kh, kw = _pair(a.get("kernel", 1))
            sh, sw = _pair(a.get("stride", 1))
            dh, dw = _pair(a.get("dilation", 1))
            pt, pl, pb, pr = _pads(a.get("pad", 0))
            g = a.get("groups", 1)
            assert c % g == 0 and k % g == 0, name
            p = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
            q = (w + pl + pr - dw * (kw - 1) - 1) // sw + 1
            macs = n * k * p * q * (c // g) * kh * kw
            params = k * (c // g) * kh * kw + (k if a.get("bias", False) else 0)
            return [[n, k, p, q]], macs, params
        if op in ("maxpool", "avgpool"):
            n, c, h, w = x
            kh, kw = _pair(a["kernel"])
            sh, sw = _pair(a.get("stride", a["kernel"]))
            dh, dw = _pair(a.get("dilation", 1))
            pt, pl, pb, pr = _pads(a.get("pad", 0))
            ceil = a.get("ceil_mode", False)

            def size(i, k, s, d, p0, p1):
                span = i + p0 + p1 - d * (k - 1) - 1
                o = (-(-span // s) if ceil else span // s) + 1
                if ceil and (o - 1) * s >= i + p0:  # last window must start inside
                    o -= 1
                return o
            return [[n, c, size(h, kh, sh, dh, pt, pb), size(w, kw, sw, dw, pl, pr)]], 0, 0
        if op in ("global_avgpool", "global_maxpool"):
            return [[x[0], x[1], 1, 1]], 0, 0
        if op == "linear":
            i, o = x[-1], a["out_features"]
            rows = _prod(x[:-1])
            return [x[:-1] + [o]], rows * i * o, i * o + (o if a.get("bias", False) else 0)
        if op == "matmul":
            b = ins[1]
            assert len(x) >= 2 and len(b) >= 2 and x[-1] == b[-2], (name, x, b)
            lead = _broadcast(x[:-2], b[:-2])
            m, kk, nn = x[-2], x[-1], b[-1]
            return [lead + [m, nn]], _prod(lead) * m * kk * nn, 0
        if op in ("lstm", "gru"):
            seq, batch, feat = x
            hdn, dirs = a["hidden"], a.get("directions", 1)
            gates = 4 if op == "lstm" else 3
            macs = seq * batch * dirs * gates * hdn * (feat + hdn)
            nb = 2 * gates * hdn if a.get("bias", False) else 0
            params = dirs * (gates * hdn * feat + gates * hdn * hdn + nb)
            return [[seq, batch, dirs * hdn]], macs, params
        if op in UNARY or op in ("softmax",):
            return [list(x)], 0, 0
        if op in BINARY:
            s = list(x)
            for o in ins[1:]:
                s = _broadcast(s, o)
            return [s], 0, 0
        if op == "batchnorm":
            return [list(x)], 0, 2 * x[1]
        if op == "layernorm":
            return [list(x)], 0, 2 * x[-1]
        if op == "concat":
            ax = a.get("axis", 0)
            ax = ax % len(x)
            s = list(x)
            s[ax] = sum(t[ax] for t in ins)
            for t in ins:
                assert all(t[i] == x[i] for i in range(len(x)) if i != ax), (name, ins)
            return [s], 0, 0
        if op == "split":
            ax = a.get("axis", 0) % len(x)
            sizes = a.get("dims") or [x[ax] // 2, x[ax] // 2]
            assert sum(sizes) == x[ax], name
            outs = []
            for sz in sizes:
                s = list(x)
                s[ax] = sz
                outs.append(s)
            return outs, 0, 0
        if op == "reshape":
            d = list(a["dims"])
            s = [x[i] if v == 0 else v for i, v in enumerate(d)]
            if -1 in s:
                known = _prod(v for v in s if v != -1)
                s[s.index(-1)] = _prod(x) // known
            assert _prod(s) == _prod(x), (name, x, s)
            return [s], 0, 0
        if op == "flatten":
            ax = a.get("axis", 1)
            return [[_prod(x[:ax]), _prod(x[ax:])]], 0, 0
        if op == "transpose":
            return [[x[p] for p in a["dims"]]], 0, 0
        if op in ("slice", "gather", "expand"):
            return [list(a["dims"])], 0, 0
        if op == "upsample":
            sh, sw = _pair(a["stride"])
            return [[x[0], x[1], x[2] * sh, x[3] * sw]], 0, 0
        if op == "embedding":
            return [list(x) + [a["embed_dim"]]], 0, a["vocab"] * a["embed_dim"]
        raise ValueError("unknown op " + op)

    def shape(self, t):
        return self.shapes[t]

    # -- YAML --------------------------------------------------------------------------
    def to_yaml(self):
        lines = ["# Generated by tools/gen_models.py -- edit that script, not this file.",
                 "# Computed here: %s MACs, %s parameters." % (f"{self.macs:,}", f"{self.params:,}"),
                 "name: " + _scalar(self.name),
                 "domain: " + self.domain,
                 "description: " + _quote(self.description),
                 "inputs:"]
        if self.paper_suite:
            lines.insert(-1, "paper_suite: true")
        for n, s in self.inputs:
            lines.append("  - {name: %s, shape: %s}" % (_scalar(n), _list(s)))
        lines.append("layers:")
        for l in self.layers:
            items = [("name", _scalar(l["name"])), ("op", l["op"])]
            if not l["default_in"]:
                ins = l["in"]
                items.append(("in", _scalar(ins[0]) if len(ins) == 1 else _list(ins)))
            if l["out"] is not None:
                items.append(("out", _list(l["out"])))
            for k, v in l["attrs"].items():
                items.append((k, _value(v)))
            if l["params"] is not None:
                items.append(("params", str(l["params"])))
            lines.append("  - {" + ", ".join("%s: %s" % kv for kv in items) + "}")
        if self.outputs:
            lines.append("outputs: " + _list(self.outputs))
        return "\n".join(lines) + "\n"


def _scalar(s):
    s = str(s)
    if all(ch.isalnum() or ch in "_-." for ch in s) and not s[0].isdigit() and s.lower() not in (
            "true", "false", "null", "yes", "no", "on", "off", "~"):
        return s
    return _quote(s)


def _quote(s):
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return _list(v)
    if isinstance(v, int):
        return str(v)
    return _scalar(v)


def _list(xs):
    return "[" + ", ".join(_value(x) if not isinstance(x, str) else _scalar(x) for x in xs) + "]"


# --------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------
def conv_bn(net, name, inp, out, k, s=1, p=0, groups=1, act="relu"):
    """conv (no bias) + batchnorm (+ activation); returns the last tensor."""
    attrs = {"out_channels": out, "kernel": k}
    if s != 1:
        attrs["stride"] = s
    if p != 0:
        attrs["pad"] = p
    if groups != 1:
        attrs["groups"] = groups
    attrs["bias"] = False
    net.layer(name, "conv", inp, **attrs)
    t = net.layer(name + "_bn", "batchnorm")
    if act:
        t = net.layer(name + "_" + act, act)
    return t


# --------------------------------------------------------------------------------------
# Vision
# --------------------------------------------------------------------------------------
def alexnet():
    net = Net("alexnet", "vision",
              "AlexNet, torchvision variant (Krizhevsky 2014 'One weird trick', "
              "64/192/384/256/256 channels), 224x224; source: torchvision.models.alexnet",
              "1x3x224x224", "torchvision (Krizhevsky 2014)", paper_suite=True)
    net.input("image", [1, 3, 224, 224])
    cfg = [("conv1", 64, 11, 4, 2, True), ("conv2", 192, 5, 1, 2, True),
           ("conv3", 384, 3, 1, 1, False), ("conv4", 256, 3, 1, 1, False),
           ("conv5", 256, 3, 1, 1, True)]
    for name, c, k, s, p, pool in cfg:
        net.layer(name, "conv", out_channels=c, kernel=k, stride=s, pad=p, bias=True)
        net.layer(name + "_relu", "relu")
        if pool:
            net.layer("pool" + name[-1], "maxpool", kernel=3, stride=2)
    # AdaptiveAvgPool2d((6, 6)) is the identity on the 6x6 map of a 224x224 input.
    net.layer("flatten", "flatten", axis=1)
    net.layer("fc6", "linear", out_features=4096, bias=True)
    net.layer("fc6_relu", "relu")
    net.layer("fc7", "linear", out_features=4096, bias=True)
    net.layer("fc7_relu", "relu")
    net.layer("fc8", "linear", out_features=1000, bias=True)
    return net


def vgg16():
    net = Net("vgg16", "vision",
              "VGG-16 (configuration D, no batchnorm; Simonyan & Zisserman 2015), 224x224; "
              "source: torchvision.models.vgg16", "1x3x224x224",
              "torchvision (Simonyan & Zisserman 2015)", paper_suite=True)
    net.input("image", [1, 3, 224, 224])
    stages = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
    for si, st in enumerate(stages, 1):
        for ci, c in enumerate(st, 1):
            n = "conv%d_%d" % (si, ci)
            net.layer(n, "conv", out_channels=c, kernel=3, pad=1, bias=True)
            net.layer(n + "_relu", "relu")
        net.layer("pool%d" % si, "maxpool", kernel=2, stride=2)
    # AdaptiveAvgPool2d((7, 7)) is the identity on the 7x7 map of a 224x224 input.
    net.layer("flatten", "flatten", axis=1)
    net.layer("fc6", "linear", out_features=4096, bias=True)
    net.layer("fc6_relu", "relu")
    net.layer("fc7", "linear", out_features=4096, bias=True)
    net.layer("fc7_relu", "relu")
    net.layer("fc8", "linear", out_features=1000, bias=True)
    return net


def googlenet():
    net = Net("googlenet", "vision",
              "GoogLeNet / Inception-v1 (Szegedy et al. 2015) as torchvision.models.googlenet: "
              "BasicConv2d = conv (no bias) + batchnorm + relu, the 3x3 'ch5x5' branch of "
              "torchvision, aux classifiers excluded, 224x224", "1x3x224x224",
              "torchvision (Szegedy et al. 2015)",
              paper_suite=True)
    net.input("image", [1, 3, 224, 224])
    conv_bn(net, "conv1", "image", 64, 7, 2, 3)
    net.layer("maxpool1", "maxpool", kernel=3, stride=2, ceil_mode=True)
    conv_bn(net, "conv2", None, 64, 1)
    conv_bn(net, "conv3", None, 192, 3, 1, 1)
    x = net.layer("maxpool2", "maxpool", kernel=3, stride=2, ceil_mode=True)

    def inception(n, x, c1, c3r, c3, c5r, c5, pp):
        b1 = conv_bn(net, n + "_b1", x, c1, 1)
        conv_bn(net, n + "_b2a", x, c3r, 1)
        b2 = conv_bn(net, n + "_b2b", None, c3, 3, 1, 1)
        conv_bn(net, n + "_b3a", x, c5r, 1)
        b3 = conv_bn(net, n + "_b3b", None, c5, 3, 1, 1)  # torchvision: 3x3 (kept for weights)
        net.layer(n + "_b4pool", "maxpool", x, kernel=3, stride=1, pad=1, ceil_mode=True)
        b4 = conv_bn(net, n + "_b4", None, pp, 1)
        return net.layer(n, "concat", [b1, b2, b3, b4], axis=1)

    x = inception("inception3a", x, 64, 96, 128, 16, 32, 32)
    x = inception("inception3b", x, 128, 128, 192, 32, 96, 64)
    x = net.layer("maxpool3", "maxpool", x, kernel=3, stride=2, ceil_mode=True)
    x = inception("inception4a", x, 192, 96, 208, 16, 48, 64)
    x = inception("inception4b", x, 160, 112, 224, 24, 64, 64)
    x = inception("inception4c", x, 128, 128, 256, 24, 64, 64)
    x = inception("inception4d", x, 112, 144, 288, 32, 64, 64)
    x = inception("inception4e", x, 256, 160, 320, 32, 128, 128)
    x = net.layer("maxpool4", "maxpool", x, kernel=2, stride=2, ceil_mode=True)
    x = inception("inception5a", x, 256, 160, 320, 32, 128, 128)
    x = inception("inception5b", x, 384, 192, 384, 48, 128, 128)
    net.layer("avgpool", "global_avgpool", x)
    net.layer("flatten", "flatten", axis=1)
    net.layer("fc", "linear", out_features=1000, bias=True)
    return net


def inception_v3():
    net = Net("inception_v3", "vision",
              "Inception-v3 (Szegedy et al. 2016) as torchvision.models.inception_v3, 299x299, "
              "aux classifier excluded (torchvision's 27,161,264 parameters include the "
              "3,326,696 of the aux head)", "1x3x299x299",
              "torchvision (Szegedy et al. 2016)")
    net.input("image", [1, 3, 299, 299])
    cb = lambda n, x, c, k, s=1, p=0: conv_bn(net, n, x, c, k, s, p)
    cb("Conv2d_1a_3x3", "image", 32, 3, 2)
    cb("Conv2d_2a_3x3", None, 32, 3)
    cb("Conv2d_2b_3x3", None, 64, 3, 1, 1)
    net.layer("maxpool1", "maxpool", kernel=3, stride=2)
    cb("Conv2d_3b_1x1", None, 80, 1)
    cb("Conv2d_4a_3x3", None, 192, 3)
    x = net.layer("maxpool2", "maxpool", kernel=3, stride=2)

    def block_a(n, x, pool_features):
        b1 = cb(n + "_b1x1", x, 64, 1)
        cb(n + "_b5x5_1", x, 48, 1)
        b5 = cb(n + "_b5x5_2", None, 64, 5, 1, 2)
        cb(n + "_b3x3dbl_1", x, 64, 1)
        cb(n + "_b3x3dbl_2", None, 96, 3, 1, 1)
        b3 = cb(n + "_b3x3dbl_3", None, 96, 3, 1, 1)
        net.layer(n + "_pool", "avgpool", x, kernel=3, stride=1, pad=1)
        bp = cb(n + "_bpool", None, pool_features, 1)
        return net.layer(n, "concat", [b1, b5, b3, bp], axis=1)

    def block_b(n, x):
        b3 = cb(n + "_b3x3", x, 384, 3, 2)
        cb(n + "_b3x3dbl_1", x, 64, 1)
        cb(n + "_b3x3dbl_2", None, 96, 3, 1, 1)
        bd = cb(n + "_b3x3dbl_3", None, 96, 3, 2)
        bp = net.layer(n + "_pool", "maxpool", x, kernel=3, stride=2)
        return net.layer(n, "concat", [b3, bd, bp], axis=1)

    def block_c(n, x, c7):
        b1 = cb(n + "_b1x1", x, 192, 1)
        cb(n + "_b7x7_1", x, c7, 1)
        cb(n + "_b7x7_2", None, c7, [1, 7], 1, [0, 3])
        b7 = cb(n + "_b7x7_3", None, 192, [7, 1], 1, [3, 0])
        cb(n + "_b7x7dbl_1", x, c7, 1)
        cb(n + "_b7x7dbl_2", None, c7, [7, 1], 1, [3, 0])
        cb(n + "_b7x7dbl_3", None, c7, [1, 7], 1, [0, 3])
        cb(n + "_b7x7dbl_4", None, c7, [7, 1], 1, [3, 0])
        bd = cb(n + "_b7x7dbl_5", None, 192, [1, 7], 1, [0, 3])
        net.layer(n + "_pool", "avgpool", x, kernel=3, stride=1, pad=1)
        bp = cb(n + "_bpool", None, 192, 1)
        return net.layer(n, "concat", [b1, b7, bd, bp], axis=1)

    def block_d(n, x):
        cb(n + "_b3x3_1", x, 192, 1)
        b3 = cb(n + "_b3x3_2", None, 320, 3, 2)
        cb(n + "_b7x7x3_1", x, 192, 1)
        cb(n + "_b7x7x3_2", None, 192, [1, 7], 1, [0, 3])
        cb(n + "_b7x7x3_3", None, 192, [7, 1], 1, [3, 0])
        b7 = cb(n + "_b7x7x3_4", None, 192, 3, 2)
        bp = net.layer(n + "_pool", "maxpool", x, kernel=3, stride=2)
        return net.layer(n, "concat", [b3, b7, bp], axis=1)

    def block_e(n, x):
        b1 = cb(n + "_b1x1", x, 320, 1)
        t = cb(n + "_b3x3_1", x, 384, 1)
        a = cb(n + "_b3x3_2a", t, 384, [1, 3], 1, [0, 1])
        b = cb(n + "_b3x3_2b", t, 384, [3, 1], 1, [1, 0])
        b3 = net.layer(n + "_b3x3", "concat", [a, b], axis=1)
        cb(n + "_b3x3dbl_1", x, 448, 1)
        t = cb(n + "_b3x3dbl_2", None, 384, 3, 1, 1)
        a = cb(n + "_b3x3dbl_3a", t, 384, [1, 3], 1, [0, 1])
        b = cb(n + "_b3x3dbl_3b", t, 384, [3, 1], 1, [1, 0])
        bd = net.layer(n + "_b3x3dbl", "concat", [a, b], axis=1)
        net.layer(n + "_pool", "avgpool", x, kernel=3, stride=1, pad=1)
        bp = cb(n + "_bpool", None, 192, 1)
        return net.layer(n, "concat", [b1, b3, bd, bp], axis=1)

    x = block_a("Mixed_5b", x, 32)
    x = block_a("Mixed_5c", x, 64)
    x = block_a("Mixed_5d", x, 64)
    x = block_b("Mixed_6a", x)
    x = block_c("Mixed_6b", x, 128)
    x = block_c("Mixed_6c", x, 160)
    x = block_c("Mixed_6d", x, 160)
    x = block_c("Mixed_6e", x, 192)
    x = block_d("Mixed_7a", x)
    x = block_e("Mixed_7b", x)
    x = block_e("Mixed_7c", x)
    net.layer("avgpool", "global_avgpool", x)
    net.layer("flatten", "flatten", axis=1)
    net.layer("fc", "linear", out_features=1000, bias=True)
    return net


def resnet50():
    net = Net("resnet50", "vision",
              "ResNet-50 v1.5 (He et al. 2016; stride in the 3x3 conv) as "
              "torchvision.models.resnet50, 224x224", "1x3x224x224",
              "torchvision (He et al. 2016)",
              paper_suite=True)
    net.input("image", [1, 3, 224, 224])
    conv_bn(net, "conv1", "image", 64, 7, 2, 3)
    x = net.layer("maxpool", "maxpool", kernel=3, stride=2, pad=1)
    for li, (planes, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2),
                                                   (512, 3, 2)], 1):
        for b in range(blocks):
            s = stride if b == 0 else 1
            n = "layer%d_%d" % (li, b)
            conv_bn(net, n + "_conv1", x, planes, 1)
            conv_bn(net, n + "_conv2", None, planes, 3, s, 1)
            y = conv_bn(net, n + "_conv3", None, planes * 4, 1, act=None)
            if b == 0:
                sc = conv_bn(net, n + "_down", x, planes * 4, 1, s, act=None)
            else:
                sc = x
            net.layer(n + "_add", "add", [y, sc])
            x = net.layer(n + "_relu", "relu")
    net.layer("avgpool", "global_avgpool", x)
    net.layer("flatten", "flatten", axis=1)
    net.layer("fc", "linear", out_features=1000, bias=True)
    return net


def mobilenet_v1():
    net = Net("mobilenet_v1", "vision",
              "MobileNet-v1 1.0 224 (Howard et al. 2017), layers as the official TF-Slim "
              "mobilenet_v1 (conv + batchnorm + relu6, 1001 classes incl. background, "
              "classifier as a 1x1 conv with bias)", "1x3x224x224",
              "TF-Slim (Howard et al. 2017)")
    net.input("image", [1, 3, 224, 224])
    conv_bn(net, "conv0", "image", 32, 3, 2, 1, act="relu6")
    cfg = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]
    c = 32
    for i, (out, s) in enumerate(cfg, 1):
        # TF 'SAME' padding of a stride-2 3x3 conv on an even size pads (0,1); the MACs
        # and parameters are those of a symmetric pad 1.
        conv_bn(net, "conv%d_dw" % i, None, c, 3, s, 1, groups=c, act="relu6")
        conv_bn(net, "conv%d_pw" % i, None, out, 1, act="relu6")
        c = out
    net.layer("avgpool", "global_avgpool")
    net.layer("logits", "conv", out_channels=1001, kernel=1, bias=True)
    net.layer("flatten", "flatten", axis=1)
    net.layer("softmax", "softmax", axis=-1)
    return net


def mobilenet_v2():
    net = Net("mobilenet_v2", "vision",
              "MobileNet-v2 width 1.0 (Sandler et al. 2018) as torchvision.models.mobilenet_v2, "
              "224x224", "1x3x224x224", "torchvision (Sandler et al. 2018)", paper_suite=True)
    net.input("image", [1, 3, 224, 224])
    x = conv_bn(net, "conv0", "image", 32, 3, 2, 1, act="relu6")
    cin = 32
    settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1)]
    bi = 0
    for t, c, n, s in settings:
        for i in range(n):
            bi += 1
            stride = s if i == 0 else 1
            name = "block%d" % bi
            hidden = cin * t
            y = x
            if t != 1:
                y = conv_bn(net, name + "_expand", y, hidden, 1, act="relu6")
            conv_bn(net, name + "_dw", y, hidden, 3, stride, 1, groups=hidden, act="relu6")
            y = conv_bn(net, name + "_project", None, c, 1, act=None)
            if stride == 1 and cin == c:
                y = net.layer(name + "_add", "add", [x, y])
            x = y
            cin = c
    conv_bn(net, "conv_last", x, 1280, 1, act="relu6")
    net.layer("avgpool", "global_avgpool")
    net.layer("flatten", "flatten", axis=1)
    net.layer("fc", "linear", out_features=1000, bias=True)
    return net


def densenet121():
    net = Net("densenet121", "vision",
              "DenseNet-121 (Huang et al. 2017; growth 32, bn_size 4, blocks 6/12/24/16) as "
              "torchvision.models.densenet121, 224x224; each dense layer's concatenation is "
              "one concat of the running feature map and the 32 new channels",
              "1x3x224x224", "torchvision (Huang et al. 2017)")
    net.input("image", [1, 3, 224, 224])
    conv_bn(net, "conv0", "image", 64, 7, 2, 3)
    x = net.layer("pool0", "maxpool", kernel=3, stride=2, pad=1)
    c = 64
    for bi, nl in enumerate([6, 12, 24, 16], 1):
        for li in range(1, nl + 1):
            n = "block%d_layer%d" % (bi, li)
            net.layer(n + "_norm1", "batchnorm", x)
            net.layer(n + "_relu1", "relu")
            net.layer(n + "_conv1", "conv", out_channels=128, kernel=1, bias=False)
            net.layer(n + "_norm2", "batchnorm")
            net.layer(n + "_relu2", "relu")
            new = net.layer(n + "_conv2", "conv", out_channels=32, kernel=3, pad=1, bias=False)
            x = net.layer(n + "_concat", "concat", [x, new], axis=1)
            c += 32
        if bi < 4:
            n = "transition%d" % bi
            net.layer(n + "_norm", "batchnorm", x)
            net.layer(n + "_relu", "relu")
            net.layer(n + "_conv", "conv", out_channels=c // 2, kernel=1, bias=False)
            x = net.layer(n + "_pool", "avgpool", kernel=2, stride=2)
            c //= 2
    net.layer("norm5", "batchnorm", x)
    net.layer("relu5", "relu")
    net.layer("avgpool", "global_avgpool")
    net.layer("flatten", "flatten", axis=1)
    net.layer("classifier", "linear", out_features=1000, bias=True)
    return net


# --------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------
def yolov3():
    net = Net("yolov3", "detection",
              "YOLOv3 (Redmon & Farhadi 2018) at 416x416, layers as darknet yolov3.cfg: "
              "Darknet-53 backbone (conv + batchnorm + leaky relu, residual adds) and three "
              "detection heads at 13x13, 26x26 and 52x52 (nearest 2x upsample + concat), "
              "80 COCO classes, 3 anchors per scale (255 output channels)",
              "1x3x416x416", "darknet yolov3.cfg (Redmon & Farhadi 2018)", paper_suite=True)
    net.input("image", [1, 3, 416, 416])

    def dbl(n, x, c, k, s=1):
        return conv_bn(net, n, x, c, k, s, k // 2, act="leakyrelu")

    x = dbl("conv0", "image", 32, 3)

    def down_and_res(x, c, nblocks, stage):
        x = dbl("stage%d_down" % stage, x, c, 3, 2)
        for b in range(nblocks):
            n = "stage%d_res%d" % (stage, b)
            dbl(n + "_a", x, c // 2, 1)
            y = dbl(n + "_b", None, c, 3)
            x = net.layer(n + "_add", "add", [x, y])
        return x

    x = down_and_res(x, 64, 1, 1)
    x = down_and_res(x, 128, 2, 2)
    route36 = down_and_res(x, 256, 8, 3)      # 52x52x256
    route61 = down_and_res(route36, 512, 8, 4)  # 26x26x512
    x = down_and_res(route61, 1024, 4, 5)    # 13x13x1024

    def head(n, x, c):
        # five alternating 1x1 / 3x3 convs; the fifth feeds the next scale's branch
        x = dbl(n + "_conv1", x, c, 1)
        x = dbl(n + "_conv2", x, 2 * c, 3)
        x = dbl(n + "_conv3", x, c, 1)
        x = dbl(n + "_conv4", x, 2 * c, 3)
        branch = dbl(n + "_conv5", x, c, 1)
        dbl(n + "_conv6", branch, 2 * c, 3)
        out = net.layer(n + "_out", "conv", out_channels=255, kernel=1, bias=True)
        return branch, out

    b1, out1 = head("head13", x, 512)
    dbl("route13_conv", b1, 256, 1)
    up = net.layer("route13_up", "upsample", stride=2)
    x = net.layer("route26_concat", "concat", [up, route61], axis=1)
    b2, out2 = head("head26", x, 256)
    dbl("route26_conv", b2, 128, 1)
    up = net.layer("route26_up", "upsample", stride=2)
    x = net.layer("route52_concat", "concat", [up, route36], axis=1)
    b3, out3 = head("head52", x, 128)
    net.outputs = [out1, out2, out3]
    return net


# --------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------
D, HEADS, DH, FF = 768, 12, 64, 3072


def _attention_prefill(net, p, x, seq, causal_mask=None, fused_qkv=False):
    """Multi-head self-attention over `seq` tokens; returns the output projection."""
    if fused_qkv:
        net.layer(p + "_qkv", "linear", x, out_features=3 * D, bias=True)
        q, k, v = net.layer(p + "_split", "split", axis=-1, dims=[D, D, D],
                            out=[p + "_q", p + "_k", p + "_v"])
    else:
        q = net.layer(p + "_q", "linear", x, out_features=D, bias=True)
        k = net.layer(p + "_k", "linear", x, out_features=D, bias=True)
        v = net.layer(p + "_v", "linear", x, out_features=D, bias=True)
    net.layer(p + "_q_heads", "reshape", q, dims=[0, seq, HEADS, DH])
    qh = net.layer(p + "_q_t", "transpose", dims=[0, 2, 1, 3])       # [1,12,seq,64]
    net.layer(p + "_k_heads", "reshape", k, dims=[0, seq, HEADS, DH])
    kt = net.layer(p + "_k_t", "transpose", dims=[0, 2, 3, 1])       # [1,12,64,seq]
    net.layer(p + "_v_heads", "reshape", v, dims=[0, seq, HEADS, DH])
    vh = net.layer(p + "_v_t", "transpose", dims=[0, 2, 1, 3])       # [1,12,seq,64]
    net.layer(p + "_scores", "matmul", [qh, kt])                      # [1,12,seq,seq]
    s = net.layer(p + "_scale", "mul")                                # * 1/sqrt(64)
    if causal_mask is not None:
        s = net.layer(p + "_mask", "add", [s, causal_mask])
    net.layer(p + "_softmax", "softmax", s, axis=-1)
    net.layer(p + "_context", "matmul", [p + "_softmax", vh])        # [1,12,seq,64]
    net.layer(p + "_context_t", "transpose", dims=[0, 2, 1, 3])
    net.layer(p + "_context_merge", "reshape", dims=[0, seq, D])
    return net.layer(p + "_out", "linear", out_features=D, bias=True)


def bert_base():
    seq = 128
    net = Net("bert_base", "language",
              "BERT-base encoder (Devlin et al. 2019; L=12, H=768, A=12, uncased vocabulary "
              "30522), sequence 128, batch 1: token + position + segment embeddings, 12 "
              "post-LN layers (separate Q/K/V linears, 12 heads of 64, scaled dot-product "
              "softmax attention, FFN 3072 with gelu) and the pooler on the [CLS] token; "
              "layers as Hugging Face BertModel", "1x128 tokens",
              "Hugging Face BertModel (Devlin et al. 2019)",
              paper_suite=True)
    net.input("input_ids", [1, seq])
    net.input("segment_ids", [1, seq])
    net.input("position_ids", [1, seq])
    tok = net.layer("tok_emb", "embedding", "input_ids", vocab=30522, embed_dim=D)
    pos = net.layer("pos_emb", "embedding", "position_ids", vocab=512, embed_dim=D)
    seg = net.layer("seg_emb", "embedding", "segment_ids", vocab=2, embed_dim=D)
    net.layer("emb_add1", "add", [tok, pos])
    net.layer("emb_add2", "add", ["emb_add1", seg])
    x = net.layer("emb_ln", "layernorm", axis=-1)
    for i in range(12):
        p = "l%d" % i
        a = _attention_prefill(net, p + "_attn", x, seq)
        net.layer(p + "_attn_res", "add", [a, x])
        x = net.layer(p + "_ln1", "layernorm", axis=-1)
        net.layer(p + "_ffn1", "linear", x, out_features=FF, bias=True)
        net.layer(p + "_gelu", "gelu")
        f = net.layer(p + "_ffn2", "linear", out_features=D, bias=True)
        net.layer(p + "_ffn_res", "add", [f, x])
        x = net.layer(p + "_ln2", "layernorm", axis=-1)
    net.layer("cls", "slice", x, dims=[1, 1, D])
    net.layer("cls_flat", "reshape", dims=[0, D])
    net.layer("pooler", "linear", out_features=D, bias=True)
    net.layer("pooler_tanh", "tanh")
    net.outputs = [x, "pooler_tanh"]
    return net


GPT2_VOCAB, GPT2_CTX = 50257, 1024


def _gpt2_mlp(net, p, x):
    net.layer(p + "_ln2", "layernorm", x, axis=-1)
    net.layer(p + "_fc", "linear", out_features=FF, bias=True)
    net.layer(p + "_gelu", "gelu")
    f = net.layer(p + "_proj", "linear", out_features=D, bias=True)
    return net.layer(p + "_mlp_res", "add", [f, x])


def gpt2_small_prefill():
    seq = 128
    net = Net("gpt2_small_prefill", "language",
              "GPT-2 small (Radford et al. 2019; 12 layers, d=768, 12 heads, vocabulary 50257, "
              "1024 positions) prefill of 128 tokens, batch 1: token + position embeddings, 12 "
              "pre-LN decoder layers with causal self-attention (fused QKV linear, additive "
              "causal mask), final layernorm and LM head; the LM head is tied to the token "
              "embedding, so its 768x50257 weights are counted once (LM head params: 0); "
              "layers as Hugging Face GPT2LMHeadModel", "1x128 tokens",
              "Hugging Face GPT2LMHeadModel (Radford et al. 2019)")
    net.input("input_ids", [1, seq])
    net.input("position_ids", [1, seq])
    net.input("causal_mask", [1, 1, seq, seq])
    tok = net.layer("wte", "embedding", "input_ids", vocab=GPT2_VOCAB, embed_dim=D)
    pos = net.layer("wpe", "embedding", "position_ids", vocab=GPT2_CTX, embed_dim=D)
    x = net.layer("emb_add", "add", [tok, pos])
    for i in range(12):
        p = "h%d" % i
        net.layer(p + "_ln1", "layernorm", x, axis=-1)
        a = _attention_prefill(net, p + "_attn", p + "_ln1", seq, causal_mask="causal_mask",
                               fused_qkv=True)
        x = net.layer(p + "_attn_res", "add", [a, x])
        x = _gpt2_mlp(net, p, x)
    net.layer("ln_f", "layernorm", x, axis=-1)
    net.layer("lm_head", "linear", out_features=GPT2_VOCAB, bias=False, params=0)
    return net


def gpt2_small_decode():
    past = 128
    net = Net("gpt2_small_decode", "language",
              "GPT-2 small (Radford et al. 2019) decoding one token with a KV cache of 128 "
              "positions, batch 1: the graph inputs include each layer's past keys and values "
              "[1,12,128,64]; the new key/value is concatenated to 129 positions and attention "
              "is [1,12,1,64]x[1,12,64,129]; outputs are the logits and the 129-position "
              "caches; LM head tied to the token embedding (params: 0)",
              "1 token + 128 cached",
              "Hugging Face GPT2LMHeadModel (Radford et al. 2019)")
    net.input("input_ids", [1, 1])
    net.input("position_ids", [1, 1])
    for i in range(12):
        net.input("past_key_%d" % i, [1, HEADS, past, DH])
        net.input("past_value_%d" % i, [1, HEADS, past, DH])
    tok = net.layer("wte", "embedding", "input_ids", vocab=GPT2_VOCAB, embed_dim=D)
    pos = net.layer("wpe", "embedding", "position_ids", vocab=GPT2_CTX, embed_dim=D)
    x = net.layer("emb_add", "add", [tok, pos])
    outputs = []
    for i in range(12):
        p = "h%d" % i
        a = p + "_attn"
        net.layer(p + "_ln1", "layernorm", x, axis=-1)
        net.layer(a + "_qkv", "linear", out_features=3 * D, bias=True)
        q, k, v = net.layer(a + "_split", "split", axis=-1, dims=[D, D, D],
                            out=[a + "_q", a + "_k", a + "_v"])
        net.layer(a + "_q_heads", "reshape", q, dims=[0, 1, HEADS, DH])
        qh = net.layer(a + "_q_t", "transpose", dims=[0, 2, 1, 3])            # [1,12,1,64]
        net.layer(a + "_k_heads", "reshape", k, dims=[0, 1, HEADS, DH])
        net.layer(a + "_k_t", "transpose", dims=[0, 2, 1, 3])                 # [1,12,1,64]
        kc = net.layer("present_key_%d" % i, "concat", ["past_key_%d" % i, a + "_k_t"], axis=2)
        kt = net.layer(a + "_k_cache_t", "transpose", kc, dims=[0, 1, 3, 2])  # [1,12,64,129]
        net.layer(a + "_v_heads", "reshape", v, dims=[0, 1, HEADS, DH])
        net.layer(a + "_v_t", "transpose", dims=[0, 2, 1, 3])
        vc = net.layer("present_value_%d" % i, "concat", ["past_value_%d" % i, a + "_v_t"],
                       axis=2)                                               # [1,12,129,64]
        net.layer(a + "_scores", "matmul", [qh, kt])                          # [1,12,1,129]
        net.layer(a + "_scale", "mul")
        net.layer(a + "_softmax", "softmax", axis=-1)
        net.layer(a + "_context", "matmul", [a + "_softmax", vc])             # [1,12,1,64]
        net.layer(a + "_context_t", "transpose", dims=[0, 2, 1, 3])
        net.layer(a + "_context_merge", "reshape", dims=[0, 1, D])
        o = net.layer(a + "_out", "linear", out_features=D, bias=True)
        x = net.layer(p + "_attn_res", "add", [o, x])
        x = _gpt2_mlp(net, p, x)
        outputs += [kc, vc]
    net.layer("ln_f", "layernorm", x, axis=-1)
    net.layer("lm_head", "linear", out_features=GPT2_VOCAB, bias=False, params=0)
    net.outputs = ["lm_head"] + outputs
    return net


# --------------------------------------------------------------------------------------
# Speech
# --------------------------------------------------------------------------------------
def deepspeech2():
    frames = 101  # 1 s of 16 kHz audio, 20 ms windows every 10 ms (centered STFT)
    freq = 161    # 320-point FFT -> 161 bins
    hidden = 1024
    net = Net("deepspeech2", "speech",
              "DeepSpeech2 (Amodei et al. 2016) in the configuration of deepspeech.pytorch: "
              "input 1 s of 16 kHz audio as a 161x101 spectrogram (20 ms windows, 10 ms hop), "
              "2 conv layers (32 ch, 41x11 s2x2 and 21x11 s2x1, batchnorm, hardtanh 0..20), "
              "5 bidirectional LSTM layers of 1024 with the two directions summed and "
              "sequence-wise batchnorm between layers, then batchnorm + linear to 29 "
              "characters and softmax", "1 s audio (161x101)",
              "deepspeech.pytorch (Amodei et al. 2016)",
              paper_suite=True)
    net.input("spectrogram", [1, 1, freq, frames])
    net.layer("conv1", "conv", out_channels=32, kernel=[41, 11], stride=[2, 2], pad=[20, 5],
              bias=True)
    net.layer("conv1_bn", "batchnorm")
    net.layer("conv1_hardtanh", "clip")
    net.layer("conv2", "conv", out_channels=32, kernel=[21, 11], stride=[2, 1], pad=[10, 5],
              bias=True)
    net.layer("conv2_bn", "batchnorm")
    x = net.layer("conv2_hardtanh", "clip")
    n, c, h, t = net.shape(x)
    net.layer("to_seq", "reshape", dims=[0, c * h, t])
    x = net.layer("to_tnf", "transpose", dims=[2, 0, 1])  # [T, N, 1312]
    for i in range(1, 6):
        p = "rnn%d" % i
        if i > 1:
            net.layer(p + "_bn_in", "reshape", x, dims=[-1, hidden])
            net.layer(p + "_bn", "batchnorm")
            x = net.layer(p + "_bn_out", "reshape", dims=[t, -1, hidden])
        net.layer(p, "lstm", x, hidden=hidden, directions=2, bias=True)
        fw, bw = net.layer(p + "_dirs", "split", axis=-1, out=[p + "_fw", p + "_bw"])
        x = net.layer(p + "_sum", "add", [fw, bw])
    net.layer("fc_in", "reshape", x, dims=[-1, hidden])
    net.layer("fc_bn", "batchnorm")
    net.layer("fc", "linear", out_features=29, bias=False)
    net.layer("softmax", "softmax", axis=-1)
    return net


# --------------------------------------------------------------------------------------
# Published figures: (MACs, params, source); None where nothing is published.
# --------------------------------------------------------------------------------------
TV = "https://pytorch.org/vision/stable/models/generated/torchvision.models.%s.html"
# torchvision's model pages list num_params and "GFLOPS" (which torchvision computes as
# multiply-accumulates); the pages round to 2 decimals the `_ops` value of the weights'
# meta data in torchvision/models/*.py, whose 3-decimal value is used here.
PUBLISHED = {
    "alexnet": (0.714e9, 61_100_840, TV % "alexnet" + " -- AlexNet_Weights.IMAGENET1K_V1: "
                "num_params 61100840, GFLOPS 0.71 (_ops 0.714)"),
    "vgg16": (15.470e9, 138_357_544, TV % "vgg16" + " -- VGG16_Weights.IMAGENET1K_V1: "
              "num_params 138357544, GFLOPS 15.47 (_ops 15.47)"),
    "googlenet": (1.498e9, 6_624_904, TV % "googlenet" + " -- GoogLeNet_Weights.IMAGENET1K_V1: "
                  "num_params 6624904, GFLOPS 1.50 (_ops 1.498)"),
    "inception_v3": (5.713e9, 27_161_264 - 3_326_696,
                     TV % "inception_v3" + " -- Inception_V3_Weights.IMAGENET1K_V1: num_params "
                     "27161264 including the aux head, whose 98,560 + 2,459,136 + 769,000 = "
                     "3,326,696 are excluded here -> 23,834,568; GFLOPS 5.71 (_ops 5.713)"),
    "resnet50": (4.089e9, 25_557_032, TV % "resnet50" + " -- ResNet50_Weights.IMAGENET1K_V1: "
                 "num_params 25557032, GFLOPS 4.09 (_ops 4.089)"),
    "mobilenet_v1": (569e6, 4.24e6, "Howard et al. 2017 (arXiv 1704.04861) Table 8: 1.0 "
                     "MobileNet-224 569 M mult-adds, 4.2 M params; TF-Slim mobilenet_v1.md "
                     "(tensorflow/models research/slim): MobileNet_v1_1.0_224 569 M MACs, 4.24 M"),
    "mobilenet_v2": (0.301e9, 3_504_872, TV % "mobilenet_v2" + " -- MobileNet_V2_Weights."
                     "IMAGENET1K_V1: num_params 3504872, GFLOPS 0.30 (_ops 0.301)"),
    "densenet121": (2.834e9, 7_978_856, TV % "densenet121" + " -- DenseNet121_Weights."
                    "IMAGENET1K_V1: num_params 7978856, GFLOPS 2.83 (_ops 2.834)"),
    "yolov3": (65.86e9 / 2, 61_949_149, "Redmon & Farhadi 2018 / darknet site: YOLOv3-416 "
               "65.86 Bn FLOPs (darknet counts 2 FLOPs per MAC); params 61,949,149 from the "
               "ultralytics yolov3 model summary (80 classes)"),
    "bert_base": (None, 110e6, "Devlin et al. 2019 (arXiv 1810.04805) Sec. 3: BERT-base "
                  "110M parameters; MACs checked against the closed form below"),
    "gpt2_small_prefill": (None, 124e6, "GPT-2 small 124M parameters (OpenAI gpt-2 release "
                           "'124M', Hugging Face gpt2 model card)"),
    "gpt2_small_decode": (None, 124e6, "as gpt2_small_prefill"),
    "deepspeech2": (None, None, "no published count for this configuration"),
}


def closed_forms():
    """Independent closed-form MAC counts for the transformers (README brief)."""
    per_layer_lin = 4 * D * D + 2 * D * FF
    bert = 12 * per_layer_lin * 128 + 12 * 2 * HEADS * 128 * DH * 128 + D * D  # + pooler
    gpt_pre = (12 * per_layer_lin * 128 + 12 * 2 * HEADS * 128 * DH * 128
               + 128 * D * GPT2_VOCAB)
    gpt_dec = 12 * per_layer_lin + 12 * 2 * HEADS * DH * 129 + D * GPT2_VOCAB
    bert_params = ((30522 + 512 + 2) * D + 2 * D
                   + 12 * (4 * (D * D + D) + 2 * 2 * D + D * FF + FF + FF * D + D)
                   + D * D + D)
    gpt_params = ((GPT2_VOCAB + GPT2_CTX) * D
                  + 12 * (2 * 2 * D + D * 3 * D + 3 * D + D * D + D + D * FF + FF + FF * D + D)
                  + 2 * D)
    return {"bert_base": (bert, bert_params), "gpt2_small_prefill": (gpt_pre, gpt_params),
            "gpt2_small_decode": (gpt_dec, gpt_params)}


BUILDERS = [alexnet, vgg16, googlenet, inception_v3, resnet50, mobilenet_v1, mobilenet_v2,
            densenet121, yolov3, bert_base, gpt2_small_prefill, gpt2_small_decode, deepspeech2]


def build_all():
    return [b() for b in BUILDERS]


def _fmt_g(x):
    return "%.3f" % (x / 1e9)


def _fmt_m(x):
    return "%.3f" % (x / 1e6)


def check(nets):
    ok = True
    cf = closed_forms()
    print("%-20s %10s %10s %7s %12s %12s %7s" % ("network", "GMACs", "published", "diff",
                                                 "Mparams", "published", "diff"))
    for n in nets:
        pm, pp, _ = PUBLISHED[n.name]
        row = [n.name]
        for got, want, fmt in ((n.macs, pm, _fmt_g), (n.params, pp, _fmt_m)):
            row.append(fmt(got))
            if want is None:
                row += ["-", "-"]
                continue
            d = (got - want) / want
            row += [fmt(want), "%+.2f%%" % (100 * d)]
            if abs(d) > 0.01:
                ok = False
                row[-1] += " !"
        print("%-20s %10s %10s %7s %12s %12s %7s" % tuple(row))
        if n.name in cf:
            m, p = cf[n.name]
            if m != n.macs or p != n.params:
                ok = False
                print("  closed form disagrees: MACs %d vs %d, params %d vs %d"
                      % (m, n.macs, p, n.params))
    print()
    print("Published figures:")
    for n in nets:
        print("  %-20s %s" % (n.name, PUBLISHED[n.name][2]))
    suite = [n.name for n in nets if n.paper_suite]
    domains = {n.domain for n in nets if n.paper_suite}
    if len(suite) != 8 or domains != {"vision", "detection", "language", "speech"}:
        print("paper suite must be 8 networks over the 4 domains: %s" % suite)
        ok = False
    return ok


def markdown(nets):
    out = ["| name | domain | input | GMACs | params | paper suite | source |",
           "|---|---|---|---:|---:|:---:|---|"]
    for n in nets:
        out.append("| `%s` | %s | %s | %.3f | %s | %s | %s |" % (
            n.name, n.domain, n.input_desc, n.macs / 1e9, "{:,}".format(n.params),
            "yes" if n.paper_suite else "", n.source))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="check only; write nothing")
    ap.add_argument("--markdown", action="store_true", help="print the README table")
    ap.add_argument("--out", default=os.path.join(ROOT, "models"), help="output folder")
    args = ap.parse_args()
    nets = build_all()
    if not args.check:
        os.makedirs(args.out, exist_ok=True)
        for n in nets:
            with open(os.path.join(args.out, n.name + ".yaml"), "w") as f:
                f.write(n.to_yaml())
        print("wrote %d networks to %s" % (len(nets), args.out))
    ok = check(nets)
    if args.markdown:
        print()
        print(markdown(nets))
    if not ok:
        print("FAILED: counts more than 1% away from a published figure", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
