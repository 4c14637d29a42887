#pragma once
// Defensive reads from the JSON documents other parts produce. Their keys are still
// evolving, so every getter returns "absent" instead of throwing on a missing key or
// a wrong type, and most take several alternative paths. Internal to src/report.
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace acceldse::report::detail {

using nlohmann::json;

// The value at a dotted path ("totals.latency_s"), or nullptr.
const json* find(const json& doc, std::string_view path);

// The first finite number found at any of `paths` (booleans are not numbers).
std::optional<double> number(const json& doc, std::initializer_list<std::string_view> paths);

// The first string found at any of `paths`; numbers are formatted.
std::optional<std::string> text(const json& doc, std::initializer_list<std::string_view> paths);

// The array / object at `path`, or nullptr if absent or of another type.
const json* array_at(const json& doc, std::string_view path);
const json* object_at(const json& doc, std::string_view path);

// A scalar for display: strings as-is, numbers compactly, booleans as yes/no,
// objects/arrays as compact JSON.
std::string display(const json& value);

// A name for a document part that may be a string or an object with "name".
std::string name_of(const json& doc, std::string_view key);

}  // namespace acceldse::report::detail
