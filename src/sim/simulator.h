#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "core/time.h"

namespace winback::sim {

// Parameters of a simulated business. Times are on a daily clock: rates are per day, scales in
// days. The defaults are near the published CDNOW estimates of the BG/NBD and Gamma-Gamma
// models (Fader, Hardie & Lee 2005), with alpha converted from weeks to days.
// The most customers one run writes (about 100 GB of CSV at the default options).
inline constexpr std::int64_t kMaxCustomers = 100'000'000;

struct SimOptions {
  std::int64_t customers = 20'000;  // 1..kMaxCustomers
  std::uint64_t seed = 1;
  Date start = Date::FromDays(19'358);  // first day of the window: 2023-01-01
  Date end = Date::FromDays(20'088);    // last day of the window, inclusive: 2024-12-31
  std::string currency = "USD";         // ISO 4217; order amounts are in this currency's units
  bool with_items = false;              // write the optional `items` column of orders.csv
  int threads = 0;  // worker threads, 0 = hardware concurrency; never changes output

  // BG/NBD purchase process: lambda ~ Gamma(shape r, rate alpha) purchases per day; after each
  // repeat purchase the customer drops out with probability p ~ Beta(a, b).
  double r = 0.243;
  double alpha = 30.9;  // days (CDNOW: 4.414 weeks)
  double a = 0.793;
  double b = 2.426;
  // Gamma-Gamma spend: order value z ~ Gamma(shape gg_p, rate nu), nu ~ Gamma(shape gg_q, rate
  // gg_gamma), in currency units; the customer's mean order value is gg_p / nu.
  double gg_p = 6.25;
  double gg_q = 3.74;
  double gg_gamma = 15.44;
  // Amplitude A in [0, 1) of the yearly cycle s(t) = 1 + A cos(2 pi (t - Dec 1) / 365.25) of the
  // purchase rate; 0 switches seasonality off.
  double seasonality = 0.25;
  // Share in [0, 1) of customers who sign up but never order.
  double never_buy_share = 0.1;
};

// The default options (the same as a default-constructed SimOptions).
SimOptions DefaultOptions();

// Counts of what Simulate wrote.
struct SimStats {
  std::int64_t customers = 0;
  std::int64_t orders = 0;        // rows of orders.csv, all statuses
  std::int64_t events = 0;        // rows of events.csv
  std::int64_t alive_at_end = 0;  // buyers that had not dropped out by the end of the window
  std::int64_t buyers = 0;        // customers with at least one completed order
};

// Called after each block of customers is written: `done` customers of `total`. Runs on the
// thread that called Simulate. May be empty. An error it returns (e.g. Cancelled when the user
// pressed Ctrl-C) stops the run: Simulate removes its temporary files and returns that error.
using ProgressFn = std::function<Status(std::int64_t done, std::int64_t total)>;

// Simulates a business with known ground truth and writes into `out_dir` (created if missing):
//   customers.csv  one row per customer (docs/formats.md), ids c1..cN
//   orders.csv     grouped by customer, ids o<customer>-<k>; completed orders follow BG/NBD,
//                  plus a few refunded and cancelled rows
//   events.csv     engagement, support, feedback and churn events, ids e<customer>-<k>
//   truth.json     every option, derived parameter and effect, and the counts
//   truth.csv      per customer: the latent lambda, p, mean spend, dropout time, ...
// See src/sim/README.md for the model. The output is a pure function of `options` minus
// `threads`: the same seed gives the same bytes on any number of threads. Files are written
// under temporary names and renamed at the end, so a failed run leaves no partial file under
// the final names. Memory use does not grow with `customers`.
//
// The same options on another machine give the same bytes as long as libm's log, exp, sin and
// cos round the same way (glibc on x86-64 does).
//
// Errors: InvalidArgument for bad options (customers outside 1..kMaxCustomers, end before
// start, a window outside 1990-01-01..2100-12-31, an unknown currency, non-positive or
// non-finite model parameters, seasonality or never_buy_share outside [0, 1), threads < 0),
// before anything is written; Unavailable when a file or the directory cannot be created or
// written (the message names it); Internal when the tz database lacks one of the simulator's
// zones or a worker thread cannot be started; the error `progress` returned. `progress` must
// not throw.
// Thread-safe: concurrent calls with different `out_dir`s are independent.
Result<SimStats> Simulate(const SimOptions& options, const std::string& out_dir,
                          const ProgressFn& progress = {});

}  // namespace winback::sim
