#pragma once
// Mirroring a TaskRouter workspace (docs/import.md): the JSON its v1 REST API returns — list pages
// (`{"workers": [...], "meta": {...}}`), single resources, several pages of one kind — turned into
// a scenario whose names, sids and settings are the workspace's, with one JSON file per workflow
// configuration. Field names are those of TaskRouter's OpenAPI description; unknown fields are
// ignored.
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trsim/loader.hpp"

namespace trsim {

/// The part of a file name that stands for a friendly name: ASCII letters, digits, '-' and '_'
/// kept, anything else (spaces, dots, slashes, each byte of a non-ASCII character) made '-';
/// `fallback` when nothing would be left.
std::string file_slug(std::string_view name, std::string_view fallback);

/// A file name `<prefix><part><suffix>` not in `taken` (and then added to it): `part` is the
/// file_slug of `name`, or when an earlier file took that (two friendly names can give one slug:
/// "Sales EU" and "Sales-EU"), the file_slug of `fallback` (a sid, an index), then that with
/// "-2", "-3", ...
std::string unique_file_name(std::set<std::string>& taken, std::string_view prefix,
                             std::string_view name, std::string_view fallback,
                             std::string_view suffix);

/// One input file, already read.
struct ImportSource {
  std::string file;  ///< as named in diagnostics
  std::string text;
};

struct ImportOptions {
  /// Workers with the same attributes, channels and activity become one group with a `count`;
  /// false keeps one group per worker (with its name and sid).
  bool fold_workers = true;
  /// Workflow configuration files are named `<stem>.<workflow>.json`.
  std::string file_stem = "workspace";
  // Hooks of the calibration from event history (trsim/calibrate.hpp); empty = not used.
  /// A further key workers must share to fold into one group (their schedule).
  std::function<std::string(const std::string& sid)> worker_key{};
  /// The worker's initial activity by name ("" = its `activity_sid` as exported).
  std::function<std::string(const std::string& sid)> initial_activity{};
  /// Fields appended to a group's map (", behavior: ..., schedule: [...]"), given its members.
  std::function<std::string(const std::vector<std::string>& sids)> group_fields{};
  /// The caller appends arrivals: no "none were imported" comment.
  bool arrivals_given = false;
};

/// A file to write beside the scenario.
struct ImportedFile {
  std::string name;  ///< relative to the scenario's folder
  std::string text;
};

struct ImportResult {
  /// Errors name the file, the place (LINE:COL of the resource's '{'), the resource and the field.
  std::vector<Diagnostic> diagnostics;
  std::string scenario;  ///< the scenario's YAML (empty when there are errors)
  std::vector<ImportedFile> files;
  /// What was read, one line per kind ("3 activities, 2 task queues, ...").
  std::string summary;
  /// Each worker group written: its name and its members' sids.
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  /// Each activity (by its name in the scenario): available or not.
  std::map<std::string, bool> activity_available;

  bool ok() const;
};

/// The scenario mirroring the resources of `sources`. Every problem is reported; with any error
/// nothing but diagnostics is returned.
ImportResult import_workspace(const std::vector<ImportSource>& sources,
                              const ImportOptions& options);

}  // namespace trsim
