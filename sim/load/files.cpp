#include "load/files.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace trsim::detail {

namespace fs = std::filesystem;

std::string resolve_path(std::string_view base_dir, std::string_view path) {
  const fs::path p{std::string(path)};
  if (p.is_absolute() || base_dir.empty()) return p.string();
  return (fs::path{std::string(base_dir)} / p).string();
}

std::optional<std::string> read_text_file(const std::string& path, std::string* error) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    *error = "no such file";
    return std::nullopt;
  }
  if (fs::is_directory(status)) {
    *error = "it is a directory, not a file";
    return std::nullopt;
  }
  if (fs::is_regular_file(status)) {
    const std::uintmax_t size = fs::file_size(path, ec);
    if (!ec && size > kMaxInputFileBytes) {
      *error = fmt::format("the file is too large ({} bytes; the limit is {})", size,
                           kMaxInputFileBytes);
      return std::nullopt;
    }
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = fmt::format("cannot open it ({})", std::strerror(errno));
    return std::nullopt;
  }
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxInputFileBytes) {
      *error = fmt::format("the file is too large (the limit is {} bytes)", kMaxInputFileBytes);
      return std::nullopt;
    }
  }
  if (in.bad()) {
    *error = "cannot read it";
    return std::nullopt;
  }
  return text;
}

std::string file_stem(std::string_view path) { return fs::path{std::string(path)}.stem().string(); }

std::string parent_folder(std::string_view path) {
  return fs::path{std::string(path)}.parent_path().string();
}

}  // namespace trsim::detail
