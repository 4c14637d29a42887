#pragma once
// `--save-design FILE`: the design a command chose, written as an accelerator YAML that
// `acceldse evaluate --arch FILE` (or a space's `base:`) loads as it is.
#include <string>

#include "arch/arch.h"

namespace acceldse::cli {

// Writes `accel` renamed to `name` (its own name, so it is not mistaken for the base it
// came from) to `path`, then reads the file back and checks it gives the same design, so
// a file that would not load is an error now rather than at the next command. Throws
// InputError naming the path.
// `provenance` (e.g. "the selected design of `acceldse suite` on space 'suite'") becomes
// a comment at the top of the file.
void save_design(const std::string& path, arch::Accelerator accel, const std::string& name,
                 const std::string& provenance);

// "suite-best-default" style names: lower case, [a-z0-9._-] only.
std::string design_name(const std::string& text);

}  // namespace acceldse::cli
