#include "analytics/recommendations.h"

#include <algorithm>
#include <map>
#include <utility>

namespace winback::analytics {

class Recommender::Builder {
 public:
  Builder(std::vector<store::ProductRecord> products, const RecommenderOptions& options)
      : options_(options) {
    Recommender& r = r_;
    r.recent_skus_ = options.recent_skus;
    r.products_ = std::move(products);
    std::sort(
        r.products_.begin(), r.products_.end(),
        [](const store::ProductRecord& a, const store::ProductRecord& b) { return a.sku < b.sku; });
    // Categories sorted by name, so that a tie between two goes to the lower index.
    std::map<std::string, std::uint32_t> categories;
    for (const store::ProductRecord& p : r.products_) {
      if (!p.category.empty()) categories.emplace(p.category, 0);
    }
    for (auto& [name, index] : categories) {
      index = static_cast<std::uint32_t>(r.categories_.size());
      r.categories_.push_back(name);
    }
    for (std::uint32_t i = 0; i < r.products_.size(); ++i) {
      const store::ProductRecord& p = r.products_[i];
      const std::uint32_t sku = Intern(p.sku);
      if (!p.category.empty()) sku_category_[sku] = categories.at(p.category) + 1;
      if (p.launched_at) r.by_launch_.push_back(i);
    }
    std::sort(r.by_launch_.begin(), r.by_launch_.end(), [&r](std::uint32_t a, std::uint32_t b) {
      const store::ProductRecord& pa = r.products_[a];
      const store::ProductRecord& pb = r.products_[b];
      if (*pa.launched_at != *pb.launched_at) return *pa.launched_at > *pb.launched_at;
      return pa.sku < pb.sku;
    });
    r.offsets_.push_back(0);
  }

  // One customer's items, oldest first; customers in increasing key order.
  Status Add(CustomerKey key, std::span<const store::OrderItemPoint> items) {
    if (key.value() <= last_key_) {
      return InvalidArgumentError("recommendations: customer " + std::to_string(key.value()) +
                                  " after customer " + std::to_string(last_key_) +
                                  ": items must come in increasing key order");
    }
    last_key_ = key.value();
    Recommender& r = r_;
    const auto k = static_cast<std::size_t>(key.value());
    while (r.offsets_.size() < k + 1) r.offsets_.push_back(r.bought_.size());
    if (r.favourite_.size() < k + 1) r.favourite_.resize(k + 1, 0);

    // Distinct skus, most recent first, and units per category over every item.
    distinct_.clear();
    units_.clear();
    for (auto it = items.rbegin(); it != items.rend(); ++it) {
      const std::uint32_t sku = Intern(it->sku);
      if (distinct_.size() < static_cast<std::size_t>(options_.remembered_skus) &&
          std::find(distinct_.begin(), distinct_.end(), sku) == distinct_.end()) {
        distinct_.push_back(sku);
      }
      if (const std::uint32_t category = sku_category_[sku]; category != 0) {
        auto u = std::find_if(units_.begin(), units_.end(),
                              [category](const auto& e) { return e.first == category; });
        if (u == units_.end()) {
          units_.emplace_back(category, it->quantity);
        } else {
          u->second += it->quantity;
        }
      }
    }
    if (distinct_.empty()) return Status::Ok();
    ++r.customers_with_items_;
    r.bought_.insert(r.bought_.end(), distinct_.begin(), distinct_.end());
    std::uint32_t best = 0;
    std::int64_t best_units = 0;
    for (const auto& [category, units] : units_) {
      if (units > best_units || (units == best_units && category < best)) {
        best = category;
        best_units = units;
      }
    }
    r.favourite_[k] = best;

    const std::size_t recent =
        std::min(distinct_.size(), static_cast<std::size_t>(options_.recent_skus));
    for (std::size_t i = 0; i < recent; ++i) {
      for (std::size_t j = i + 1; j < recent; ++j) {
        const std::uint32_t a = std::min(distinct_[i], distinct_[j]);
        const std::uint32_t b = std::max(distinct_[i], distinct_[j]);
        ++pair_counts_[(static_cast<std::uint64_t>(a) << 32) | b];
      }
    }
    return Status::Ok();
  }

  Recommender Finish() {
    Recommender& r = r_;
    r.offsets_.push_back(r.bought_.size());
    r.pairs_ = static_cast<std::int64_t>(pair_counts_.size());
    // Every pair is a neighbour of both its skus: count, place, then sort and cut each list.
    const std::size_t skus = r.sku_names_.size();
    std::vector<std::uint64_t> degree(skus + 1, 0);
    for (const auto& [pair, count] : pair_counts_) {
      ++degree[pair >> 32];
      ++degree[pair & 0xFFFFFFFFu];
    }
    std::vector<std::uint64_t> start(skus + 1, 0);
    for (std::size_t s = 0; s < skus; ++s) start[s + 1] = start[s] + degree[s];
    std::vector<Neighbour> all(start[skus]);
    std::vector<std::uint64_t> fill(start.begin(), start.end() - 1);
    for (const auto& [pair, count] : pair_counts_) {
      const auto a = static_cast<std::uint32_t>(pair >> 32);
      const auto b = static_cast<std::uint32_t>(pair & 0xFFFFFFFFu);
      all[fill[a]++] = Neighbour{b, count};
      all[fill[b]++] = Neighbour{a, count};
    }
    pair_counts_.clear();
    r.neighbour_offsets_.assign(1, 0);
    const auto keep = static_cast<std::uint64_t>(options_.neighbours_per_sku);
    for (std::size_t s = 0; s < skus; ++s) {
      auto first = all.begin() + static_cast<std::ptrdiff_t>(start[s]);
      auto last = all.begin() + static_cast<std::ptrdiff_t>(start[s + 1]);
      auto better = [&r](const Neighbour& x, const Neighbour& y) {
        if (x.count != y.count) return x.count > y.count;
        return r.sku_names_[x.sku] < r.sku_names_[y.sku];
      };
      const auto n = std::min<std::uint64_t>(keep, start[s + 1] - start[s]);
      std::partial_sort(first, first + static_cast<std::ptrdiff_t>(n), last, better);
      r.neighbours_.insert(r.neighbours_.end(), first, first + static_cast<std::ptrdiff_t>(n));
      r.neighbour_offsets_.push_back(r.neighbours_.size());
    }
    return std::move(r_);
  }

 private:
  std::uint32_t Intern(const std::string& sku) {
    Recommender& r = r_;
    auto [it, inserted] =
        r.sku_index_.emplace(sku, static_cast<std::uint32_t>(r.sku_names_.size()));
    if (inserted) {
      r.sku_names_.push_back(sku);
      sku_category_.push_back(0);
    }
    return it->second;
  }

  Recommender r_;
  const RecommenderOptions options_;
  std::int64_t last_key_ = 0;
  // Per sku index: its category's index + 1, or 0.
  std::vector<std::uint32_t> sku_category_;
  // (smaller sku index << 32 | larger) -> customers who bought both.
  std::unordered_map<std::uint64_t, std::uint32_t> pair_counts_;
  // Scratch of Add: the customer's distinct skus, units per category (index + 1).
  std::vector<std::uint32_t> distinct_;
  std::vector<std::pair<std::uint32_t, std::int64_t>> units_;
};

namespace {

Status CheckOptions(const RecommenderOptions& o) {
  if (o.recent_skus < 1 || o.recent_skus > 1000) {
    return InvalidArgumentError("recommendations: recent_skus " + std::to_string(o.recent_skus) +
                                " is outside 1..1000");
  }
  if (o.neighbours_per_sku < 1 || o.neighbours_per_sku > 100000) {
    return InvalidArgumentError("recommendations: neighbours_per_sku " +
                                std::to_string(o.neighbours_per_sku) + " is outside 1..100000");
  }
  if (o.remembered_skus < o.recent_skus) {
    return InvalidArgumentError("recommendations: remembered_skus " +
                                std::to_string(o.remembered_skus) + " is below recent_skus " +
                                std::to_string(o.recent_skus));
  }
  return Status::Ok();
}

}  // namespace

Result<Recommender> Recommender::Build(store::Scanner& scanner,
                                       std::vector<store::ProductRecord> products,
                                       const RecommenderOptions& options) {
  WINBACK_RETURN_IF_ERROR(CheckOptions(options));
  Builder builder(std::move(products), options);
  WINBACK_RETURN_IF_ERROR(scanner.ForEachCustomerOrderItemsInRange(
      store::KeyRange{}, [&builder](CustomerKey key, std::span<const store::OrderItemPoint> items) {
        return builder.Add(key, items);
      }));
  return builder.Finish();
}

Result<Recommender> Recommender::FromItems(std::span<const CustomerItems> items,
                                           std::vector<store::ProductRecord> products,
                                           const RecommenderOptions& options) {
  WINBACK_RETURN_IF_ERROR(CheckOptions(options));
  Builder builder(std::move(products), options);
  for (const auto& [key, customer_items] : items) {
    WINBACK_RETURN_IF_ERROR(builder.Add(key, customer_items));
  }
  return builder.Finish();
}

std::vector<std::string> Recommender::Recommend(CustomerKey customer, int n) const {
  std::vector<std::string> out;
  const auto k = static_cast<std::size_t>(customer.value());
  if (n <= 0 || customer.value() <= 0 || k + 1 >= offsets_.size()) return out;
  const auto bought_begin = bought_.begin() + static_cast<std::ptrdiff_t>(offsets_[k]);
  const auto bought_end = bought_.begin() + static_cast<std::ptrdiff_t>(offsets_[k + 1]);
  const auto recent_end =
      bought_begin + std::min<std::ptrdiff_t>(recent_skus_, bought_end - bought_begin);
  // Scores accumulate in a dense array over sku indexes, one per thread and reused, with the
  // list of the skus touched: no allocation per call once the scratch has grown.
  thread_local std::vector<std::uint64_t> scores;
  thread_local std::vector<std::uint32_t> touched;
  if (scores.size() < sku_names_.size()) scores.resize(sku_names_.size(), 0);
  touched.clear();
  for (auto x = bought_begin; x != recent_end; ++x) {
    for (std::uint64_t i = neighbour_offsets_[*x]; i < neighbour_offsets_[*x + 1]; ++i) {
      const Neighbour& y = neighbours_[i];
      if (scores[y.sku] == 0) touched.push_back(y.sku);
      scores[y.sku] += y.count;  // count >= 1, so a touched sku's score is never 0.
    }
  }
  for (auto x = bought_begin; x != bought_end; ++x) scores[*x] = 0;  // Never one they bought.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> ranked;
  ranked.reserve(touched.size());
  for (std::uint32_t sku : touched) {
    if (scores[sku] != 0) ranked.emplace_back(sku, scores[sku]);
    scores[sku] = 0;
  }
  auto better = [this](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return sku_names_[a.first] < sku_names_[b.first];
  };
  const auto m = std::min(ranked.size(), static_cast<std::size_t>(n));
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(m), ranked.end(),
                    better);
  out.reserve(m);
  for (std::size_t i = 0; i < m; ++i) out.push_back(sku_names_[ranked[i].first]);
  return out;
}

std::string Recommender::FavouriteCategory(CustomerKey customer) const {
  const auto k = static_cast<std::size_t>(customer.value());
  if (customer.value() <= 0 || k >= favourite_.size() || favourite_[k] == 0) return {};
  return categories_[favourite_[k] - 1];
}

std::vector<const store::ProductRecord*> Recommender::NewSince(Instant after, int n) const {
  std::vector<const store::ProductRecord*> out;
  for (std::uint32_t i : by_launch_) {
    if (static_cast<int>(out.size()) >= n || *products_[i].launched_at <= after) break;
    out.push_back(&products_[i]);
  }
  return out;
}

const store::ProductRecord* Recommender::FindProduct(std::string_view sku) const {
  auto it =
      std::lower_bound(products_.begin(), products_.end(), sku,
                       [](const store::ProductRecord& p, std::string_view s) { return p.sku < s; });
  if (it == products_.end() || it->sku != sku) return nullptr;
  return &*it;
}

}  // namespace winback::analytics
