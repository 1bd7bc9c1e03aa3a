#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "trsim/expression.hpp"
#include "trsim/value.hpp"

using trsim::EvalContext;
using trsim::Expression;
using trsim::ExpressionError;
using trsim::ExpressionScope;
using trsim::Value;

namespace {

Value str(const char* s) { return Value::string(s); }
Value num(double d) { return Value::number(d); }
Value boolean(bool b) { return Value::boolean(b); }
Value arr(Value::Array a) { return Value::array(std::move(a)); }
Value obj(Value::Object o) { return Value::object(std::move(o)); }

Expression parse_ok(std::string_view text, ExpressionScope scope = ExpressionScope::task) {
  ExpressionError error;
  std::optional<Expression> e = Expression::parse(text, scope, &error);
  INFO("expression: " << text << "\nerror at " << error.offset << ": " << error.message);
  REQUIRE(e.has_value());
  return *e;
}

ExpressionError parse_error(std::string_view text, ExpressionScope scope = ExpressionScope::task) {
  ExpressionError error;
  std::optional<Expression> e = Expression::parse(text, scope, &error);
  INFO("expression: " << text);
  REQUIRE_FALSE(e.has_value());
  return error;
}

/// The task attributes most tests read.
const Value& task_attributes() {
  static const Value v = obj({
      {"language", str("es")},
      {"languages", arr({str("en"), str("es")})},
      {"level", num(3)},
      {"score", num(2.5)},
      {"vip", boolean(true)},
      {"blocked", boolean(false)},
      {"nothing", Value()},
      {"name", str("Maria Lopez")},
      {"type", str("sales")},
      {"tags", arr({num(1), str("1"), boolean(true), Value(), arr({str("x")})})},
      {"customer", obj({{"tier", str("gold")},
                        {"orders", arr({obj({{"id", num(10)}}), obj({{"id", num(11)}})})}})},
  });
  return v;
}

/// Evaluates `text` in task scope against task_attributes().
bool on_task(std::string_view text) {
  EvalContext ctx;
  ctx.task = &task_attributes();
  return parse_ok(text, ExpressionScope::task).evaluate(ctx);
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's algorithm: days since 1970-01-01 in the proleptic Gregorian calendar.
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int64_t utc(std::int64_t y, unsigned m, unsigned d, int hh, int mm) {
  return days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Constants and keys

TEST_CASE("a default Expression is 1==1 in worker scope and is true", "[expression]") {
  const Expression e;
  CHECK(e.text() == "1==1");
  CHECK(e.scope() == ExpressionScope::worker);
  CHECK(e.is_always_true());
  CHECK_FALSE(e.reads_worker());
  CHECK(e.evaluate(EvalContext{}));
}

TEST_CASE("string constants take single or double quotes and backslash-escaped quotes",
          "[expression]") {
  CHECK(on_task("language == 'es'"));
  CHECK(on_task("language == \"es\""));
  CHECK(on_task("'es' == language"));
  CHECK(on_task(R"('it\'s' == "it's")"));
  CHECK(on_task(R"("say \"hi\"" == 'say "hi"')"));
  CHECK(on_task(R"('a\\b' == "a\\b")"));
  CHECK(on_task(R"('C:\temp' CONTAINS '\t')"));  // other backslashes stay as written
  CHECK(on_task("'' == \"\""));
}

TEST_CASE("number constants: integers, decimals, negatives, exponents", "[expression]") {
  CHECK(on_task("level == 3"));
  CHECK(on_task("level == 3.0"));
  CHECK(on_task("score == 2.5"));
  CHECK(on_task("score == 25e-1"));
  CHECK(on_task("level > -1"));
  CHECK(on_task("-0.5 < 0"));
  CHECK(on_task(".5 == 0.5"));
  CHECK(on_task("-.5 == -0.5"));
  CHECK(on_task("1E3 == 1000"));
}

TEST_CASE("true, false and null are constants, case-insensitively", "[expression]") {
  CHECK(on_task("vip == true"));
  CHECK(on_task("vip == TRUE"));
  CHECK(on_task("blocked == False"));
  CHECK(on_task("nothing == null"));
  CHECK(on_task("nothing == NULL"));
  CHECK_FALSE(on_task("blocked == null"));
}

TEST_CASE("array constants hold constants, nested arrays included", "[expression]") {
  CHECK(on_task("language IN ['en', 'es']"));
  CHECK(on_task("level IN [1, 2, 3]"));
  CHECK(on_task("languages == ['en', 'es']"));
  CHECK_FALSE(on_task("languages == ['es', 'en']"));  // order matters for equality
  CHECK(on_task("[] == []"));
  CHECK(on_task("[[1, 'a'], null, true] == [[1, 'a'], null, true]"));
  CHECK(on_task("tags HAS ['x']"));
}

TEST_CASE("a missing key evaluates to null", "[expression]") {
  CHECK(on_task("missing == null"));
  CHECK(on_task("customer.missing.deeper == null"));
  CHECK_FALSE(on_task("missing == 'x'"));
  CHECK_FALSE(on_task("missing > 0"));
  CHECK(on_task("missing != 'x'"));
}

TEST_CASE("dotted keys and (i) indexes read nested attributes", "[expression]") {
  CHECK(on_task("customer.tier == 'gold'"));
  CHECK(on_task("customer.orders[1].id == 11"));
  CHECK(on_task("languages[0] == 'en'"));
  CHECK(on_task("tags[4][0] == 'x'"));
  CHECK(on_task("customer.orders[2].id == null"));  // index past the end
  CHECK(on_task("language[0] == null"));            // index into a string
  CHECK(on_task("languages.first == null"));        // member of an array
  CHECK(on_task("customer[0] == null"));            // index into an object
}

TEST_CASE("identifiers take letters, digits and underscores", "[expression]") {
  EvalContext ctx;
  const Value task = obj({{"_x1", num(1)}, {"a_b", obj({{"c2", str("y")}})}});
  ctx.task = &task;
  CHECK(parse_ok("_x1 == 1").evaluate(ctx));
  CHECK(parse_ok("a_b.c2 == 'y'").evaluate(ctx));
}

// ---------------------------------------------------------------------------------------------
// Operators

TEST_CASE("== and = compare any types: same kind and equal value", "[expression]") {
  CHECK(on_task("language = 'es'"));
  CHECK(on_task("level == 3"));
  CHECK_FALSE(on_task("level == '3'"));  // number vs string: different kinds
  CHECK_FALSE(on_task("vip == 1"));
  CHECK(on_task("null == null"));
  CHECK_FALSE(on_task("language == 'ES'"));  // string comparison is case-sensitive
  CHECK(on_task("customer.orders[0] == customer.orders[0]"));
  CHECK_FALSE(on_task("customer.orders[0] == customer.orders[1]"));
  CHECK(on_task("languages = ['en','es']"));
}

TEST_CASE("!= is the negation of equality, wrong types included", "[expression]") {
  CHECK(on_task("language != 'en'"));
  CHECK_FALSE(on_task("language != 'es'"));
  CHECK(on_task("level != '3'"));
  CHECK(on_task("missing != 'x'"));
  CHECK_FALSE(on_task("missing != null"));
}

TEST_CASE("ordering compares numbers with numbers and strings with strings", "[expression]") {
  CHECK(on_task("level > 2"));
  CHECK_FALSE(on_task("level > 3"));
  CHECK(on_task("level >= 3"));
  CHECK(on_task("level < 3.5"));
  CHECK(on_task("level <= 3"));
  CHECK_FALSE(on_task("level < 3"));
  CHECK(on_task("type > 'apple'"));
  CHECK(on_task("type < 'sales2'"));
  CHECK(on_task("type >= 'sales'"));
  CHECK(on_task("'B' < 'a'"));  // byte order: upper case sorts first
}

TEST_CASE("ordering across kinds is false in both directions, never an error", "[expression]") {
  for (const char* text :
       {"level > '2'", "level < '4'", "level >= '3'", "level <= '3'", "language > 1", "vip > false",
        "missing > 0", "missing < 0", "nothing <= null", "languages > 1", "customer >= customer"}) {
    INFO(text);
    CHECK_FALSE(on_task(text));
  }
}

TEST_CASE("CONTAINS tests a substring, case-sensitively, and is false for other types",
          "[expression]") {
  CHECK(on_task("name CONTAINS 'Lopez'"));
  CHECK(on_task("name contains 'ria L'"));
  CHECK(on_task("name CONTAINS ''"));
  CHECK_FALSE(on_task("name CONTAINS 'lopez'"));
  CHECK_FALSE(on_task("languages CONTAINS 'es'"));  // an array is not a string
  CHECK_FALSE(on_task("level CONTAINS 3"));
  CHECK_FALSE(on_task("name CONTAINS 3"));
  CHECK_FALSE(on_task("missing CONTAINS 'a'"));
}

TEST_CASE("HAS and >- test that an array holds an element", "[expression]") {
  CHECK(on_task("languages HAS 'es'"));
  CHECK(on_task("languages >- 'en'"));
  CHECK(on_task("languages>-'en'"));
  CHECK_FALSE(on_task("languages HAS 'fr'"));
  CHECK(on_task("tags HAS 1"));
  CHECK(on_task("tags HAS '1'"));
  CHECK(on_task("tags HAS null"));
  CHECK(on_task("tags HAS true"));
  CHECK_FALSE(on_task("tags HAS 2"));
}

TEST_CASE("HAS on a scalar attribute is false, not an error", "[expression]") {
  CHECK_FALSE(on_task("language HAS 'es'"));
  CHECK_FALSE(on_task("level HAS 3"));
  CHECK_FALSE(on_task("missing HAS 'es'"));
  CHECK_FALSE(on_task("customer HAS 'gold'"));
}

TEST_CASE("IN and <- test that a value is an element of an array", "[expression]") {
  CHECK(on_task("language IN ['en', 'es']"));
  CHECK(on_task("language <- ['en', 'es']"));
  CHECK(on_task("language<-['es']"));
  CHECK_FALSE(on_task("language IN ['en', 'fr']"));
  CHECK(on_task("'en' IN languages"));
  CHECK(on_task("level IN [3.0]"));
  CHECK_FALSE(on_task("level IN ['3']"));
  CHECK_FALSE(on_task("language IN []"));
}

TEST_CASE("IN with an array on the left is true when any element is in the right", "[expression]") {
  CHECK(on_task("languages IN ['fr', 'es']"));
  CHECK_FALSE(on_task("languages IN ['fr', 'de']"));
  CHECK_FALSE(on_task("[] IN ['fr']"));
}

TEST_CASE("IN with a right operand that is not an array is false", "[expression]") {
  CHECK_FALSE(on_task("language IN 'es'"));  // not a substring test either
  CHECK_FALSE(on_task("language IN missing"));
  CHECK_FALSE(on_task("level IN 3"));
}

TEST_CASE("NOT IN is true only when the right operand is an array without the value",
          "[expression]") {
  CHECK(on_task("language NOT IN ['en', 'fr']"));
  CHECK_FALSE(on_task("language NOT IN ['es']"));
  CHECK(on_task("missing NOT IN ['es']"));  // null is not in the list
  CHECK_FALSE(on_task("language NOT IN 'fr'"));
  CHECK_FALSE(on_task("language NOT IN missing"));
  CHECK_FALSE(on_task("languages NOT IN ['es', 'de']"));
  CHECK(on_task("languages NOT IN ['de']"));
  CHECK(on_task("language not   in ['en']"));
}

TEST_CASE("AND, OR and NOT combine conditions", "[expression]") {
  CHECK(on_task("language == 'es' AND level == 3"));
  CHECK_FALSE(on_task("language == 'es' AND level == 4"));
  CHECK(on_task("language == 'en' OR level == 3"));
  CHECK_FALSE(on_task("language == 'en' OR level == 4"));
  CHECK(on_task("NOT language == 'en'"));
  CHECK_FALSE(on_task("NOT language == 'es'"));
  CHECK(on_task("NOT NOT language == 'es'"));
}

TEST_CASE("AND binds tighter than OR", "[expression]") {
  // true OR (false AND false): true; (true OR false) AND false would be false.
  CHECK(on_task("level == 3 OR level == 4 AND level == 5"));
  CHECK_FALSE(on_task("(level == 3 OR level == 4) AND level == 5"));
  // (false AND false) OR true
  CHECK(on_task("level == 4 AND level == 5 OR level == 3"));
}

TEST_CASE("NOT binds tighter than AND and looser than a comparison", "[expression]") {
  // (NOT false) AND false: false; NOT (false AND false) would be true.
  CHECK_FALSE(on_task("NOT level == 4 AND level == 5"));
  CHECK(on_task("NOT (level == 4 AND level == 5)"));
  CHECK(on_task("NOT level == 4 OR level == 5"));
}

TEST_CASE("parentheses group, nested and redundant", "[expression]") {
  CHECK(on_task("((level == 3))"));
  CHECK(on_task("(language == 'en' OR (language == 'es' AND (vip)))"));
  CHECK_FALSE(on_task("(((blocked)))"));
}

TEST_CASE("keywords are case-insensitive", "[expression]") {
  CHECK(on_task("languages has 'es' and level in [3] or false"));
  CHECK(on_task("languages Has 'es' AnD not language Contains 'x'"));
  CHECK(on_task("language Not In ['en']"));
  CHECK(on_task("LANGUAGE == null"));  // keys are not keywords, and are case-sensitive
}

TEST_CASE("a bare operand used as a condition is true iff it is boolean true", "[expression]") {
  CHECK(on_task("vip"));
  CHECK_FALSE(on_task("blocked"));
  CHECK_FALSE(on_task("missing"));
  CHECK_FALSE(on_task("level"));     // a number is not true
  CHECK_FALSE(on_task("language"));  // nor is a string
  CHECK(on_task("true"));
  CHECK_FALSE(on_task("false"));
  CHECK_FALSE(on_task("1"));
  CHECK(on_task("NOT blocked"));
  CHECK(on_task("NOT missing"));
  CHECK(on_task("vip AND level > 2"));
}

TEST_CASE("operators short-circuit without changing results", "[expression]") {
  CHECK(on_task("vip OR missing.x HAS 1"));
  CHECK_FALSE(on_task("blocked AND language == 'es'"));
  CHECK(on_task("blocked OR blocked OR blocked OR vip"));
  CHECK_FALSE(on_task("vip AND vip AND vip AND blocked"));
}

// ---------------------------------------------------------------------------------------------
// Scopes

TEST_CASE("task scope: bare keys are task attributes and task. is an ordinary key",
          "[expression]") {
  EvalContext ctx;
  const Value task = obj({{"language", str("es")}, {"task", obj({{"language", str("fr")}})}});
  ctx.task = &task;
  CHECK(parse_ok("language == 'es'").evaluate(ctx));
  CHECK(parse_ok("task.language == 'fr'").evaluate(ctx));  // the attribute named "task"
  CHECK_FALSE(parse_ok("language == 'es'").reads_worker());
}

TEST_CASE("worker scope: bare keys are worker attributes", "[expression]") {
  const Value attributes = obj({{"languages", arr({str("en"), str("es")})}, {"level", num(4)}});
  trsim::WorkerFacts worker;
  worker.attributes = &attributes;
  EvalContext ctx;
  ctx.worker = &worker;
  const Expression e = parse_ok("languages HAS 'es' AND level >= 4", ExpressionScope::worker);
  CHECK(e.evaluate(ctx));
  CHECK(e.reads_worker());
  CHECK_FALSE(parse_ok("level > 4", ExpressionScope::worker).evaluate(ctx));
  CHECK_FALSE(e.evaluate(EvalContext{}));  // no worker: every key is missing
}

TEST_CASE("target scope: task. reads the task, worker. and bare keys read the worker",
          "[expression]") {
  const Value task = obj({{"language", str("es")}, {"level", num(2)}});
  const Value attributes = obj({{"languages", arr({str("en"), str("es")})}, {"level", num(3)}});
  trsim::WorkerFacts worker;
  worker.attributes = &attributes;
  EvalContext ctx;
  ctx.task = &task;
  ctx.worker = &worker;
  const auto target = [&](std::string_view text) {
    return parse_ok(text, ExpressionScope::target).evaluate(ctx);
  };
  CHECK(target("worker.languages HAS task.language"));
  CHECK(target("task.language IN worker.languages"));
  CHECK(target("worker.level > task.level"));
  CHECK(target("level == 3"));  // bare: the worker's
  CHECK(target("task.level == 2"));
  CHECK(target("language == null"));  // the worker has no `language`
  CHECK(parse_ok("worker.level > 1", ExpressionScope::target).reads_worker());
  CHECK(parse_ok("level > 1", ExpressionScope::target).reads_worker());
  CHECK_FALSE(parse_ok("task.level > 1", ExpressionScope::target).reads_worker());
}

TEST_CASE("target scope: worker.sid, friendly_name, activity_name and channel facts",
          "[expression]") {
  const Value attributes = obj({{"sid", str("attribute-sid")}, {"channel", str("attr")}});
  const std::array<trsim::ChannelFacts, 2> channels = {
      trsim::ChannelFacts{"voice", 1, 2, 50, true},
      trsim::ChannelFacts{"chat", 0, 3, 100, true},
  };
  trsim::WorkerFacts worker;
  worker.attributes = &attributes;
  worker.sid = "WK0123456789abcdef0123456789abcdef";
  worker.friendly_name = "es-1";
  worker.activity_name = "Available";
  worker.channels = channels;
  const Value task = obj({{"agent", str("WK0123456789abcdef0123456789abcdef")}});
  EvalContext ctx;
  ctx.task = &task;
  ctx.worker = &worker;
  const auto target = [&](std::string_view text) {
    return parse_ok(text, ExpressionScope::target).evaluate(ctx);
  };
  // Special names take precedence over attributes of the same name.
  CHECK(target("worker.sid == 'WK0123456789abcdef0123456789abcdef'"));
  CHECK(target("worker.sid == task.agent"));
  CHECK(target("worker.friendly_name == 'es-1'"));
  CHECK(target("worker.activity_name == 'Available'"));
  CHECK(target("worker.channel.voice.assigned_tasks == 1"));
  CHECK(target("worker.channel.voice.configured_capacity == 2"));
  CHECK(target("worker.channel.voice.available_capacity_percentage == 50"));
  CHECK(target("worker.channel.chat.available_capacity_percentage > 50"));
  CHECK(target("worker.channel.video.assigned_tasks == null"));  // no such channel
  CHECK(target("worker.channel == 'attr'"));                     // not a special form
  CHECK(target("sid == 'attribute-sid'"));  // bare keys are attributes, no special names
  CHECK(parse_ok("worker.sid == 'x'", ExpressionScope::target).reads_worker());
}

TEST_CASE("special worker fields are plain attributes outside target scope", "[expression]") {
  const Value attributes = obj({{"worker", obj({{"sid", str("nested")}})}});
  trsim::WorkerFacts worker;
  worker.attributes = &attributes;
  worker.sid = "WKreal";
  EvalContext ctx;
  ctx.worker = &worker;
  CHECK(parse_ok("worker.sid == 'nested'", ExpressionScope::worker).evaluate(ctx));
}

TEST_CASE("skip_if scope: workers.available, workers.unavailable and workers.<activity>",
          "[expression]") {
  const std::array<std::pair<std::string_view, int>, 3> by_activity = {
      std::pair<std::string_view, int>{"Available", 2},
      std::pair<std::string_view, int>{"Break", 3},
      std::pair<std::string_view, int>{"Offline", 0},
  };
  trsim::WorkerCounts counts;
  counts.available = 2;
  counts.unavailable = 3;
  counts.by_activity = by_activity;
  const Value task = obj({{"priority_class", str("low")}, {"workers", num(9)}});
  EvalContext ctx;
  ctx.task = &task;
  ctx.workers = &counts;
  const auto skip = [&](std::string_view text) {
    return parse_ok(text, ExpressionScope::skip_if).evaluate(ctx);
  };
  CHECK(skip("workers.available == 2"));
  CHECK(skip("workers.unavailable == 3"));
  CHECK(skip("workers.Break > 2"));
  CHECK(skip("workers.Offline == 0"));
  CHECK(skip("workers.Lunch == 0"));  // an unknown activity counts 0
  CHECK(skip("workers.available < workers.Break"));
  CHECK(skip("task.priority_class == 'low'"));
  CHECK(skip("priority_class == 'low'"));  // bare keys are task attributes
  CHECK(skip("workers == 9"));             // `workers` alone is an attribute
  CHECK_FALSE(parse_ok("workers.available == 0", ExpressionScope::skip_if).reads_worker());

  EvalContext no_counts;
  no_counts.task = &task;
  CHECK(parse_ok("workers.available == null", ExpressionScope::skip_if).evaluate(no_counts));
}

TEST_CASE("taskrouter.* clock values at 2026-03-02T08:05:00Z, a Monday", "[expression]") {
  EvalContext ctx;
  ctx.wall_clock_seconds = utc(2026, 3, 2, 8, 5);
  REQUIRE(ctx.wall_clock_seconds == 1772438700);
  for (const ExpressionScope scope : {ExpressionScope::task, ExpressionScope::worker,
                                      ExpressionScope::target, ExpressionScope::skip_if}) {
    CHECK(parse_ok("taskrouter.currentTime == 805", scope).evaluate(ctx));
    CHECK(parse_ok("taskrouter.currentHour == 8", scope).evaluate(ctx));
    CHECK(parse_ok("taskrouter.currentMin == 5", scope).evaluate(ctx));
    CHECK(parse_ok("taskrouter.dayOfWeek == 'Mon'", scope).evaluate(ctx));
  }
  CHECK(parse_ok("taskrouter.currentTime >= 800 AND taskrouter.currentTime < 1700").evaluate(ctx));
  CHECK(parse_ok("taskrouter.dayOfWeek IN ['Mon','Tue','Wed','Thu','Fri']").evaluate(ctx));
}

TEST_CASE("taskrouter.* clock values across days, at midnight and before 1970", "[expression]") {
  struct Case {
    std::int64_t seconds;
    int hhmm;
    const char* day;
  };
  const Case cases[] = {
      {utc(2026, 3, 8, 23, 59), 2359, "Sun"},
      {utc(2026, 3, 7, 0, 0), 0, "Sat"},
      {utc(2026, 3, 3, 9, 30), 930, "Tue"},
      {utc(2026, 3, 4, 12, 0), 1200, "Wed"},
      {utc(2026, 3, 5, 12, 0), 1200, "Thu"},
      {utc(2026, 3, 6, 12, 0), 1200, "Fri"},
      {0, 0, "Thu"},
      {-1800, 2330, "Wed"},  // 1969-12-31T23:30:00Z
      {utc(2000, 2, 29, 13, 1), 1301, "Tue"},
  };
  for (const Case& c : cases) {
    EvalContext ctx;
    ctx.wall_clock_seconds = c.seconds;
    INFO(c.seconds);
    CHECK(parse_ok("taskrouter.currentTime == " + std::to_string(c.hhmm)).evaluate(ctx));
    CHECK(parse_ok(std::string("taskrouter.dayOfWeek == '") + c.day + "'").evaluate(ctx));
  }
}

TEST_CASE(
    "taskrouter names take precedence over attributes, and other taskrouter keys are attributes",
    "[expression]") {
  const Value task = obj({{"taskrouter", obj({{"currentTime", num(1)}, {"other", num(2)}})}});
  EvalContext ctx;
  ctx.task = &task;
  ctx.wall_clock_seconds = utc(2026, 3, 2, 8, 5);
  CHECK(parse_ok("taskrouter.currentTime == 805").evaluate(ctx));
  CHECK(parse_ok("taskrouter.other == 2").evaluate(ctx));
}

// ---------------------------------------------------------------------------------------------
// Compile-time facts

TEST_CASE("is_always_true for constant-true expressions only", "[expression]") {
  for (const char* text :
       {"1==1", "true", "'a'=='a'", "1 = 1", "TRUE", "(1==1)", "1==1 OR language == 'es'",
        "NOT 1 == 2", "[1,2] HAS 2", "language == 'es' OR true", "true AND 2 > 1"}) {
    INFO(text);
    CHECK(parse_ok(text).is_always_true());
  }
  for (const char* text :
       {"1==2", "false", "language == 'es'", "vip", "1==1 AND vip", "NOT true", "'a' == 'A'"}) {
    INFO(text);
    CHECK_FALSE(parse_ok(text).is_always_true());
  }
}

TEST_CASE("folded expressions evaluate like the unfolded ones", "[expression]") {
  CHECK(on_task("1==1 AND language == 'es'"));
  CHECK_FALSE(on_task("1==2 AND language == 'es'"));
  CHECK(on_task("1==2 OR language == 'es'"));
  CHECK_FALSE(on_task("NOT (1==1) OR blocked"));
  CHECK(on_task("NOT (1==2 AND vip)"));
}

TEST_CASE("reads_worker reflects only what the expression can still read", "[expression]") {
  CHECK_FALSE(parse_ok("1==1", ExpressionScope::worker).reads_worker());
  CHECK(parse_ok("skills HAS 'x'", ExpressionScope::worker).reads_worker());
  CHECK_FALSE(parse_ok("true OR skills HAS 'x'", ExpressionScope::worker).reads_worker());
  CHECK_FALSE(parse_ok("taskrouter.currentHour > 8", ExpressionScope::worker).reads_worker());
  CHECK(
      parse_ok("worker.channel.voice.assigned_tasks == 0", ExpressionScope::target).reads_worker());
}

TEST_CASE("comparisons lists each comparison in text order with path, operator and constant",
          "[expression]") {
  const Expression e = parse_ok(
      "languages HAS 'es' AND (level >= 3 OR 'gold' IN tiers) AND worker.a <- task.b "
      "AND x NOT IN [1] AND y = 2 AND vip AND z >- 'q' AND n CONTAINS 'm' AND 1 != 2",
      ExpressionScope::target);
  const std::vector<trsim::ExpressionComparison> c = e.comparisons();
  REQUIRE(c.size() == 9);
  CHECK(c[0].path == "languages");
  CHECK(c[0].op == "HAS");
  REQUIRE(c[0].constant.has_value());
  CHECK(*c[0].constant == str("es"));
  CHECK(c[0].offset == 0);
  CHECK_FALSE(c[0].constant_first);

  CHECK(c[1].path == "level");
  CHECK(c[1].op == ">=");
  CHECK(*c[1].constant == num(3));
  CHECK(c[1].offset == 24);

  CHECK(c[2].path == "tiers");
  CHECK(c[2].op == "IN");
  CHECK(c[2].constant_first);
  CHECK(*c[2].constant == str("gold"));

  CHECK(c[3].path == "worker.a");
  CHECK(c[3].other_path == "task.b");
  CHECK(c[3].op == "IN");
  CHECK_FALSE(c[3].constant.has_value());

  CHECK(c[4].op == "NOT_IN");
  CHECK(*c[4].constant == arr({num(1)}));
  CHECK(c[5].op == "==");
  CHECK(c[6].op == "HAS");
  CHECK(c[7].op == "CONTAINS");
  CHECK(c[8].op == "!=");
  CHECK(c[8].path.empty());
}

TEST_CASE("expression copies share one program and evaluate concurrently", "[expression]") {
  const Expression original = parse_ok("languages HAS 'es' AND level > 2 AND vip");
  std::vector<std::thread> threads;
  std::array<int, 4> true_counts{};
  for (std::size_t t = 0; t < true_counts.size(); ++t) {
    threads.emplace_back([&, t, copy = original] {
      EvalContext ctx;
      ctx.task = &task_attributes();
      for (int i = 0; i < 5000; ++i) true_counts[t] += copy.evaluate(ctx) ? 1 : 0;
    });
  }
  for (std::thread& th : threads) th.join();
  for (const int n : true_counts) CHECK(n == 5000);
  CHECK(original.text() == "languages HAS 'es' AND level > 2 AND vip");
}

// ---------------------------------------------------------------------------------------------
// Errors

TEST_CASE("a hyphen inside a key is a parse error that says why", "[expression]") {
  const ExpressionError e = parse_error("first-name == 'Ann'");
  CHECK(e.offset == 5);
  CHECK_THAT(e.message, Catch::StartsWith("hyphens are not allowed in attribute names; "));
  CHECK_THAT(e.message, Catch::Contains("first-name") && Catch::Contains("first_name"));

  const ExpressionError nested = parse_error("worker.skill-level > 2", ExpressionScope::target);
  CHECK(nested.offset == 12);
  CHECK_THAT(nested.message, Catch::StartsWith("hyphens are not allowed"));
}

TEST_CASE("two operands without an operator name what was expected", "[expression]") {
  const ExpressionError e = parse_error("language es");
  CHECK(e.offset == 9);
  CHECK(e.message == "expected an operator after 'language', found 'es'");
  CHECK(parse_error("language 'es'").message ==
        "expected an operator after 'language', found 'es'");
  CHECK(parse_error("level 3").offset == 6);
}

TEST_CASE("an unterminated string is reported at its opening quote", "[expression]") {
  const ExpressionError e = parse_error("language == 'es");
  CHECK(e.offset == 12);
  CHECK_THAT(e.message, Catch::StartsWith("unterminated string"));
  CHECK(parse_error("x == \"abc\\\"").offset == 5);  // the escaped quote does not close it
}

TEST_CASE("unbalanced parentheses are reported at the offending parenthesis", "[expression]") {
  const ExpressionError open = parse_error("(language == 'es' AND (level > 1)");
  CHECK(open.offset == 0);
  CHECK_THAT(open.message, Catch::StartsWith("unbalanced parenthesis"));

  const ExpressionError close = parse_error("language == 'es')");
  CHECK(close.offset == 16);
  CHECK_THAT(close.message, Catch::StartsWith("unbalanced parenthesis"));

  CHECK(parse_error("()").message == "expected a key, a constant, NOT or '(' after '(', found ')'");
  CHECK(parse_error("(a == 1 b)").message == "expected AND, OR or ')' after '1', found 'b'");
}

TEST_CASE("an empty expression is an error", "[expression]") {
  CHECK(parse_error("").message == "empty expression");
  const ExpressionError blank = parse_error("   \t ");
  CHECK(blank.message == "empty expression");
  CHECK(blank.offset == 0);
}

TEST_CASE("trailing input after a complete expression is an error", "[expression]") {
  const ExpressionError e = parse_error("level == 3 level");
  CHECK(e.offset == 11);
  CHECK(e.message == "expected AND, OR or the end of the expression after '3', found 'level'");
  CHECK(parse_error("a == 1 == 2").offset == 7);
}

TEST_CASE("a missing operand names the operator it follows", "[expression]") {
  const ExpressionError e = parse_error("level >=");
  CHECK(e.offset == 8);
  CHECK(e.message == "expected a key or a constant after '>=', found the end of the expression");
  CHECK(parse_error("a NOT IN").message ==
        "expected a key or a constant after 'NOT IN', found the end of the expression");
  CHECK(parse_error("a == 1 AND").message ==
        "expected a key, a constant, NOT or '(' after 'AND', found the end of the expression");
  CHECK(parse_error("== 1").message == "expected a key, a constant, NOT or '(', found '=='");
  CHECK(parse_error("a == (b)").offset == 5);
}

TEST_CASE("lexical and grammar errors give their offsets", "[expression]") {
  struct Case {
    const char* text;
    std::size_t offset;
    const char* message_start;
  };
  const Case cases[] = {
      {"a NOT b", 6, "expected IN after NOT"},
      {"a ! b", 2, "unexpected '!'"},
      {"a == @", 5, "unexpected character '@'"},
      {"a == 1abc", 5, "invalid number '1abc'"},
      {"a == 1.2.3", 5, "invalid number"},
      {"a == 1.", 5, "invalid number"},
      {"a == 1e999", 5, "number '1e999' is out of range"},
      {"a. == 1", 2, "expected an attribute name after 'a.'"},
      {"a[] == 1", 2, "expected an array index"},
      {"a[x] == 1", 2, "expected an array index"},
      {"a[1 == 1", 3, "expected ']'"},
      {"a[99999999999] == 1", 2, "array index '99999999999' is too large"},
      {"a IN [1, 2", 5, "unbalanced bracket"},
      {"a IN [1 2]", 8, "expected ',' or ']' in the array"},
      {"a IN [1,]", 8, "expected a constant in the array"},
      {"a IN [b]", 6, "arrays hold only constants"},
      {"a == 'x' AND b == \xc3\xa9", 18, "unexpected byte 0xc3"},
      {"a - 1", 2, "unexpected character '-'"},
      {"NOT IN [1]", 4, "expected a key, a constant, NOT or '(' after 'NOT', found 'IN'"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    const ExpressionError e = parse_error(c.text);
    CHECK(e.offset == c.offset);
    CHECK_THAT(e.message, Catch::StartsWith(c.message_start));
  }
}

TEST_CASE("the first error in the text is reported", "[expression]") {
  // The grammar error at 'b' comes before the unterminated string.
  const ExpressionError e = parse_error("a b == 'unterminated");
  CHECK(e.offset == 2);
  CHECK(e.message == "expected an operator after 'a', found 'b'");
}

TEST_CASE(">- and <- are read greedily, as TaskRouter does", "[expression]") {
  // `level>-1` is `level HAS 1` (false on a number), not `level > -1`.
  CHECK_FALSE(on_task("level>-1"));
  CHECK(on_task("level > -1"));
}

TEST_CASE("deep nesting is rejected with an error, not a crash", "[expression]") {
  const std::string deep_parens = std::string(100000, '(') + "a == 1" + std::string(100000, ')');
  const ExpressionError parens = parse_error(deep_parens);
  CHECK_THAT(parens.message, Catch::StartsWith("expression nested too deeply"));
  CHECK(parens.offset == 200);

  std::string deep_not;
  for (int i = 0; i < 10000; ++i) deep_not += "NOT ";
  deep_not += "vip";
  CHECK_THAT(parse_error(deep_not).message, Catch::StartsWith("expression nested too deeply"));

  const std::string deep_array = "a IN " + std::string(5000, '[') + std::string(5000, ']');
  CHECK_THAT(parse_error(deep_array).message, Catch::StartsWith("expression nested too deeply"));

  // 150 levels is deep but allowed.
  const std::string ok = std::string(150, '(') + "level == 3" + std::string(150, ')');
  CHECK(on_task(ok));
}

TEST_CASE("long flat expressions parse and evaluate", "[expression]") {
  std::string text = "level == 0";
  for (int i = 1; i < 20000; ++i) text += " OR level == " + std::to_string(i);
  CHECK(on_task(text));
  std::string all = "vip";
  for (int i = 0; i < 20000; ++i) all += " AND vip";
  CHECK(on_task(all));
  const std::string long_string = "name == '" + std::string(1'000'000, 'x') + "'";
  CHECK_FALSE(on_task(long_string));
}

TEST_CASE("random and mutated input never crashes the parser", "[expression]") {
  std::mt19937_64 rng(20260302);
  const std::vector<std::string> seeds = {
      "languages HAS 'es' AND level >= 3",
      "(task.language == worker.language OR NOT vip) AND x NOT IN [1, 'a', [true, null]]",
      "worker.channel.voice.assigned_tasks < 2 OR workers.available == 0",
      "a.b[0].c <- ['x'] OR d >- \"y\" AND e CONTAINS 'z' AND taskrouter.currentTime > 900",
  };
  const std::string alphabet = "abcXYZ_019.[](),'\"\\ =!<>-+eE\t\n@#NOTINANDORHAS\x01\xff";
  const auto pick = [&](std::size_t n) {
    return static_cast<std::size_t>(rng() % static_cast<std::uint64_t>(n));
  };
  const ExpressionScope scopes[] = {ExpressionScope::task, ExpressionScope::worker,
                                    ExpressionScope::target, ExpressionScope::skip_if};
  const Value attributes = task_attributes();
  const std::array<trsim::ChannelFacts, 1> channels = {
      trsim::ChannelFacts{"voice", 1, 2, 50, true}};
  trsim::WorkerFacts worker;
  worker.attributes = &attributes;
  worker.channels = channels;
  trsim::WorkerCounts counts;
  EvalContext ctx;
  ctx.task = &attributes;
  ctx.worker = &worker;
  ctx.workers = &counts;

  int parsed = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string text;
    if (i % 2 == 0) {
      // Random characters from the expression alphabet.
      const std::size_t length = pick(60);
      for (std::size_t k = 0; k < length; ++k) text += alphabet[pick(alphabet.size())];
    } else {
      // A valid expression with a few characters replaced, inserted or deleted.
      text = seeds[pick(seeds.size())];
      const std::size_t edits = 1 + pick(4);
      for (std::size_t k = 0; k < edits && !text.empty(); ++k) {
        const std::size_t at = pick(text.size());
        switch (pick(3)) {
          case 0:
            text[at] = alphabet[pick(alphabet.size())];
            break;
          case 1:
            text.insert(at, 1, alphabet[pick(alphabet.size())]);
            break;
          default:
            text.erase(at, 1);
            break;
        }
      }
    }
    ExpressionError error;
    const std::optional<Expression> e = Expression::parse(text, scopes[pick(4)], &error);
    if (e) {
      ++parsed;
      (void)e->evaluate(ctx);
      (void)e->comparisons();
    } else {
      INFO(text);
      CHECK(error.offset <= text.size());
      CHECK_FALSE(error.message.empty());
    }
  }
  CHECK(parsed > 0);  // some mutations stay valid, so evaluation is exercised too
}

TEST_CASE("parse accepts a null error pointer", "[expression]") {
  CHECK_FALSE(Expression::parse("a ==", ExpressionScope::task, nullptr).has_value());
  CHECK(Expression::parse("a == 1", ExpressionScope::task, nullptr).has_value());
}

TEST_CASE(
    "reads_clock tells whether an expression reads taskrouter.* (the router caches the others)",
    "[expression]") {
  CHECK_FALSE(parse_ok("skill == 's1' AND tier >= 2").reads_clock());
  CHECK_FALSE(Expression().reads_clock());
  CHECK(parse_ok("taskrouter.currentHour < 9").reads_clock());
  CHECK(parse_ok("skill == 's1' OR taskrouter.dayOfWeek == 'Sat'").reads_clock());
  CHECK(parse_ok("taskrouter.currentTime >= 1730 AND NOT (skill == 's1')").reads_clock());
  CHECK(parse_ok("taskrouter.currentMin IN [0, 30]").reads_clock());
}
