#pragma once
// Calibration profiles as YAML: written by `calibrate`, read by --profile.
#include <string>

#include "fleetsizer/error.h"
#include "fleetsizer/perf/profile.h"

namespace fleetsizer::io {

std::string profile_yaml(const Profile& profile, const std::string& header_comment);
Result<Profile> read_profile_file(const std::string& path);

}  // namespace fleetsizer::io
