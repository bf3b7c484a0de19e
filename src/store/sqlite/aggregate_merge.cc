#include "store/sqlite/aggregate_merge.h"

#include <optional>
#include <string>
#include <utility>

#include "store/sqlite/aggregate_recompute.h"
#include "store/sqlite/aggregate_rows.h"

namespace winback::store::sqlite {

Result<std::vector<std::int64_t>> MergeAggregates(Database& db,
                                                  std::span<AggregateDelta* const> deltas) {
  std::vector<std::int64_t> recompute;
  if (deltas.empty()) return recompute;
  WINBACK_ASSIGN_OR_RETURN(Statement * load,
                           db.Cached(std::string(kSelectAggregates) + " WHERE cid = ?1"));
  WINBACK_ASSIGN_OR_RETURN(AggregateWriter writer, AggregateWriter::Create(db));
  for (AggregateDelta* delta : deltas) {
    AggregateDelta& d = *delta;
    std::optional<CustomerAggregates> stored;
    if (d.new_customer) {
      stored.emplace();
      stored->key = CustomerKey(d.cid);
    } else {
      StatementReset reset(*load);
      load->BindInt(1, d.cid);
      WINBACK_ASSIGN_OR_RETURN(bool found, load->Step());
      if (found) stored = ReadAggregates(*load);
    }
    if (!stored) {  // Every stored customer has a row; without one, trust only a recompute.
      recompute.push_back(d.cid);
      continue;
    }
    std::optional<CustomerAggregates> merged = std::move(d.rows).MergeInto(*stored);
    if (!merged) {
      recompute.push_back(d.cid);
      continue;
    }
    if (!d.new_customer && *merged == *stored) continue;  // Same row: nothing to write.
    WINBACK_RETURN_IF_ERROR(writer.Add(*merged));
  }
  WINBACK_RETURN_IF_ERROR(writer.Flush());
  return recompute;
}

}  // namespace winback::store::sqlite
