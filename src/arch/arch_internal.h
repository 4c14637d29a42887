#pragma once
// Declarations shared by the arch part's .cpp files (not part of the public header).
#include <optional>
#include <string>
#include <vector>

#include "arch/arch.h"

namespace acceldse::arch::detail {

// MAC types a technology table may list; Precision::mac_type() yields one of these.
const std::vector<std::string>& mac_type_names();

bool parse_dataflow(const std::string& text, Dataflow& dataflow);

// int8 | int16 | bf16 | fp16 | fp32 -> input/weight/output bytes, 4-byte accumulator.
bool precision_from_shorthand(const std::string& text, Precision& precision);
std::string precision_shorthand(const Precision& precision);  // "" if it has none
const std::vector<std::string>& precision_shorthands();

// The first problem validate() would report: key path (as in the YAML) and message.
struct Problem {
  std::string key_path;
  std::string message;
};
std::optional<Problem> find_problem(const Accelerator& accel);

// True if tech/NAME.yaml exists (without listing the directory).
bool is_technology(const std::string& name);

// Resolves accel.technology from technology_name and technology_overrides.
void resolve_technology(Accelerator& accel, const std::string& file_label);

}  // namespace acceldse::arch::detail
