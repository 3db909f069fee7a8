// The metrics registry of candor-log and candor-witness: counters, gauges and
// histograms kept in atomics, grouped into families that share a name, a
// help text and a fixed list of label names, and rendered in the Prometheus
// text exposition format 0.0.4 (exposition.h) for GET /metrics.
//
// Bounded: a family holds at most `max_series` distinct label-value sets.
// Every further set shares one series whose label values are all "overflow",
// so a hostile client that manages to influence a label value (it should
// never be able to: callers label with fixed route templates, Code names and
// configured witness or log names) cannot grow memory or the scrape.
//
// Cheap: Counter::Inc, Gauge::Set and Histogram::Observe are a few relaxed
// atomic operations. Family::With takes the family's mutex for a map lookup;
// the series it returns lives as long as the registry and never moves, so a
// hot path may keep the reference.
//
// Thread-safety: register families (Add*) before Render or any use from other
// threads; then With, the series' operations and Render are thread-safe.
#ifndef CANDOR_METRICS_METRICS_H_
#define CANDOR_METRICS_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace candor::metrics {

// The label value every series beyond a family's cap is recorded under.
inline constexpr const char* kOverflowLabelValue = "overflow";

class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double value);
  double Value() const;

 private:
  std::atomic<uint64_t> bits_{0};  // the double's bits (0.0)
};

class Histogram {
 public:
  // REQUIRES: `bounds` (the buckets' inclusive upper bounds, without +Inf)
  // finite and strictly increasing.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // per bound: observations <= bound
    uint64_t count = 0;                // all observations (the +Inf bucket)
    double sum = 0;
  };
  // Buckets read one by one while others observe: each count is exact, and
  // `count` is their total, so le="+Inf" always equals _count.
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<uint64_t> sum_bits_{0};
};

// Buckets for latencies in seconds, 1 ms to 30 s.
std::vector<double> LatencyBuckets();

enum class MetricType { kCounter, kGauge, kHistogram };

// One series' sample lines; `labels` is the rendered label list without
// braces (may be empty). Used by Family::Render.
void RenderSamples(std::string& out, const std::string& name, const std::string& labels,
                   const Counter& counter);
void RenderSamples(std::string& out, const std::string& name, const std::string& labels,
                   const Gauge& gauge);
void RenderSamples(std::string& out, const std::string& name, const std::string& labels,
                   const Histogram& histogram);

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, MetricType type,
             std::vector<std::string> label_names, size_t max_series);
  virtual ~FamilyBase() = default;
  // Appends # HELP, # TYPE and every series' samples.
  void Render(std::string& out) const;
  const std::string& name() const { return name_; }
  size_t label_count() const { return label_names_.size(); }

 protected:
  using Labels = std::vector<std::string>;
  // The series' index for `values`, creating it (via Create) if new and
  // below the cap, else the overflow series'. REQUIRES: mu_ held.
  size_t FindOrCreateLocked(Labels values);
  virtual void Create() = 0;  // appends one series; REQUIRES: mu_ held
  // `labels` is the rendered {..} content (may be empty); `index` the series.
  virtual void RenderSeries(std::string& out, const std::string& labels, size_t index) const = 0;
  mutable std::mutex mu_;

 private:
  std::string name_, help_;
  MetricType type_;
  Labels label_names_;
  size_t max_series_;
  std::map<Labels, size_t> index_;  // label values -> series, in render order
};

// A family of series of type T (Counter, Gauge or Histogram).
template <typename T>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, MetricType type, std::vector<std::string> label_names,
         size_t max_series, std::function<std::unique_ptr<T>()> make)
      : FamilyBase(std::move(name), std::move(help), type, std::move(label_names), max_series),
        make_(std::move(make)) {
    // A family without labels has its one series from the start, so it is
    // scraped as 0 before its first update rather than missing.
    if (label_count() == 0) {
      std::lock_guard<std::mutex> lock(mu_);
      FindOrCreateLocked({});
    }
  }

  // The series for these label values, one per label name, in order.
  // REQUIRES: values.size() equals the number of label names.
  T& With(std::vector<std::string> values) {
    std::lock_guard<std::mutex> lock(mu_);
    return *series_[FindOrCreateLocked(std::move(values))];
  }

 private:
  void Create() override { series_.push_back(make_()); }
  void RenderSeries(std::string& out, const std::string& labels, size_t index) const override {
    RenderSamples(out, name(), labels, *series_[index]);
  }

  std::function<std::unique_ptr<T>()> make_;
  std::vector<std::unique_ptr<T>> series_;  // guarded by mu_; elements never move
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // REQUIRES: `name` matches [a-zA-Z_:][a-zA-Z0-9_:]* and is new; label names
  // match [a-zA-Z_][a-zA-Z0-9_]*, are not "le" for a histogram; counters' names
  // end in _total. A violated REQUIRES is a bug: the process aborts.
  Family<Counter>& AddCounter(std::string name, std::string help,
                              std::vector<std::string> label_names = {}, size_t max_series = 64);
  Family<Gauge>& AddGauge(std::string name, std::string help,
                          std::vector<std::string> label_names = {}, size_t max_series = 64);
  Family<Histogram>& AddHistogram(std::string name, std::string help,
                                  std::vector<std::string> label_names, std::vector<double> bounds,
                                  size_t max_series = 64);
  // A gauge without labels whose value `read` computes at each scrape (e.g.
  // an age). `read` runs on the scraping thread and must be thread-safe.
  void AddGaugeFunction(std::string name, std::string help, std::function<double()> read);

  // Every family in registration order, in the exposition format.
  std::string Render() const;

 private:
  void Check(const std::string& name, MetricType type, const std::vector<std::string>& labels);
  template <typename T>
  Family<T>& Add(std::string name, std::string help, MetricType type,
                 std::vector<std::string> label_names, size_t max_series,
                 std::function<std::unique_ptr<T>()> make);
  std::vector<std::unique_ptr<FamilyBase>> families_;
};

}  // namespace candor::metrics

#endif  // CANDOR_METRICS_METRICS_H_
