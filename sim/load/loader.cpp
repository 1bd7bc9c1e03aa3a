// The loader's entry points: read the text, apply --set overrides, build each section in
// dependency order, and return either the scenario or every diagnostic. Nothing escapes as an
// exception: a bug in here becomes an "internal error" diagnostic rather than a crash.
#include "trsim/loader.hpp"

#include <fmt/format.h>

#include <array>
#include <exception>
#include <map>
#include <new>
#include <string_view>

#include "load/context.hpp"
#include "load/files.hpp"
#include "load/memory.hpp"
#include "load/overrides.hpp"
#include "load/sections.hpp"
#include "model/units.hpp"

namespace trsim {

namespace detail {
namespace {

// Sections whose keys are fixed, which --set may create when the file leaves them out
// (`--set workspace.multi_task=false`); named collections may not, so a typo in a group name
// cannot silently add a group.
constexpr std::array<std::string_view, 2> kCreatableSections = {"statistics", "workspace"};

// --confine: a file the scenario refers to may be anything the scenario's author could name, so
// its errors keep at most kExcerpt bytes of their message, control characters escaped, and only
// the first three errors of each such file.
void quote_little_of_referenced_files(std::vector<Diagnostic>& diagnostics,
                                      const LoadContext& ctx) {
  constexpr std::size_t kExcerpt = 80;
  constexpr int kPerFile = 3;
  std::map<std::string, int> shown;
  std::vector<Diagnostic> kept;
  for (Diagnostic& d : diagnostics) {
    if (d.where.file == ctx.scenario_source().file || d.where.file == kOverrideFile) {
      kept.push_back(std::move(d));
      continue;
    }
    const int n = ++shown[d.where.file];
    if (n > kPerFile) continue;
    std::string message;
    for (const char c : d.message) {
      if (message.size() >= kExcerpt) {
        // Cut at a character boundary.
        while (!message.empty() && (static_cast<unsigned char>(message.back()) & 0xC0) == 0x80)
          message.pop_back();
        if (!message.empty() && static_cast<unsigned char>(message.back()) >= 0xC0)
          message.pop_back();
        message += "...";
        break;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        constexpr char kHex[] = "0123456789abcdef";
        message += "\\x";
        message += kHex[(static_cast<unsigned char>(c) >> 4) & 0xF];
        message += kHex[static_cast<unsigned char>(c) & 0xF];
      } else {
        message += c;
      }
    }
    d.message = std::move(message);
    kept.push_back(std::move(d));
  }
  for (const auto& [file, n] : shown) {
    if (n <= kPerFile) continue;
    Diagnostic d;
    d.where = {file, 0, 0};
    d.message = fmt::format("{} more errors not shown (--confine)", n - kPerFile);
    kept.push_back(std::move(d));
  }
  diagnostics = std::move(kept);
}

LoadResult finish(LoadContext& ctx) {
  LoadResult result;
  if (!ctx.diags.has_errors()) {
    ctx.sc.source_file = ctx.scenario_source().file;
    result.scenario = std::move(ctx.sc);
  }
  result.diagnostics = ctx.diags.take_sorted();
  result.files = std::move(ctx.files);
  result.memory_bytes = ctx.memory_total;
  if (ctx.limits.confine) quote_little_of_referenced_files(result.diagnostics, ctx);
  return result;
}

LoadResult load(std::string_view yaml, const std::string& file_name, const std::string& base_dir,
                const LoadOptions& options) {
  LoadContext ctx;
  ctx.base_dir = base_dir;
  ctx.limits = options.limits;
  ctx.sc.max_events = options.limits.max_events;
  ctx.sources.push_back({file_name, std::string(yaml)});
  ctx.diags.register_file(file_name);
  ctx.sc.name = file_stem(file_name);
  if (const auto problem = text_problem(yaml)) {
    ctx.diags.error({file_name, problem->line, problem->column}, problem->message);
    return finish(ctx);
  }

  std::optional<YAML::Node> root = parse_yaml_document(ctx.scenario_source(), ctx.diags);
  if (!root) return finish(ctx);
  if (!root->IsDefined() || root->IsNull()) {
    ctx.diags.error({file_name, 1, 1},
                    "the scenario is empty (it needs at least 'workers' and 'arrivals' to "
                    "simulate anything)");
    return finish(ctx);
  }
  const Reader r = ctx.reader();
  if (!root->IsMap()) {
    r.error(r.root(*root, ""), fmt::format("expected a map of settings at the top level, got {}",
                                           Reader::describe(*root)));
    return finish(ctx);
  }
  // An override naming another workflow file (`--set workflows.W.configuration_file=F`, what
  // `trsim compare --change-file` does) applies before the files are inlined, so that F is the one
  // read; every other override applies after, so that paths inside a configuration reach a
  // file-loaded workflow.
  const auto names_configuration_file = [](const std::string& o) {
    const std::string_view path = std::string_view(o).substr(0, o.find('='));
    constexpr std::string_view kSuffix = ".configuration_file";
    return path.rfind("workflows.", 0) == 0 && path.size() > kSuffix.size() &&
           path.substr(path.size() - kSuffix.size()) == kSuffix;
  };
  apply_overrides(*root, options.overrides, kCreatableSections, ctx.sources, ctx.locator, ctx.diags,
                  names_configuration_file);
  inline_configuration_files(ctx, *root);
  apply_overrides(*root, options.overrides, kCreatableSections, ctx.sources, ctx.locator, ctx.diags,
                  [&](const std::string& o) { return !names_configuration_file(o); });

  if (!check_expanded_text(ctx, *root)) return finish(ctx);
  const MapView top(r, r.root(*root, ""), KeySet::top_level);
  build_settings(ctx, top);
  build_activities(ctx, top);
  build_channels(ctx, top);
  build_workspace(ctx, top);
  build_task_queues(ctx, top);
  build_workflows(ctx, top);
  build_behaviors(ctx, top);
  build_workers(ctx, top);
  resolve_transfer_workers(ctx);
  build_arrivals(ctx, top);
  build_expectations(ctx, top);
  build_compare(ctx, top);
  build_sweep(ctx, top);
  build_shifts(ctx, top);
  if (!ctx.diags.has_errors()) charge_run_memory(ctx, top);
  return finish(ctx);
}

LoadResult internal_error(const std::string& file_name, std::string what) {
  LoadResult result;
  Diagnostic d;
  d.where = {file_name, 0, 0};
  d.message = fmt::format("internal error while loading the scenario ({}); please report it", what);
  result.diagnostics.push_back(std::move(d));
  return result;
}

}  // namespace
}  // namespace detail

std::string describe_memory(std::uint64_t bytes) { return detail::describe_bytes(bytes); }

std::optional<TextProblem> find_text_problem(std::string_view text) {
  return detail::text_problem(text);
}

std::optional<SimTime> parse_duration_text(std::string_view text, std::string* error) {
  return detail::parse_duration(text, error);
}

LoadResult load_scenario_text(std::string_view yaml, const std::string& file_name,
                              const std::string& base_dir, const LoadOptions& options) {
  try {
    return detail::load(yaml, file_name, base_dir, options);
  } catch (const std::bad_alloc&) {
    return detail::internal_error(file_name, "out of memory");
  } catch (const std::exception& e) {
    return detail::internal_error(file_name, e.what());
  } catch (...) {
    return detail::internal_error(file_name, "unknown exception");
  }
}

LoadResult load_scenario_file(const std::string& path, const LoadOptions& options) {
  try {
    std::string why;
    const std::optional<std::string> text = detail::read_text_file(path, &why);
    if (!text) {
      LoadResult result;
      Diagnostic d;
      d.where = {path, 0, 0};
      d.message = fmt::format("cannot read the scenario: {}", why);
      result.diagnostics.push_back(std::move(d));
      return result;
    }
    LoadResult result = load_scenario_text(*text, path, detail::parent_folder(path), options);
    result.files.insert(result.files.begin(), path);
    return result;
  } catch (const std::exception& e) {
    return detail::internal_error(path, e.what());
  } catch (...) {
    return detail::internal_error(path, "unknown exception");
  }
}

}  // namespace trsim
