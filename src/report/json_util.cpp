#include "report/json_util.h"

#include <cmath>

#include "report/text.h"

namespace acceldse::report::detail {

const json* find(const json& doc, std::string_view path) {
  const json* node = &doc;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string key(path.substr(0, dot));
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return node;
}

std::optional<double> number(const json& doc, std::initializer_list<std::string_view> paths) {
  for (std::string_view path : paths) {
    const json* v = find(doc, path);
    if (v && v->is_number()) {
      double d = v->get<double>();
      if (std::isfinite(d)) return d;
    }
  }
  return std::nullopt;
}

std::optional<std::string> text(const json& doc, std::initializer_list<std::string_view> paths) {
  for (std::string_view path : paths) {
    const json* v = find(doc, path);
    if (v && v->is_string()) return v->get<std::string>();
    if (v && v->is_number()) return display(*v);
  }
  return std::nullopt;
}

const json* array_at(const json& doc, std::string_view path) {
  const json* v = find(doc, path);
  return v && v->is_array() ? v : nullptr;
}

const json* object_at(const json& doc, std::string_view path) {
  const json* v = find(doc, path);
  return v && v->is_object() ? v : nullptr;
}

std::string display(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number_unsigned()) return std::to_string(value.get<uint64_t>());
  if (value.is_number()) return num(value.get<double>());
  if (value.is_null()) return "";
  // Invalid UTF-8 in user strings must not throw out of a report.
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string name_of(const json& doc, std::string_view key) {
  const json* v = find(doc, key);
  if (!v) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_object()) {
    if (auto name = text(*v, {"name"})) return *name;
  }
  return "";
}

}  // namespace acceldse::report::detail
