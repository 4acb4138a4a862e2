#pragma once
// The JSON form of a Report, shared by the JSON printer and the HTML report (which embeds it).
#include <nlohmann/json.hpp>

#include "fleetsizer/report/report.h"

namespace fleetsizer::report {

using Json = nlohmann::ordered_json;

// Numbers stay numbers; a value with no finite number (an unbounded rate, a plan that does not
// exist) is null; a field that does not apply is not written at all.
Json cell_json(const Cell& cell);
// A cell as the table printer writes it ("-" for no value, "unbounded" for an infinite number);
// the HTML report escapes the same text.
std::string cell_text(const Cell& cell, int precision);
Json report_json(const Report& report);

}  // namespace fleetsizer::report
