#pragma once
// Files a scenario refers to: resolving relative paths against the scenario's folder and
// reading them whole, with a size cap so that a wrong path to a huge file cannot exhaust memory.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "trsim/loader.hpp"

namespace trsim::detail {

inline constexpr std::uintmax_t kMaxInputFileBytes = std::uintmax_t{1} << 30;  // 1 GiB

/// `path` if absolute, else `base_dir`/`path` (as given when base_dir is empty).
std::string resolve_path(std::string_view base_dir, std::string_view path);

/// The whole file, or nullopt with the reason ("No such file or directory", "is a directory").
std::optional<std::string> read_text_file(const std::string& path, std::string* error);

/// True when `path` (links resolved) is `folder` or inside it; `folder` "" is the working folder.
bool inside_folder(const std::string& folder, const std::string& path);

/// The first invalid UTF-8 sequence or NUL byte of `text` (find_text_problem).
std::optional<TextProblem> text_problem(std::string_view text);

/// "support-desk" for "scenarios/support-desk.yaml".
std::string file_stem(std::string_view path);

/// The folder of `path` ("" for a bare file name).
std::string parent_folder(std::string_view path);

}  // namespace trsim::detail
