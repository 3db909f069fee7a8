// The metrics registry (see metrics.h).
#include "candor/metrics/metrics.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "candor/metrics/exposition.h"

namespace candor::metrics {
namespace {

[[noreturn]] void Bug(const std::string& what) {
  std::fprintf(stderr, "candor metrics: %s\n", what.c_str());
  std::abort();
}

bool ValidName(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Adds `delta` to a double kept as bits in an atomic.
void AddDouble(std::atomic<uint64_t>& bits, double delta) {
  uint64_t old = bits.load(std::memory_order_relaxed);
  while (!bits.compare_exchange_weak(old,
                                     std::bit_cast<uint64_t>(std::bit_cast<double>(old) + delta),
                                     std::memory_order_relaxed)) {
  }
}

void Sample(std::string& out, const std::string& name, std::string_view suffix,
            const std::string& labels, const std::string& value) {
  out += name;
  out += suffix;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

// A gauge computed at scrape time (Registry::AddGaugeFunction).
class FunctionFamily final : public FamilyBase {
 public:
  FunctionFamily(std::string name, std::string help, std::function<double()> read)
      : FamilyBase(std::move(name), std::move(help), MetricType::kGauge, {}, 1),
        read_(std::move(read)) {
    std::lock_guard<std::mutex> lock(mu_);
    FindOrCreateLocked({});
  }

 private:
  void Create() override {}
  void RenderSeries(std::string& out, const std::string& labels, size_t) const override {
    Sample(out, name(), "", labels, FormatSampleValue(read_()));
  }
  std::function<double()> read_;
};

}  // namespace

void Gauge::Set(double value) {
  bits_.store(std::bit_cast<uint64_t>(value), std::memory_order_relaxed);
}

double Gauge::Value() const { return std::bit_cast<double>(bits_.load(std::memory_order_relaxed)); }

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (!std::isfinite(bounds_[i]) || (i > 0 && !(bounds_[i - 1] < bounds_[i]))) {
      Bug("histogram bounds must be finite and strictly increasing");
    }
  }
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;  // le: inclusive upper bound
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  AddDouble(sum_bits_, value);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  uint64_t total = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(total);
  }
  s.count = total + buckets_[bounds_.size()].load(std::memory_order_relaxed);
  s.sum = std::bit_cast<double>(sum_bits_.load(std::memory_order_relaxed));
  return s;
}

std::vector<double> LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

void RenderSamples(std::string& out, const std::string& name, const std::string& labels,
                   const Counter& counter) {
  Sample(out, name, "", labels, FormatSampleValue(static_cast<double>(counter.Value())));
}

void RenderSamples(std::string& out, const std::string& name, const std::string& labels,
                   const Gauge& gauge) {
  Sample(out, name, "", labels, FormatSampleValue(gauge.Value()));
}

void RenderSamples(std::string& out, const std::string& name, const std::string& labels,
                   const Histogram& histogram) {
  Histogram::Snapshot s = histogram.Read();
  const std::string sep = labels.empty() ? "" : labels + ",";
  for (size_t i = 0; i < s.cumulative.size(); ++i) {
    Sample(out, name, "_bucket", sep + "le=\"" + FormatSampleValue(histogram.bounds()[i]) + "\"",
           FormatSampleValue(static_cast<double>(s.cumulative[i])));
  }
  Sample(out, name, "_bucket", sep + "le=\"+Inf\"",
         FormatSampleValue(static_cast<double>(s.count)));
  Sample(out, name, "_sum", labels, FormatSampleValue(s.sum));
  Sample(out, name, "_count", labels, FormatSampleValue(static_cast<double>(s.count)));
}

FamilyBase::FamilyBase(std::string name, std::string help, MetricType type,
                       std::vector<std::string> label_names, size_t max_series)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)),
      max_series_(std::max<size_t>(max_series, 1)) {}

size_t FamilyBase::FindOrCreateLocked(Labels values) {
  if (values.size() != label_names_.size()) Bug(name_ + ": wrong number of label values");
  if (auto it = index_.find(values); it != index_.end()) return it->second;
  // The last slot is kept for the overflow series.
  if (index_.size() + 1 >= max_series_ && !label_names_.empty()) {
    values.assign(label_names_.size(), kOverflowLabelValue);
    if (auto it = index_.find(values); it != index_.end()) return it->second;
  }
  Create();
  const size_t n = index_.size();
  index_.emplace(std::move(values), n);
  return n;
}

void FamilyBase::Render(std::string& out) const {
  static constexpr const char* kTypes[] = {"counter", "gauge", "histogram"};
  out += "# HELP " + name_ + " " + EscapeHelp(help_) + "\n";
  out += "# TYPE " + name_ + " " + kTypes[static_cast<int>(type_)] + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, index] : index_) {
    std::string labels;
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) labels += ',';
      labels += label_names_[i] + "=\"" + EscapeLabelValue(values[i]) + "\"";
    }
    RenderSeries(out, labels, index);
  }
}

void Registry::Check(const std::string& name, MetricType type,
                     const std::vector<std::string>& labels) {
  if (!ValidName(name, true)) Bug("bad metric name " + name);
  if (type == MetricType::kCounter &&
      (name.size() < 6 || name.compare(name.size() - 6, 6, "_total") != 0)) {
    Bug("counter name must end in _total: " + name);
  }
  for (const auto& f : families_) {
    if (f->name() == name) Bug("metric registered twice: " + name);
  }
  for (const std::string& l : labels) {
    if (!ValidName(l, false) || l.rfind("__", 0) == 0) Bug("bad label name " + l);
    if (type == MetricType::kHistogram && l == "le") Bug("histogram label named le: " + name);
  }
}

template <typename T>
Family<T>& Registry::Add(std::string name, std::string help, MetricType type,
                         std::vector<std::string> label_names, size_t max_series,
                         std::function<std::unique_ptr<T>()> make) {
  Check(name, type, label_names);
  auto f = std::make_unique<Family<T>>(std::move(name), std::move(help), type,
                                       std::move(label_names), max_series, std::move(make));
  auto& ref = *f;
  families_.push_back(std::move(f));
  return ref;
}

Family<Counter>& Registry::AddCounter(std::string name, std::string help,
                                      std::vector<std::string> label_names, size_t max_series) {
  return Add<Counter>(std::move(name), std::move(help), MetricType::kCounter,
                      std::move(label_names), max_series,
                      [] { return std::make_unique<Counter>(); });
}

Family<Gauge>& Registry::AddGauge(std::string name, std::string help,
                                  std::vector<std::string> label_names, size_t max_series) {
  return Add<Gauge>(std::move(name), std::move(help), MetricType::kGauge, std::move(label_names),
                    max_series, [] { return std::make_unique<Gauge>(); });
}

Family<Histogram>& Registry::AddHistogram(std::string name, std::string help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> bounds, size_t max_series) {
  Histogram probe(bounds);  // checks the bounds now, not at the first observation
  return Add<Histogram>(std::move(name), std::move(help), MetricType::kHistogram,
                        std::move(label_names), max_series,
                        [bounds] { return std::make_unique<Histogram>(bounds); });
}

void Registry::AddGaugeFunction(std::string name, std::string help, std::function<double()> read) {
  Check(name, MetricType::kGauge, {});
  families_.push_back(
      std::make_unique<FunctionFamily>(std::move(name), std::move(help), std::move(read)));
}

std::string Registry::Render() const {
  std::string out;
  for (const auto& f : families_) f->Render(out);
  return out;
}

}  // namespace candor::metrics
