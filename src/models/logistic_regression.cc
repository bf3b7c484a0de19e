#include "models/logistic_regression.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

namespace winback::models {
namespace {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

double Sigmoid(double z) {
  return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
}

// Objective: summed log-loss plus the penalty; `eta` the linear predictors.
double Objective(const Eigen::VectorXd& eta, const Eigen::VectorXd& y, const Eigen::VectorXd& w,
                 double l2) {
  double sum = 0;
  for (Eigen::Index i = 0; i < eta.size(); ++i) {
    // log(1 + exp(eta)) - y eta, computed without overflow.
    const double e = eta[i];
    sum += (e > 0 ? e + std::log1p(std::exp(-e)) : std::log1p(std::exp(e))) - y[i] * e;
  }
  return sum + 0.5 * l2 * w.tail(w.size() - 1).squaredNorm();
}

}  // namespace

Result<LogisticRegression> LogisticRegression::Fit(std::span<const double> features,
                                                   std::size_t cols, std::span<const double> labels,
                                                   const LogisticOptions& options) {
  if (cols == 0 || labels.empty() || features.size() != labels.size() * cols) {
    return InvalidArgumentError("logistic regression: empty input or features are not rows x " +
                                std::to_string(cols));
  }
  if (!(options.l2 >= 0) || !std::isfinite(options.l2)) {
    return InvalidArgumentError("logistic regression: l2 must be >= 0");
  }
  const auto n = static_cast<Eigen::Index>(labels.size());
  const auto d = static_cast<Eigen::Index>(cols);
  LogisticRegression model;
  model.mean_.assign(cols, 0.0);
  model.scale_.assign(cols, 1.0);
  for (double v : features) {
    if (!std::isfinite(v)) return InvalidArgumentError("logistic regression: non-finite feature");
  }
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double label = labels[static_cast<std::size_t>(i)];
    if (label != 0.0 && label != 1.0) {
      return InvalidArgumentError("logistic regression: label " + std::to_string(label) +
                                  " is not 0 or 1");
    }
    y[i] = label;
  }
  // Design matrix: a column of ones, then the standardised features.
  Matrix x(n, d + 1);
  for (std::size_t j = 0; j < cols; ++j) {
    double sum = 0;
    double sum2 = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) sum += features[i * cols + j];
    const double mean = sum / static_cast<double>(n);
    for (std::size_t i = 0; i < labels.size(); ++i) {
      const double c = features[i * cols + j] - mean;
      sum2 += c * c;
    }
    const double sd = std::sqrt(sum2 / static_cast<double>(n));
    model.mean_[j] = mean;
    model.scale_[j] = sd > 1e-12 ? sd : 1.0;
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    x(i, 0) = 1.0;
    for (Eigen::Index j = 0; j < d; ++j) {
      const auto ju = static_cast<std::size_t>(j);
      x(i, j + 1) =
          (features[static_cast<std::size_t>(i) * cols + ju] - model.mean_[ju]) / model.scale_[ju];
    }
  }
  Eigen::VectorXd w = Eigen::VectorXd::Zero(d + 1);
  const double mean_y = y.mean();
  w[0] = std::log(std::clamp(mean_y, 1e-6, 1 - 1e-6) / (1 - std::clamp(mean_y, 1e-6, 1 - 1e-6)));
  Eigen::VectorXd penalty = Eigen::VectorXd::Constant(d + 1, options.l2);
  penalty[0] = 0;
  Eigen::VectorXd eta = x * w;
  double objective = Objective(eta, y, w, options.l2);
  bool converged = false;
  int iteration = 0;
  constexpr Eigen::Index kBlock = 1024;
  Matrix block(std::min(kBlock, n), d + 1);
  for (; iteration < options.max_iterations; ++iteration) {
    Eigen::VectorXd p(n);
    Eigen::VectorXd h(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      p[i] = Sigmoid(eta[i]);
      h[i] = std::max(p[i] * (1 - p[i]), 1e-12);
    }
    const Eigen::VectorXd gradient = x.transpose() * (p - y) + penalty.cwiseProduct(w);
    // X' diag(h) X by blocks of rows as a symmetric rank update: half the multiplications of
    // the full product and no n x (d + 1) temporary.
    Eigen::MatrixXd hessian = Eigen::MatrixXd::Zero(d + 1, d + 1);
    for (Eigen::Index b = 0; b < n; b += kBlock) {
      const Eigen::Index m = std::min(kBlock, n - b);
      block.topRows(m) = h.segment(b, m).cwiseSqrt().asDiagonal() * x.middleRows(b, m);
      hessian.selfadjointView<Eigen::Lower>().rankUpdate(block.topRows(m).transpose());
    }
    hessian.triangularView<Eigen::StrictlyUpper>() = hessian.transpose();
    hessian.diagonal() += penalty;
    hessian.diagonal().array() += 1e-10;
    const Eigen::VectorXd step = hessian.ldlt().solve(gradient);
    const double decrement = gradient.dot(step);
    if (!std::isfinite(decrement)) break;
    if (decrement / static_cast<double>(n) < options.tolerance) {
      converged = true;
      break;
    }
    // Backtracking: Newton steps can overshoot when the classes are nearly separable.
    double t = 1.0;
    bool improved = false;
    for (int k = 0; k < 30; ++k) {
      const Eigen::VectorXd candidate = w - t * step;
      const Eigen::VectorXd candidate_eta = x * candidate;
      const double value = Objective(candidate_eta, y, candidate, options.l2);
      if (value <= objective - 1e-4 * t * decrement) {
        w = candidate;
        eta = candidate_eta;
        objective = value;
        improved = true;
        break;
      }
      t *= 0.5;
    }
    if (!improved) {
      converged = decrement / static_cast<double>(n) < 1e-6;
      break;
    }
  }
  if (!converged) {
    return FailedPreconditionError("logistic regression: Newton's method did not converge in " +
                                   std::to_string(iteration) + " iterations");
  }
  model.intercept_ = w[0];
  model.weights_.resize(cols);
  for (std::size_t j = 0; j < cols; ++j) model.weights_[j] = w[static_cast<Eigen::Index>(j) + 1];
  model.iterations_ = iteration;
  return model;
}

double LogisticRegression::PredictRow(std::span<const double> row) const {
  double z = intercept_;
  for (std::size_t j = 0; j < weights_.size(); ++j) {
    z += weights_[j] * (row[j] - mean_[j]) / scale_[j];
  }
  return Sigmoid(z);
}

std::vector<double> LogisticRegression::PredictProbability(std::span<const double> features) const {
  const std::size_t cols = weights_.size();
  const std::size_t rows = cols == 0 ? 0 : features.size() / cols;
  std::vector<double> out(rows);
  for (std::size_t i = 0; i < rows; ++i) out[i] = PredictRow(features.subspan(i * cols, cols));
  return out;
}

}  // namespace winback::models
