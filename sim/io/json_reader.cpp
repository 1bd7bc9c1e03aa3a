#include <charconv>
#include <functional>
#include <set>
#include <utility>

#include "trsim/json.hpp"

namespace trsim {
namespace {

constexpr int kMaxDepth = 512;

struct ParseFailure {
  std::size_t offset;
  std::string message;
};

class JsonReader {
 public:
  JsonReader(std::string_view text, std::vector<std::size_t>* object_offsets)
      : s_(text), object_offsets_(object_offsets) {}

  /// The elements of the top-level member `member` (an array) go to `on_element` as they are
  /// read; the document keeps an empty array in its place.
  void stream(std::string_view member, const std::function<void(Value&&)>* on_element) {
    streamed_ = member;
    on_element_ = on_element;
  }

  Value document() {
    Value v = value(0);
    skip_space();
    if (i_ != s_.size()) fail("unexpected text after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(std::string what) const { throw ParseFailure{i_, std::move(what)}; }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
  void expect(char c) {
    if (!at(c)) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  void literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) fail("unexpected token");
    i_ += word.size();
  }
  bool digit() const { return i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; }

  Value value(int depth) {
    if (depth > kMaxDepth) fail("JSON nested too deeply");
    skip_space();
    if (i_ >= s_.size()) fail("unexpected end of the JSON text");
    switch (s_[i_]) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return Value::string(string());
      case 't':
        literal("true");
        return Value::boolean(true);
      case 'f':
        literal("false");
        return Value::boolean(false);
      case 'n':
        literal("null");
        return Value();
      default:
        return number();
    }
  }

  Value object(int depth) {
    if (object_offsets_ != nullptr && at('{')) object_offsets_->push_back(i_);
    expect('{');
    Value::Object members;
    std::set<std::string> keys;
    skip_space();
    if (at('}')) {
      ++i_;
      return Value::object(std::move(members));
    }
    for (;;) {
      skip_space();
      if (!at('"')) fail("expected a key in double quotes");
      const std::size_t key_offset = i_;
      std::string key = string();
      if (!keys.insert(key).second) {
        i_ = key_offset;
        fail("duplicate key '" + key + "'");
      }
      skip_space();
      expect(':');
      skip_space();
      if (depth == 0 && on_element_ != nullptr && key == streamed_ && at('[')) {
        stream_array(depth + 1);
        members.emplace_back(std::move(key), Value::array({}));
      } else {
        Value v = value(depth + 1);
        members.emplace_back(std::move(key), std::move(v));
      }
      skip_space();
      if (at(',')) {
        ++i_;
        continue;
      }
      expect('}');
      // Growth by doubling leaves up to half of a vector unused: a document is held whole, so
      // it is kept to its size.
      members.shrink_to_fit();
      return Value::object(std::move(members));
    }
  }

  Value array(int depth) {
    expect('[');
    Value::Array items;
    skip_space();
    if (at(']')) {
      ++i_;
      return Value::array(std::move(items));
    }
    for (;;) {
      items.push_back(value(depth + 1));
      skip_space();
      if (at(',')) {
        ++i_;
        continue;
      }
      expect(']');
      items.shrink_to_fit();
      return Value::array(std::move(items));
    }
  }

  void stream_array(int depth) {
    expect('[');
    skip_space();
    if (at(']')) {
      ++i_;
      return;
    }
    for (;;) {
      (*on_element_)(value(depth + 1));
      skip_space();
      if (at(',')) {
        ++i_;
        continue;
      }
      expect(']');
      return;
    }
  }

  unsigned hex4() {
    unsigned code = 0;
    for (int k = 0; k < 4; ++k, ++i_) {
      if (i_ >= s_.size()) fail("unterminated \\u escape");
      const char c = s_[i_];
      unsigned d = 0;
      if (c >= '0' && c <= '9')
        d = static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        d = static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        d = static_cast<unsigned>(c - 'A' + 10);
      else
        fail("bad \\u escape");
      code = code * 16 + d;
    }
    return code;
  }

  static void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  std::string string() {
    expect('"');
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) fail("unterminated string");
      const char c = s_[i_];
      if (c == '"') {
        ++i_;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      ++i_;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) fail("unterminated escape");
      const char e = s_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned code = hex4();
          if (code >= 0xD800 && code <= 0xDBFF) {  // a surrogate pair encodes one code point
            if (s_.substr(i_, 2) != "\\u") fail("unpaired surrogate in a \\u escape");
            i_ += 2;
            const unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("unpaired surrogate in a \\u escape");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          } else if (code >= 0xDC00 && code <= 0xDFFF) {
            fail("unpaired surrogate in a \\u escape");
          }
          append_utf8(out, code);
          break;
        }
        default:
          fail("bad escape in a string");
      }
    }
  }

  Value number() {
    const std::size_t start = i_;
    if (at('-')) ++i_;
    if (at('0')) {
      ++i_;
    } else if (digit()) {
      while (digit()) ++i_;
    } else {
      fail("unexpected character");
    }
    if (at('.')) {
      ++i_;
      if (!digit()) fail("digits expected after '.'");
      while (digit()) ++i_;
    }
    if (at('e') || at('E')) {
      ++i_;
      if (at('+') || at('-')) ++i_;
      if (!digit()) fail("digits expected in the exponent");
      while (digit()) ++i_;
    }
    double d = 0;
    const auto [ptr, ec] = std::from_chars(s_.data() + start, s_.data() + i_, d);
    if (ec != std::errc() || ptr != s_.data() + i_) {
      i_ = start;
      fail("number out of range");
    }
    return Value::number(d);
  }

  std::string_view s_;
  std::vector<std::size_t>* object_offsets_;
  std::string_view streamed_;
  const std::function<void(Value&&)>* on_element_ = nullptr;
  std::size_t i_ = 0;
};

}  // namespace

std::optional<Value> parse_json(std::string_view text, JsonError* error) {
  return parse_json(text, error, nullptr);
}

namespace {

// Parses with a reader set up by `configure`; a failure becomes `error`'s line and column.
template <typename Configure>
std::optional<Value> parse_document(std::string_view text, JsonError* error,
                                    std::vector<std::size_t>* object_offsets,
                                    const Configure& configure) {
  // RFC 8259 §8.1: a parser may ignore a byte-order mark; editors on Windows write one.
  const std::size_t bom = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  try {
    JsonReader reader(text.substr(bom), object_offsets);
    configure(reader);
    std::optional<Value> v = reader.document();
    if (object_offsets)
      for (std::size_t& o : *object_offsets) o += bom;
    return v;
  } catch (const ParseFailure& f) {
    if (error) {
      error->line = 1;
      error->column = 1;
      for (std::size_t k = bom; k < f.offset + bom && k < text.size(); ++k) {
        if (text[k] == '\n') {
          ++error->line;
          error->column = 1;
        } else {
          ++error->column;
        }
      }
      error->message = f.message;
    }
    return std::nullopt;
  }
}

}  // namespace

std::optional<Value> parse_json(std::string_view text, JsonError* error,
                                std::vector<std::size_t>* object_offsets) {
  return parse_document(text, error, object_offsets, [](JsonReader&) {});
}

std::optional<Value> parse_json_streaming(std::string_view text, std::string_view member,
                                          const std::function<void(Value&&)>& on_element,
                                          JsonError* error) {
  return parse_document(text, error, nullptr,
                        [&](JsonReader& reader) { reader.stream(member, &on_element); });
}

}  // namespace trsim
