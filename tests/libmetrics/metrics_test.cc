// The metrics registry and the Prometheus text exposition format 0.0.4
// (candor/metrics/metrics.h, exposition.h): escaping, histogram buckets,
// the label cardinality cap, concurrent updates.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "candor/metrics/exposition.h"
#include "candor/metrics/metrics.h"

namespace candor::metrics {
namespace {

size_t CountLines(const std::string& text, const std::string& prefix) {
  size_t n = 0, pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (text.compare(pos, prefix.size(), prefix) == 0) ++n;
    pos = end + 1;
  }
  return n;
}

TEST_CASE("label values and help texts are escaped as the exposition format says") {
  struct Case {
    std::string in, label, help;
  };
  const Case cases[] = {
      {"plain", "plain", "plain"},
      {"a\\b", "a\\\\b", "a\\\\b"},
      {"say \"hi\"", "say \\\"hi\\\"", "say \"hi\""},
      {"two\nlines", "two\\nlines", "two\\nlines"},
      {"\\\"\n", "\\\\\\\"\\n", "\\\\\"\\n"},
      {"caf\xc3\xa9 {x=\"1\"}", "caf\xc3\xa9 {x=\\\"1\\\"}", "caf\xc3\xa9 {x=\"1\"}"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    CHECK(EscapeLabelValue(c.in) == c.label);
    CHECK(EscapeHelp(c.in) == c.help);
  }
}

TEST_CASE("sample values: integers exact, fractions round-trip, infinities by name") {
  CHECK(FormatSampleValue(0) == "0");
  CHECK(FormatSampleValue(42) == "42");
  CHECK(FormatSampleValue(-1) == "-1");
  CHECK(FormatSampleValue(18446744073709551615.0) == "1.8446744073709552e+19");
  CHECK(FormatSampleValue(0.25) == "0.25");
  CHECK(std::stod(FormatSampleValue(0.1)) == 0.1);
  CHECK(FormatSampleValue(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(FormatSampleValue(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(FormatSampleValue(std::nan("")) == "NaN");
}

TEST_CASE("a counter family renders HELP, TYPE and one line per label set, values escaped") {
  Registry r;
  auto& c = r.AddCounter("candor_test_things_total", "Things.\nSecond \\ line.", {"kind", "code"});
  c.With({"a\"b", "200"}).Inc(3);
  c.With({"x\ny", "404"}).Inc();
  c.With({"a\"b", "200"}).Inc();
  CHECK(r.Render() ==
        "# HELP candor_test_things_total Things.\\nSecond \\\\ line.\n"
        "# TYPE candor_test_things_total counter\n"
        "candor_test_things_total{kind=\"a\\\"b\",code=\"200\"} 4\n"
        "candor_test_things_total{kind=\"x\\ny\",code=\"404\"} 1\n");
}

TEST_CASE("histogram buckets are cumulative, +Inf equals _count, le is inclusive") {
  Registry r;
  auto& h = r.AddHistogram("candor_test_seconds", "Latency.", {"w"}, {1, 2, 5});
  for (double v : {0.5, 1.0, 1.5, 3.0, 10.0}) h.With({"w1"}).Observe(v);
  CHECK(r.Render() ==
        "# HELP candor_test_seconds Latency.\n"
        "# TYPE candor_test_seconds histogram\n"
        "candor_test_seconds_bucket{w=\"w1\",le=\"1\"} 2\n"
        "candor_test_seconds_bucket{w=\"w1\",le=\"2\"} 3\n"
        "candor_test_seconds_bucket{w=\"w1\",le=\"5\"} 4\n"
        "candor_test_seconds_bucket{w=\"w1\",le=\"+Inf\"} 5\n"
        "candor_test_seconds_sum{w=\"w1\"} 16\n"
        "candor_test_seconds_count{w=\"w1\"} 5\n");
  Histogram::Snapshot s = h.With({"w1"}).Read();
  CHECK(s.cumulative == std::vector<uint64_t>{2, 3, 4});
  CHECK(s.count == 5);
}

TEST_CASE("a histogram without labels renders only le") {
  Registry r;
  auto& h = r.AddHistogram("candor_test_size", "Sizes.", {}, {0.5});
  h.With({}).Observe(0.25);
  const std::string out = r.Render();
  CHECK(out.find("candor_test_size_bucket{le=\"0.5\"} 1\n") != std::string::npos);
  CHECK(out.find("candor_test_size_bucket{le=\"+Inf\"} 1\n") != std::string::npos);
  CHECK(out.find("candor_test_size_sum 0.25\n") != std::string::npos);
  CHECK(out.find("candor_test_size_count 1\n") != std::string::npos);
}

TEST_CASE("label sets beyond the cap share one overflow series: bounded output") {
  Registry r;
  auto& c = r.AddCounter("candor_test_paths_total", "Paths.", {"route"}, 4);
  for (int i = 0; i < 1000; ++i) c.With({"/hostile/" + std::to_string(i)}).Inc();
  const std::string out = r.Render();
  // Three distinct series, then everything else in "overflow".
  CHECK(CountLines(out, "candor_test_paths_total{") == 4);
  CHECK(out.find("candor_test_paths_total{route=\"overflow\"} 997\n") != std::string::npos);
  CHECK(out.find("/hostile/3\"") == std::string::npos);
  // A label set seen before the cap keeps its own series.
  c.With({"/hostile/0"}).Inc();
  CHECK(r.Render().find("candor_test_paths_total{route=\"/hostile/0\"} 2\n") != std::string::npos);
}

TEST_CASE("gauges: set values and values computed at scrape time") {
  Registry r;
  r.AddGauge("candor_test_level", "Level.").With({}).Set(-2.5);
  int calls = 0;
  r.AddGaugeFunction("candor_test_now", "Computed.", [&calls] { return double(++calls); });
  const std::string first = r.Render();
  CHECK(first.find("\ncandor_test_level -2.5\n") != std::string::npos);
  CHECK(first.find("# TYPE candor_test_now gauge\ncandor_test_now 1\n") != std::string::npos);
  CHECK(r.Render().find("\ncandor_test_now 2\n") != std::string::npos);
}

TEST_CASE("a family without labels is scraped as 0 before its first update") {
  Registry r;
  r.AddCounter("candor_test_idle_total", "Idle.");
  r.AddHistogram("candor_test_idle_seconds", "Idle.", {}, {1});
  auto& labelled = r.AddCounter("candor_test_labelled_total", "Labelled.", {"code"});
  const std::string out = r.Render();
  CHECK(out.find("\ncandor_test_idle_total 0\n") != std::string::npos);
  CHECK(out.find("\ncandor_test_idle_seconds_count 0\n") != std::string::npos);
  // A labelled family has no series until a label set is used.
  CHECK(out.find("candor_test_labelled_total{") == std::string::npos);
  labelled.With({"x"});
  CHECK(r.Render().find("candor_test_labelled_total{code=\"x\"} 0\n") != std::string::npos);
}

TEST_CASE("concurrent updates are all counted") {
  Registry r;
  auto& c = r.AddCounter("candor_test_ops_total", "Ops.", {"t"});
  auto& h = r.AddHistogram("candor_test_op_seconds", "Op.", {}, {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&c, &h, t] {
      for (int i = 0; i < 10000; ++i) {
        c.With({std::to_string(t % 2)}).Inc();
        h.With({}).Observe(0.5);
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(c.With({"0"}).Value() == 20000);
  CHECK(c.With({"1"}).Value() == 20000);
  CHECK(h.With({}).Read().count == 40000);
  CHECK(h.With({}).Read().sum == 20000);
}

}  // namespace
}  // namespace candor::metrics
