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
bool parse_im2col_fetch(const std::string& text, Im2colFetch& fetch);

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

// An interface of tech/interfaces/ of `kind` ("dram" or "host"; host "none" is an empty
// one); InputError at `place` of `file_label` for an unknown name.
OffChipInterface load_interface(const std::string& name, const std::string& kind, const std::string& place,
                                const std::string& file_label);

// Resolves accel.technology from technology_name, the DRAM type, the host interface and
// technology_overrides.
void resolve_technology(Accelerator& accel, const std::string& file_label);

}  // namespace acceldse::arch::detail
