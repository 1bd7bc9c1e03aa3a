#include "load/files.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "trsim/loader.hpp"

namespace trsim::detail {

namespace fs = std::filesystem;

std::string resolve_path(std::string_view base_dir, std::string_view path) {
  const fs::path p{std::string(path)};
  if (p.is_absolute() || base_dir.empty()) return p.string();
  return (fs::path{std::string(base_dir)} / p).string();
}

bool inside_folder(const std::string& folder, const std::string& path) {
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(fs::absolute(folder.empty() ? "." : folder, ec), ec);
  if (ec) return false;
  const fs::path target = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) return false;
  auto r = root.begin();
  auto t = target.begin();
  for (; r != root.end(); ++r, ++t) {
    if (r->empty()) continue;  // a trailing separator
    if (t == target.end() || *r != *t) return false;
  }
  return true;
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
  if (!fs::is_regular_file(status)) {
    // A FIFO would block forever, a device never end: only regular files are read.
    *error = "it is not a regular file (a FIFO, device or socket is not read)";
    return std::nullopt;
  }
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > kMaxInputFileBytes) {
    *error =
        fmt::format("the file is too large ({} bytes; the limit is {})", size, kMaxInputFileBytes);
    return std::nullopt;
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

namespace {

// The length of the UTF-8 sequence at `s[i]`, or 0 when it is not one (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = byte(i);
  if (b < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return n;
}

}  // namespace

std::optional<TextProblem> text_problem(std::string_view text) {
  TextProblem p;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '\0') {
      p.message = "a NUL byte: this is not a text file";
      return p;
    }
    if (c == '\n') {
      ++p.line;
      p.column = 1;
      ++i;
      continue;
    }
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      p.message = fmt::format("invalid UTF-8 (byte 0x{:02X}); trsim reads UTF-8 text only",
                              static_cast<unsigned char>(c));
      return p;
    }
    i += n;
    p.column += static_cast<int>(n);
  }
  return std::nullopt;
}

std::string file_stem(std::string_view path) { return fs::path{std::string(path)}.stem().string(); }

std::string parent_folder(std::string_view path) {
  return fs::path{std::string(path)}.parent_path().string();
}

}  // namespace trsim::detail
