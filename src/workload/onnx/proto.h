#pragma once
// Reading ONNX protobuf messages: node attributes and tensor payloads. Internal to the
// ONNX importer and the resized-model writer (src/workload/onnx/).
#include <onnx/onnx_pb.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "workload/onnx/tensor.h"

namespace acceldse::workload::onnx_detail {

static_assert(std::endian::native == std::endian::little,
              "ONNX raw_data is little-endian; decoding assumes a little-endian host");

// --- attributes ------------------------------------------------------------------------

inline const onnx::AttributeProto* find_attr(const onnx::NodeProto& node, std::string_view name) {
  for (const auto& a : node.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

// Old exporters leave AttributeProto.type unset; accept that as "whatever is stored".
inline void check_attr_type(const onnx::AttributeProto& a, onnx::AttributeProto_AttributeType t, const char* expected) {
  if (a.type() != t && a.type() != onnx::AttributeProto_AttributeType_UNDEFINED) {
    throw FoldError("attribute '" + a.name() + "' must be " + expected);
  }
}

inline int64_t attr_int(const onnx::NodeProto& node, std::string_view name, int64_t def) {
  const auto* a = find_attr(node, name);
  if (!a) return def;
  check_attr_type(*a, onnx::AttributeProto_AttributeType_INT, "an integer");
  return a->i();
}

inline double attr_float(const onnx::NodeProto& node, std::string_view name, double def) {
  const auto* a = find_attr(node, name);
  if (!a) return def;
  check_attr_type(*a, onnx::AttributeProto_AttributeType_FLOAT, "a float");
  return a->f();
}

inline std::string attr_string(const onnx::NodeProto& node, std::string_view name, const std::string& def) {
  const auto* a = find_attr(node, name);
  if (!a) return def;
  check_attr_type(*a, onnx::AttributeProto_AttributeType_STRING, "a string");
  return a->s();
}

inline std::vector<int64_t> attr_ints(const onnx::NodeProto& node, std::string_view name) {
  const auto* a = find_attr(node, name);
  if (!a) return {};
  check_attr_type(*a, onnx::AttributeProto_AttributeType_INTS, "a list of integers");
  return {a->ints().begin(), a->ints().end()};
}

inline std::vector<double> attr_floats(const onnx::NodeProto& node, std::string_view name) {
  const auto* a = find_attr(node, name);
  if (!a) return {};
  check_attr_type(*a, onnx::AttributeProto_AttributeType_FLOATS, "a list of floats");
  return {a->floats().begin(), a->floats().end()};
}

// --- tensor payloads ----------------------------------------------------------------------

inline bool is_float_type(int32_t t) {
  return t == onnx::TensorProto_DataType_FLOAT || t == onnx::TensorProto_DataType_DOUBLE ||
         t == onnx::TensorProto_DataType_FLOAT16 || t == onnx::TensorProto_DataType_BFLOAT16;
}

inline bool is_numeric_type(int32_t t) {
  return (t >= onnx::TensorProto_DataType_FLOAT && t <= onnx::TensorProto_DataType_UINT64 &&
          t != onnx::TensorProto_DataType_STRING) ||
         t == onnx::TensorProto_DataType_BFLOAT16;
}

// Bytes per element of the raw little-endian encoding; 0 if not decoded.
inline size_t raw_element_bytes(int32_t t) {
  switch (t) {
    case onnx::TensorProto_DataType_UINT8:
    case onnx::TensorProto_DataType_INT8:
    case onnx::TensorProto_DataType_BOOL: return 1;
    case onnx::TensorProto_DataType_UINT16:
    case onnx::TensorProto_DataType_INT16:
    case onnx::TensorProto_DataType_FLOAT16:
    case onnx::TensorProto_DataType_BFLOAT16: return 2;
    case onnx::TensorProto_DataType_FLOAT:
    case onnx::TensorProto_DataType_INT32:
    case onnx::TensorProto_DataType_UINT32: return 4;
    case onnx::TensorProto_DataType_DOUBLE:
    case onnx::TensorProto_DataType_INT64:
    case onnx::TensorProto_DataType_UINT64: return 8;
    default: return 0;
  }
}

inline double half_to_double(uint16_t h) {
  int exp = (h >> 10) & 0x1f;
  double mant = h & 0x3ff;
  double v = exp == 0    ? std::ldexp(mant, -24)
             : exp == 31 ? (mant == 0 ? INFINITY : NAN)
                         : std::ldexp(mant + 1024.0, exp - 25);
  return (h & 0x8000) ? -v : v;
}

inline double bfloat16_to_double(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Decodes element k of a raw buffer into the int or float vector of `t`.
inline void push_raw(ConstTensor& t, int32_t type, const char* p) {
  auto load = [p]<typename T>(T) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  switch (type) {
    case onnx::TensorProto_DataType_FLOAT: t.f.push_back(load(float{})); break;
    case onnx::TensorProto_DataType_DOUBLE: t.f.push_back(load(double{})); break;
    case onnx::TensorProto_DataType_FLOAT16: t.f.push_back(half_to_double(load(uint16_t{}))); break;
    case onnx::TensorProto_DataType_BFLOAT16: t.f.push_back(bfloat16_to_double(load(uint16_t{}))); break;
    case onnx::TensorProto_DataType_UINT8: t.i.push_back(load(uint8_t{})); break;
    case onnx::TensorProto_DataType_INT8: t.i.push_back(load(int8_t{})); break;
    case onnx::TensorProto_DataType_BOOL: t.i.push_back(load(uint8_t{}) != 0); break;
    case onnx::TensorProto_DataType_UINT16: t.i.push_back(load(uint16_t{})); break;
    case onnx::TensorProto_DataType_INT16: t.i.push_back(load(int16_t{})); break;
    case onnx::TensorProto_DataType_INT32: t.i.push_back(load(int32_t{})); break;
    case onnx::TensorProto_DataType_UINT32: t.i.push_back(load(uint32_t{})); break;
    case onnx::TensorProto_DataType_INT64: t.i.push_back(load(int64_t{})); break;
    // Values above INT64_MAX wrap; shape arithmetic never uses them.
    case onnx::TensorProto_DataType_UINT64: t.i.push_back(static_cast<int64_t>(load(uint64_t{}))); break;
    default: break;
  }
}

// Values from the typed repeated fields (used when raw_data is absent).
inline bool decode_typed(const onnx::TensorProto& p, ConstTensor& t, int64_t n) {
  auto take = [&](const auto& field, auto convert) {
    if (static_cast<int64_t>(field.size()) != n) return false;
    for (const auto& v : field) convert(v);
    return true;
  };
  switch (p.data_type()) {
    case onnx::TensorProto_DataType_FLOAT: return take(p.float_data(), [&](float v) { t.f.push_back(v); });
    case onnx::TensorProto_DataType_DOUBLE: return take(p.double_data(), [&](double v) { t.f.push_back(v); });
    case onnx::TensorProto_DataType_FLOAT16:
      return take(p.int32_data(), [&](int32_t v) { t.f.push_back(half_to_double(static_cast<uint16_t>(v))); });
    case onnx::TensorProto_DataType_BFLOAT16:
      return take(p.int32_data(), [&](int32_t v) { t.f.push_back(bfloat16_to_double(static_cast<uint16_t>(v))); });
    case onnx::TensorProto_DataType_INT64: return take(p.int64_data(), [&](int64_t v) { t.i.push_back(v); });
    case onnx::TensorProto_DataType_UINT32:
    case onnx::TensorProto_DataType_UINT64:
      return take(p.uint64_data(), [&](uint64_t v) { t.i.push_back(static_cast<int64_t>(v)); });
    case onnx::TensorProto_DataType_BOOL: return take(p.int32_data(), [&](int32_t v) { t.i.push_back(v != 0); });
    default:  // the small integer types are stored in int32_data
      return take(p.int32_data(), [&](int32_t v) { t.i.push_back(v); });
  }
}

// A TensorProto as a constant. Values are decoded only for small numeric tensors
// stored in the file; weights stripped from a file or stored externally keep their
// shape, which is all the network needs of them.
inline ConstTensor decode_tensor(const onnx::TensorProto& p) {
  Shape shape(p.dims().begin(), p.dims().end());
  int64_t n = checked_elements(shape);
  int32_t type = p.data_type();
  ConstTensor t = shape_only(shape, is_float_type(type), {});
  if (!is_numeric_type(type) || n > kMaxFoldElements || p.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
    return t;
  }
  bool ok;
  if (p.has_raw_data()) {
    size_t bytes = raw_element_bytes(type);
    ok = bytes > 0 && p.raw_data().size() == bytes * static_cast<size_t>(n);
    for (int64_t k = 0; ok && k < n; ++k) push_raw(t, type, p.raw_data().data() + k * bytes);
  } else {
    ok = decode_typed(p, t, n);
  }
  if (!ok) return shape_only(shape, t.is_float, {});
  t.known = true;
  return t;
}

}  // namespace acceldse::workload::onnx_detail
