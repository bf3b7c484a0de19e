#pragma once

// Supervised churn classifier for a horizon of H days: label 1 ("churned") when a customer
// places no completed order in the H days after the as-of date. Trained on a time split of
// the store, so nothing after the cutoff is seen in training:
//   training rows: features as of cutoff - H, labels from (cutoff - H, cutoff];
//   held-out rows: features as of cutoff,     labels from (cutoff, cutoff + H].
// Population: customers with a completed order on or before the as-of date.
//
// Training sample: when the store has more than `max_training_rows` customers, the classifier
// trains on a deterministic sample of them, whole blocks of 256 customer keys (block =
// key / 256) chosen by a hash of the block number: a block is in the sample when
// Mix64(block) < fraction * 2^64, fraction = max_training_rows / (CustomerKeyLimit() - 1),
// so the sample holds about max_training_rows customers of the store, of which those with an
// order by cutoff - H train; it depends only on the store and the options
// (InChurnTrainingSample). With fewer customers every one trains.
// Whole blocks let the sample be read with key-range scans. The held-out rows and the scored
// customers are never sampled, and the BG/NBD features are always fitted on every customer.
//
// Features as of day D (orders by their local day <= D, events with a UTC time before D + 1):
//   RFM: log1p of recency, tenure, purchase days, purchase days in the last 30/90/365 days,
//        mean order-day value (main currency), overdue ratio (days since the last purchase over
//        the mean gap), refunded and cancelled orders;
//   engagement: log1p days since the last email/sms/whatsapp engagement, visit and chat
//        (3650 when never), counts of visits, email, sms and whatsapp engagement in 90 days;
//   complaints and support: complaints (all, 90 days), unsatisfied and satisfied tickets,
//        mean review score and review count, abandoned carts (90 days), payment defaults,
//        referrals, unsubscribed and bounced channels;
//   exit: one-hot latest exit reason (price, service, selection, feature, moved, other), days
//        since the exit, subscription cancelled;
//   BTYD: BG/NBD fitted (in days) on the store summary as of D: P(alive) and log1p expected
//        purchases in the next H days.

// The classifier is split by job: churn_options.h (options, model kinds), churn_sample.h (the
// sample rule), churn_dataset.h (features and labels, materialised; the feature code is in
// internal/churn_features.*), churn_scorer.h (training: churn_training.cc; scoring:
// churn_scorer.cc) and churn_evaluation.h (held-out metrics). This header includes them all.

#include "models/churn_dataset.h"     // IWYU pragma: export
#include "models/churn_evaluation.h"  // IWYU pragma: export
#include "models/churn_options.h"     // IWYU pragma: export
#include "models/churn_sample.h"      // IWYU pragma: export
#include "models/churn_scorer.h"      // IWYU pragma: export
