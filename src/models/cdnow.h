#pragma once

// Reader for the public CDNOW purchase logs (../shared/data/cdnow), the external validation
// data of the BTYD literature. Used by tests and benchmarks; not a general import path (that
// is src/ingest).

#include <string>
#include <vector>

#include "core/status.h"
#include "models/summary.h"

namespace winback::models {

enum class CdnowLayout {
  kMaster,  // CDNOW_master.txt: customer id, date YYYYMMDD, number of CDs, dollar value
  kSample,  // CDNOW_sample.txt: master id, sample id, date, number of CDs, dollar value
};

// Reads a whitespace-separated CDNOW log. The customer id is the master id (kMaster) or the
// sample id (kSample), without leading zeros ("0001" -> "1", matching the ID column of
// cdnow_customers_summary.csv). Lines whose first field is not a number (a header) and blank
// lines are skipped. Errors: NotFound when the file cannot be opened; InvalidArgument
// "<file>:<line>: <field>: <what>" for a malformed line.
Result<std::vector<TransactionRecord>> ReadCdnowTransactions(const std::string& path,
                                                             CdnowLayout layout);

// The standard design on a CDNOW log: calibration 1997-01-01..1997-09-30, holdout
// 1997-10-01..1998-06-30 (39 weeks), times in weeks.
CalibrationOptions CdnowCalibrationOptions();

}  // namespace winback::models
