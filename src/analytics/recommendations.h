#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "core/time.h"
#include "store/records.h"
#include "store/scanner.h"

namespace winback::analytics {

// Bounds on what Recommender::Build keeps, so that memory and time grow with the number of
// customers and not with the square of their histories.
struct RecommenderOptions {
  // Pairs and scores use only each customer's most recently bought `recent_skus` distinct
  // skus (1..1000): a customer who bought 500 skus adds at most recent_skus^2 / 2 pairs.
  int recent_skus = 20;
  // The co-purchase neighbours kept per sku (1..100000), the most co-purchased first: scores
  // are exact while no sku has more neighbours than this.
  int neighbours_per_sku = 200;
  // The distinct skus remembered per customer as "bought" (>= recent_skus): a recommendation
  // never names one of them.
  int remembered_skus = 100;
};

// Product recommendations from the completed orders' item lines and the product catalogue,
// built once per plan:
//
// - Co-purchase ("customers who bought X also bought Y"): for each unordered pair of distinct
//   skus bought by one customer (among their `recent_skus` latest), the number of distinct
//   customers who bought both. Recommend(c, n) scores every sku y the customer did not buy by
//   the sum over the skus x they bought (their recent ones) of co(x, y), and returns the n
//   highest, ties by sku (byte order). Skus need not be in the catalogue.
// - Favourite category: the catalogue category in which the customer bought the most units
//   (quantities summed over every completed order); ties by category name; items whose sku is
//   not in the catalogue, or has no category, do not count.
// - New products: those launched after a time, newest first.
//
// Memory: a few bytes per (customer, distinct sku) bought, one counter per co-purchased pair
// of skus, and the catalogue. Immutable after Build; const methods may be called from several
// threads at once.
class Recommender {
 public:
  // Reads every customer's completed order items from `scanner` (one ForEachCustomerOrderItems
  // pass) and indexes `products` (typically ProductReader::LoadProducts()). Errors: the
  // scanner's (Unavailable); InvalidArgument for options outside their ranges.
  static Result<Recommender> Build(store::Scanner& scanner,
                                   std::vector<store::ProductRecord> products,
                                   const RecommenderOptions& options = {});

  // As Build, from items already read: `items` must be in strictly increasing key order, each
  // customer's items oldest first (the scanner's order). For tests and callers that scan once.
  using CustomerItems = std::pair<CustomerKey, std::vector<store::OrderItemPoint>>;
  static Result<Recommender> FromItems(std::span<const CustomerItems> items,
                                       std::vector<store::ProductRecord> products,
                                       const RecommenderOptions& options = {});

  // Up to `n` skus for `customer`, best first (see above). Empty for a customer with no items,
  // an unknown key, n <= 0, or when no co-purchase leads anywhere.
  std::vector<std::string> Recommend(CustomerKey customer, int n) const;

  // The customer's favourite category, or "" when none (see above).
  std::string FavouriteCategory(CustomerKey customer) const;

  // Up to `n` catalogue products launched strictly after `after`, newest first (ties by sku);
  // pointers into this Recommender, valid while it lives. Pass the customer's last order time
  // for "new since your last order".
  std::vector<const store::ProductRecord*> NewSince(Instant after, int n) const;

  // The catalogue entry of `sku`, or null.
  const store::ProductRecord* FindProduct(std::string_view sku) const;

  // How many customers had items, and how many distinct co-purchased pairs were counted.
  std::int64_t customers_with_items() const { return customers_with_items_; }
  std::int64_t pairs() const { return pairs_; }

 private:
  Recommender() = default;
  class Builder;

  struct Neighbour {
    std::uint32_t sku;
    std::uint32_t count;
  };

  // Catalogue, sorted by sku; launch order (newest first) as indexes into it.
  std::vector<store::ProductRecord> products_;
  std::vector<std::uint32_t> by_launch_;
  // Skus seen in items or the catalogue, by index.
  std::vector<std::string> sku_names_;
  std::unordered_map<std::string, std::uint32_t> sku_index_;
  // Per customer key: [offsets_[key], offsets_[key + 1]) in bought_, the customer's distinct
  // skus most recent first; the first min(count, recent_skus) are the recent ones.
  std::vector<std::uint64_t> offsets_;
  std::vector<std::uint32_t> bought_;
  // Per customer key: index into categories_ + 1, or 0 for none.
  std::vector<std::uint32_t> favourite_;
  std::vector<std::string> categories_;
  // Per sku: [neighbour_offsets_[s], neighbour_offsets_[s + 1]) in neighbours_, by count
  // descending, then sku name.
  std::vector<std::uint64_t> neighbour_offsets_;
  std::vector<Neighbour> neighbours_;
  int recent_skus_ = 20;
  std::int64_t customers_with_items_ = 0;
  std::int64_t pairs_ = 0;
};

}  // namespace winback::analytics
