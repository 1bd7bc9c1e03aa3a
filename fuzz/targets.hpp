#pragma once
// The fuzz targets' bodies, shared by the libFuzzer executables (fuzz/fuzz_<name>.cpp) and by the
// unit test that replays every input a fuzzer ever crashed on (tests/data/fuzz-regressions/), so
// that a regression input goes through exactly the code the fuzzer ran.
//
// Each function takes arbitrary bytes, must return normally for every input, and aborts (through
// fuzz_check) when a property that must hold for any input is broken: a bug the sanitizers alone
// would not see, such as an "internal error" diagnostic or a JSON round trip that changes a value.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace trsim::fuzz {

/// YAML text -> load_scenario_text: a scenario or diagnostics, never an exception.
void scenario_loader(std::string_view text);
/// Expression text -> Expression::parse in each scope; what compiles is evaluated against a fixed
/// task, worker and worker counts (and its comparisons listed, as the linter does).
void expression(std::string_view text);
/// CSV text -> the trace reader (header, cells, times, channels), and the raw CSV splitter.
void trace_csv(std::string_view text);
/// Text -> parse_duration, parse_rate, parse_iso8601_utc and parse_number.
void units(std::string_view text);
/// Text -> parse_json; a parsed document must survive to_json and parse_json unchanged.
void json(std::string_view text);

/// Bytes -> a small folder of files, links (to files, folders, nothing, /dev/null), hard links and
/// folders, and outputs and inputs named by several spellings (`./a`, `d/../a`, `//a`), through
/// the command line's OutputSet (targets_cli.cpp): a refused set changes nothing; an accepted set
/// has no two outputs on one file and no output on an input, and its commit leaves each output
/// holding what was written to it, the inputs, links and folders as they were, and no temporary.
void output_paths(std::string_view text);
/// Text -> what `trsim report` and `trsim merge` do with an input: the text checks, parse_json and
/// render_report (a page, or a reason); then, for text parse_json refused or a document whose
/// kind is "trsim-sweep-partial" (the others are refused at that check), parse_sweep_partial,
/// whose result must write back the same JSON after one round trip, and merge alone.
void report_input(std::string_view text);

/// The targets by name, for the replay test: "scenario_loader", "expression", "trace_csv",
/// "units", "json", "output_paths", "report_input". Returns null for an unknown name.
using Target = void (*)(std::string_view);
Target target_by_name(std::string_view name);

}  // namespace trsim::fuzz
