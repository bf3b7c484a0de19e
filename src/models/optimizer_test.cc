#include "models/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "testutil/status_matchers.h"

namespace winback::models {
namespace {

TEST(MinimizeBfgsTest, FindsRosenbrockMinimum) {
  const Objective rosenbrock = [](std::span<const double> x, std::span<double> g) {
    const double a = 1 - x[0];
    const double b = x[1] - x[0] * x[0];
    g[0] = -2 * a - 400 * x[0] * b;
    g[1] = 200 * b;
    return a * a + 100 * b * b;
  };
  WINBACK_ASSERT_OK_AND_ASSIGN(MinimizeResult r, MinimizeBfgs(rosenbrock, {-1.2, 1.0}));
  EXPECT_TRUE(r.converged) << r.message;
  EXPECT_NEAR(r.x[0], 1.0, 1e-6);
  EXPECT_NEAR(r.x[1], 1.0, 1e-6);
}

TEST(MinimizeBfgsTest, StepsBackFromInfeasibleRegion) {
  // f = x - log(x) (minimum at 1), +inf for x <= 0; the first step overshoots into x < 0.
  const Objective f = [](std::span<const double> x, std::span<double> g) {
    if (x[0] <= 0) return std::numeric_limits<double>::infinity();
    g[0] = 1 - 1 / x[0];
    return x[0] - std::log(x[0]);
  };
  WINBACK_ASSERT_OK_AND_ASSIGN(MinimizeResult r, MinimizeBfgs(f, {4.0}));
  EXPECT_TRUE(r.converged) << r.message;
  EXPECT_NEAR(r.x[0], 1.0, 1e-7);
}

TEST(MinimizeBfgsTest, NonFiniteStartIsInvalidArgument) {
  const Objective f = [](std::span<const double>, std::span<double>) {
    return std::numeric_limits<double>::quiet_NaN();
  };
  EXPECT_THAT(MinimizeBfgs(f, {1.0}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(MinimizeBfgsTest, IterationLimitIsReportedNotConverged) {
  const Objective f = [](std::span<const double> x, std::span<double> g) {
    g[0] = 2 * (x[0] - 3);
    g[1] = 20 * (x[1] + 1);
    return (x[0] - 3) * (x[0] - 3) + 10 * (x[1] + 1) * (x[1] + 1);
  };
  MinimizeOptions o;
  o.max_iterations = 1;
  WINBACK_ASSERT_OK_AND_ASSIGN(MinimizeResult r, MinimizeBfgs(f, {0.0, 0.0}, o));
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.message, "iteration limit reached");
}

ObjectiveWithHessian RosenbrockWithHessian() {
  return [](std::span<const double> x, std::span<double> g, std::span<double> h) {
    const double a = 1 - x[0];
    const double b = x[1] - x[0] * x[0];
    g[0] = -2 * a - 400 * x[0] * b;
    g[1] = 200 * b;
    if (!h.empty()) {
      h[0] = 2 - 400 * b + 800 * x[0] * x[0];
      h[1] = h[2] = -400 * x[0];
      h[3] = 200;
    }
    return a * a + 100 * b * b;
  };
}

TEST(MinimizeNewtonTest, FindsRosenbrockMinimumThroughIndefiniteRegion) {
  // The Rosenbrock Hessian has determinant 400 - 80000 (x1 - x0^2): it is indefinite above the
  // parabola x1 = x0^2 + 0.005, where the diagonal shift keeps every step a descent step.
  WINBACK_ASSERT_OK_AND_ASSIGN(MinimizeResult r,
                               MinimizeNewton(RosenbrockWithHessian(), {-1.2, 1.0}));
  EXPECT_TRUE(r.converged) << r.message;
  EXPECT_NEAR(r.x[0], 1.0, 1e-8);
  EXPECT_NEAR(r.x[1], 1.0, 1e-8);
  ASSERT_EQ(r.hessian.size(), 4u);
  EXPECT_NEAR(r.hessian[0], 802.0, 1e-4);  // the exact Hessian at the minimum
  EXPECT_NEAR(r.hessian[1], -400.0, 1e-4);
  EXPECT_LT(r.iterations, 40);
  const ObjectiveWithHessian f = RosenbrockWithHessian();
  WINBACK_ASSERT_OK_AND_ASSIGN(r, MinimizeNewton(f, {0.0, 1.0}));  // indefinite at the start
  EXPECT_TRUE(r.converged) << r.message;
  EXPECT_NEAR(r.x[0], 1.0, 1e-8);
}

TEST(MinimizeNewtonTest, ConvergesQuadraticallyOnAQuadratic) {
  const ObjectiveWithHessian f = [](std::span<const double> x, std::span<double> g,
                                    std::span<double> h) {
    g[0] = 2 * (x[0] - 3);
    g[1] = 20 * (x[1] + 1);
    if (!h.empty()) {
      h[0] = 2;
      h[1] = h[2] = 0;
      h[3] = 20;
    }
    return (x[0] - 3) * (x[0] - 3) + 10 * (x[1] + 1) * (x[1] + 1);
  };
  WINBACK_ASSERT_OK_AND_ASSIGN(MinimizeResult r, MinimizeNewton(f, {0.0, 0.0}));
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.iterations, 1);
  EXPECT_DOUBLE_EQ(r.x[0], 3.0);
  EXPECT_DOUBLE_EQ(r.x[1], -1.0);
}

TEST(MinimizeNewtonTest, StepsBackFromInfeasibleRegionAndRejectsBadStart) {
  // f = x - log(x): Newton's first step from 4 is x = 4 - 3 * 16 < 0 (capped by max_step).
  const ObjectiveWithHessian f = [](std::span<const double> x, std::span<double> g,
                                    std::span<double> h) {
    if (x[0] <= 0) return std::numeric_limits<double>::infinity();
    g[0] = 1 - 1 / x[0];
    if (!h.empty()) h[0] = 1 / (x[0] * x[0]);
    return x[0] - std::log(x[0]);
  };
  WINBACK_ASSERT_OK_AND_ASSIGN(MinimizeResult r, MinimizeNewton(f, {4.0}));
  EXPECT_TRUE(r.converged) << r.message;
  EXPECT_NEAR(r.x[0], 1.0, 1e-9);
  EXPECT_THAT(MinimizeNewton(f, {-1.0}), StatusIs(StatusCode::kInvalidArgument));
  MinimizeOptions o;
  o.max_iterations = 1;
  WINBACK_ASSERT_OK_AND_ASSIGN(r, MinimizeNewton(f, {4.0}, o));
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.message, "iteration limit reached");
}

TEST(NumericalHessianTest, MatchesQuadratic) {
  const Objective f = [](std::span<const double> x, std::span<double> g) {
    g[0] = 2 * x[0] + x[1];
    g[1] = x[0] + 6 * x[1];
    return x[0] * x[0] + x[0] * x[1] + 3 * x[1] * x[1];
  };
  const std::vector<double> x = {0.3, -0.2};
  const std::vector<double> h = NumericalHessian(f, x, 1e-4);
  EXPECT_NEAR(h[0], 2, 1e-8);
  EXPECT_NEAR(h[1], 1, 1e-8);
  EXPECT_NEAR(h[2], 1, 1e-8);
  EXPECT_NEAR(h[3], 6, 1e-8);
}

TEST(InvertSymmetricPositiveDefiniteTest, InvertsAndRejects) {
  WINBACK_ASSERT_OK_AND_ASSIGN(std::vector<double> inv,
                               InvertSymmetricPositiveDefinite(std::vector<double>{4, 2, 2, 3}, 2));
  EXPECT_NEAR(inv[0], 3.0 / 8, 1e-15);
  EXPECT_NEAR(inv[1], -2.0 / 8, 1e-15);
  EXPECT_NEAR(inv[3], 4.0 / 8, 1e-15);
  EXPECT_THAT(InvertSymmetricPositiveDefinite(std::vector<double>{1, 2, 2, 1}, 2),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(InvertSymmetricPositiveDefinite(std::vector<double>{1, 2, 2}, 2),
              StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace winback::models
