#include "load/distribution.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <string_view>
#include <vector>

#include "load/csv.hpp"
#include "model/units.hpp"

namespace trsim::detail {

namespace {

// The parameters of a family; reports each missing one at the family's key.
struct Params {
  const Reader& reader;
  const Item& family;
  MapView map;
  bool ok;

  Params(const Reader& r, const Item& f, KeySet allowed)
      : reader(r), family(f), map(r, f, allowed), ok(map.ok()) {}

  const Item* need(std::string_view key) {
    const Item* item = map.find(key);
    if (item == nullptr && map.complete()) {
      reader.diags().error(reader.key_at(family), fmt::format("'{}' needs '{}'", family.name, key));
      ok = false;
    }
    return item;
  }

  std::optional<double> seconds(std::string_view key, bool positive) {
    const Item* item = need(key);
    if (item == nullptr) return std::nullopt;
    const std::optional<SimTime> d = reader.duration(*item);
    if (!d) {
      ok = false;
      return std::nullopt;
    }
    if (positive && *d <= 0) {
      reader.error(*item, fmt::format("'{}' of {} must be > 0", key, family.name));
      ok = false;
      return std::nullopt;
    }
    return to_seconds(*d);
  }
};

std::optional<std::vector<double>> empirical_from_file(LoadContext& ctx, const Reader& reader,
                                                       const Item& file_item) {
  const Source* src = ctx.load_file(reader, file_item);
  if (src == nullptr) return std::nullopt;
  std::vector<double> values;
  bool ok = true;
  bool first = true;
  const std::optional<CsvError> csv_error = for_each_csv_row(src->text, [&](const CsvRow& row) {
    const bool header_allowed = first;
    first = false;
    const CsvField& cell = row.fields.front();
    if (cell.text.empty() || cell.text.front() == '#') return true;  // comments, empty first cells
    std::string why;
    const bool negative = cell.text.front() == '-';
    const std::optional<SimTime> d = negative ? std::nullopt : parse_duration(cell.text, &why);
    if (d) {
      values.push_back(to_seconds(*d));
      return true;
    }
    // A first row that is not a value is a header ("handle_time").
    if (header_allowed && !negative && !std::isdigit(static_cast<unsigned char>(cell.text.front())))
      return true;
    if (negative) why = fmt::format("negative value '{}'; durations must be >= 0", cell.text);
    ctx.diags.error({src->file, row.line, cell.column}, why);
    ok = false;
    return true;
  });
  if (csv_error) {
    ctx.diags.error({src->file, csv_error->line, csv_error->column}, csv_error->message);
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  if (values.empty()) {
    reader.error(file_item, fmt::format("'{}' holds no values", file_item.node.Scalar()));
    return std::nullopt;
  }
  return values;
}

std::optional<Distribution> read_empirical(LoadContext& ctx, const Reader& reader,
                                           const Item& family) {
  std::vector<double> values;
  if (family.node.IsMap()) {
    Params p(reader, family, KeySet::empirical);
    const Item* file = p.need("file");
    if (file == nullptr) return std::nullopt;
    std::optional<std::vector<double>> v = empirical_from_file(ctx, reader, *file);
    if (!v) return std::nullopt;
    values = std::move(*v);
  } else {
    if (family.node.IsScalar()) {
      reader.error(family, "'empirical' takes a list of durations or {file: path}");
      return std::nullopt;
    }
    const std::optional<std::vector<Item>> items = reader.list(family);
    if (!items) return std::nullopt;
    bool ok = true;
    for (const Item& element : *items) {
      const std::optional<SimTime> d = reader.duration(element);
      if (d)
        values.push_back(to_seconds(*d));
      else
        ok = false;
    }
    if (!ok) return std::nullopt;
    if (values.empty()) {
      reader.error(family, "'empirical' needs at least one value");
      return std::nullopt;
    }
  }
  return Distribution::empirical(std::move(values));
}

std::optional<Distribution> read_family(LoadContext& ctx, const Reader& reader,
                                        std::string_view name, const Item& family) {
  if (name == "constant") {
    const std::optional<SimTime> d = reader.duration(family);
    if (!d) return std::nullopt;
    return Distribution::constant(to_seconds(*d));
  }
  if (name == "exponential") {
    Params p(reader, family, KeySet::exponential);
    const auto mean = p.seconds("mean", true);
    if (!p.ok || !mean) return std::nullopt;
    return Distribution::exponential(*mean);
  }
  if (name == "uniform") {
    Params p(reader, family, KeySet::uniform);
    const auto min = p.seconds("min", false);
    const auto max = p.seconds("max", false);
    if (!p.ok || !min || !max) return std::nullopt;
    if (*max < *min) {
      reader.error(*p.map.find("max"), fmt::format("uniform: 'max' ({}s) must be >= 'min' ({}s)",
                                                   describe_number(*max), describe_number(*min)));
      return std::nullopt;
    }
    return Distribution::uniform(*min, *max);
  }
  if (name == "normal" || name == "lognormal" || name == "gamma") {
    Params p(reader, family,
             name == "normal" ? KeySet::normal
                              : (name == "lognormal" ? KeySet::lognormal : KeySet::gamma));
    // A normal may have mean 0 (it is truncated at 0); the others need a positive mean.
    const auto mean = p.seconds("mean", name != "normal");
    const auto sd = p.seconds("sd", false);
    if (!p.ok || !mean || !sd) return std::nullopt;
    if (name == "normal") return Distribution::normal(*mean, *sd);
    if (name == "lognormal") return Distribution::lognormal(*mean, *sd);
    return Distribution::gamma(*mean, *sd);
  }
  if (name == "weibull") {
    Params p(reader, family, KeySet::weibull);
    std::optional<double> shape;
    if (const Item* item = p.need("shape")) {
      shape = reader.number(*item);
      if (shape && *shape <= 0) {
        reader.error(*item,
                     fmt::format("weibull: 'shape' must be > 0 (got {})", describe_number(*shape)));
        shape.reset();
      }
    }
    const auto scale = p.seconds("scale", true);
    if (!p.ok || !shape || !scale) return std::nullopt;
    return Distribution::weibull(*shape, *scale);
  }
  return read_empirical(ctx, reader, family);
}

}  // namespace

std::optional<Distribution> read_distribution(LoadContext& ctx, const Reader& reader,
                                              const Item& item) {
  if (item.node.IsScalar()) {
    const std::optional<SimTime> d = reader.duration(item);
    if (!d) return std::nullopt;
    return Distribution::constant(to_seconds(*d));
  }
  if (!item.node.IsMap()) {
    reader.error(item, fmt::format("expected a duration or a distribution for '{}', got {}",
                                   item.name, Reader::describe(item.node)));
    return std::nullopt;
  }
  MapView map(reader, item, KeySet::distribution);
  if (map.entries().size() != 1) {
    if (map.entries().empty() && item.node.size() == 0)
      reader.error(
          item,
          fmt::format("'{}' names no distribution (use one of constant, exponential, uniform, "
                      "normal, lognormal, gamma, weibull, empirical)",
                      item.name));
    else if (map.entries().size() > 1)
      reader.diags().error(reader.key_at(map.entries()[1].item),
                           fmt::format("'{}' must name exactly one distribution", item.name));
    return std::nullopt;
  }
  const MapView::Entry& e = map.entries().front();
  std::optional<Distribution> d = read_family(ctx, reader, e.key, e.item);
  if (d) {
    // The family checks above cover each parameter at its place; this catches what they cannot
    // see (e.g. a combination the sampler cannot honour).
    if (const std::string why = d->validation_error(); !why.empty()) {
      reader.error(e.item, why);
      return std::nullopt;
    }
  }
  return d;
}

}  // namespace trsim::detail
