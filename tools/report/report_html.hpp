#pragma once
// `trsim report`: one self-contained HTML page (inline CSS and SVG, no scripts, no external
// assets) from a run's summary JSON or a sweep's JSON, read with trsim::parse_json. Pure: the
// same document gives the same bytes. docs/report.md describes each chart and its data source.
#include <optional>
#include <ostream>
#include <string>

#include "trsim/value.hpp"

namespace trsim::report {

/// The page for `document`: a tuning when its `kind` is "tune", a sweep when it has `points`, a run
/// summary when it has `statistics`. Otherwise nullopt, with the reason in `error`.
std::optional<std::string> render_report(const Value& document, std::string* error);

/// The same page, written to `out` piece by piece as it is made, so that it is never whole in
/// memory (a run's page is several times its summary). False, with the reason in `error` and
/// nothing written, when `document` is none of those.
bool render_report(const Value& document, std::ostream& out, std::string* error);

}  // namespace trsim::report
