#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "config/config.h"
#include "core/status.h"
#include "core/time.h"
#include "report/report_data.h"
#include "store/store.h"

namespace winback::cli {

// The report of `winback report` (and `winback demo`) as of `as_of`, with the analytics
// settings of the loaded config ([rfm] map, [rates] activity_days and currency; the revenue
// currency defaults to the main currency of most customers), and a section for every campaign
// of the outbox, measured as `winback measure` measures it. holdout_days: the calibration
// plot's holdout, nullopt for the default. Errors: the store's and report::BuildReport's.
// `readers`: one or more stores open on the same database, read on one thread each
// (report::BuildReport); the revenue currency and the campaigns are read through readers[0].
Result<report::ReportData> BuildReportData(const config::Config& config,
                                           std::span<store::Store* const> readers, Date as_of,
                                           std::optional<std::int32_t> holdout_days,
                                           std::optional<Date> campaigns_through = std::nullopt);

}  // namespace winback::cli
