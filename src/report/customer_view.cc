#include "report/customer_view.h"

namespace winback::report {

Result<CustomerView> LoadCustomerView(store::Store& store, std::string_view id) {
  CustomerView v;
  WINBACK_ASSIGN_OR_RETURN(v.profile, store.LoadCustomer(id));
  WINBACK_ASSIGN_OR_RETURN(v.orders, store.LoadOrders(v.profile.key));
  WINBACK_ASSIGN_OR_RETURN(v.events, store.LoadEvents(v.profile.key));
  WINBACK_RETURN_IF_ERROR(store.ForEachMessage(
      store::MessageFilter{.status = std::nullopt, .campaign = "", .customer = v.profile.key},
      [&v](const store::OutboxMessage& m) {
        v.messages.push_back(m);
        return Status::Ok();
      }));
  WINBACK_ASSIGN_OR_RETURN(v.journeys, store.LoadJourneys(v.profile.key));

  WINBACK_ASSIGN_OR_RETURN(std::vector<Date> score_dates, store.ScoreDates());
  if (!score_dates.empty()) {
    v.score_date = score_dates.back();
    WINBACK_ASSIGN_OR_RETURN(v.score, store.LoadScore(*v.score_date, v.profile.key));
  }
  return v;
}

}  // namespace winback::report
