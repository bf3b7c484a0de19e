// Analytic gradients against finite differences, the Pareto/NBD integral's series against
// quadrature, and extreme customers.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "models/bgnbd.h"
#include "models/internal/bg_family.h"
#include "models/internal/groups.h"
#include "models/internal/likelihoods.h"
#include "models/internal/pareto_integral.h"
#include "models/mbgnbd.h"
#include "models/pareto_nbd.h"
#include "models/special.h"

namespace winback::models {
namespace {

using internal::Groups;

Groups TestRfm() {
  // (x, t_x, T): ordinary, boundary (t_x = T), and extreme customers.
  const std::vector<double> x = {0, 0, 1, 2, 5, 7, 221, 221, 30, 3, 1};
  const std::vector<double> tx = {0, 0, 1.71, 30.43, 20.0, 38.0, 254, 200, 38.86, 0.14, 38.86};
  const std::vector<double> t = {38.86, 27.0, 38.86, 38.86, 38.86, 38.0,
                                 254,   254,  38.86, 300,   38.86};
  return internal::GroupTriples(x, tx, t, {}, false);
}

// Checks d ll / d theta_j against central differences (relative step 1e-6).
void CheckGradient(const internal::GroupLogLikelihood& ll, const Groups& data,
                   std::vector<double> theta, double tolerance) {
  std::vector<double> grad(theta.size());
  const double value = ll(theta, data, grad);
  ASSERT_TRUE(std::isfinite(value));
  for (std::size_t j = 0; j < theta.size(); ++j) {
    std::vector<double> tp = theta, tm = theta, dummy(theta.size());
    const double h = 1e-6 * theta[j];
    tp[j] += h;
    tm[j] -= h;
    const double numeric = (ll(tp, data, dummy) - ll(tm, data, dummy)) / (2 * h);
    EXPECT_NEAR(grad[j], numeric, tolerance * (1.0 + std::fabs(numeric)))
        << "parameter " << j << " at theta = " << theta[0] << "," << theta[1] << "," << theta[2]
        << (theta.size() > 3 ? "," + std::to_string(theta[3]) : "");
  }
}

TEST(LikelihoodTest, BgNbdGradientMatchesFiniteDifferences) {
  const Groups data = TestRfm();
  const internal::BgGroupLikelihood bg(internal::BgVariant::kBg, 1);
  for (const auto& theta : std::vector<std::vector<double>>{
           {0.243, 4.41, 0.793, 2.43}, {2.0, 0.5, 3.0, 0.2}, {0.05, 40.0, 0.1, 10.0}}) {
    CheckGradient(bg, data, theta, 1e-6);
  }
}

TEST(LikelihoodTest, MbgNbdGradientMatchesFiniteDifferences) {
  const Groups data = TestRfm();
  const internal::BgGroupLikelihood mbg(internal::BgVariant::kMbg, 1);
  for (const auto& theta : std::vector<std::vector<double>>{
           {0.243, 4.41, 0.793, 2.43}, {2.0, 0.5, 3.0, 0.2}, {0.05, 40.0, 0.1, 10.0}}) {
    CheckGradient(mbg, data, theta, 1e-6);
  }
}

TEST(LikelihoodTest, ParetoNbdGradientMatchesFiniteDifferences) {
  const Groups data = TestRfm();
  const internal::GroupLogLikelihood ll = internal::ParetoGroupLogLikelihood(1);
  for (const auto& theta : std::vector<std::vector<double>>{{0.553, 10.58, 0.606, 11.67},
                                                            {0.553, 10.58, 0.606, 0.5},
                                                            {2.0, 0.3, 3.0, 40.0},
                                                            {0.1, 100.0, 1.0, 1.0},
                                                            {1.0, 1.0, 1.0, 1.0},
                                                            {0.5, 0.01, 2.5, 300.0}}) {
    CheckGradient(ll, data, theta, 1e-6);
  }
}

// Checks the analytic Hessian against central differences of the analytic gradient.
void CheckHessian(const internal::BgGroupLikelihood& ll, const Groups& data,
                  std::vector<double> theta, double tolerance) {
  std::vector<double> grad(4), hess(16);
  ll.Evaluate(theta, data, grad, hess);
  for (std::size_t j = 0; j < 4; ++j) {
    std::vector<double> tp = theta, tm = theta, gp(4), gm(4);
    const double h = 1e-5 * theta[j];
    tp[j] += h;
    tm[j] -= h;
    ll.Evaluate(tp, data, gp, {});
    ll.Evaluate(tm, data, gm, {});
    for (std::size_t i = 0; i < 4; ++i) {
      const double numeric = (gp[i] - gm[i]) / (2 * h);
      EXPECT_NEAR(hess[i * 4 + j], numeric, tolerance * (1.0 + std::fabs(numeric)))
          << "entry " << i << "," << j << " at r = " << theta[0];
      EXPECT_EQ(hess[i * 4 + j], hess[j * 4 + i]);
    }
  }
  std::vector<double> plain(4);
  EXPECT_EQ(ll(theta, data, plain), ll.Evaluate(theta, data, grad, hess));
  EXPECT_EQ(plain, grad);
}

TEST(LikelihoodTest, BgFamilyHessianMatchesFiniteDifferences) {
  const Groups data = TestRfm();
  for (internal::BgVariant v : {internal::BgVariant::kBg, internal::BgVariant::kMbg}) {
    const internal::BgGroupLikelihood ll(v, 1);
    for (const auto& theta : std::vector<std::vector<double>>{
             {0.243, 4.41, 0.793, 2.43}, {2.0, 0.5, 3.0, 0.2}, {0.05, 40.0, 0.1, 10.0}}) {
      CheckHessian(ll, data, theta, 1e-5);
    }
  }
}

TEST(LikelihoodTest, ParetoIntegralTablesMatchTheGeneralIntegral) {
  // Customers from ordinary to extreme (x up to 221, t_x = T, t_x just below T, long T),
  // at parameter points where either expansion or quadrature is used.
  const std::vector<double> x = {0, 1, 2, 7, 221, 221, 30, 3, 10000, 5};
  const std::vector<double> tx = {0, 1.71, 30.43, 38.0, 200, 253.9, 38.0, 0.14, 5000, 1e-9};
  const std::vector<double> t = {38.86, 38.86, 38.86, 38.86, 254, 254, 38.86, 300, 5200, 1e5};
  const Groups data = internal::GroupTriples(x, tx, t, {}, false);
  for (const auto& p : std::vector<std::vector<double>>{{0.553, 10.58, 0.606, 11.67},
                                                        {0.597, 11.59, 0.522, 8.83},
                                                        {2.0, 0.3, 3.0, 40.0},
                                                        {0.1, 100.0, 1.0, 1.0},
                                                        {0.5, 0.01, 2.5, 300.0},
                                                        {0.6, 347.6, 0.52, 0.294}}) {
    const internal::ParetoIntegralTables tables(p[0], p[1], p[2], p[3], 10000, data.values);
    for (std::size_t i = 0; i < data.size(); ++i) {
      if (!(data.c[i] > data.b[i])) continue;
      const auto fast =
          tables.Compute(static_cast<std::size_t>(data.a[i]), data.b_code[i], data.c_code[i]);
      const auto ref = internal::ComputePowerPairIntegral(p[0] + data.a[i], p[1], p[2] + 1.0, p[3],
                                                          data.b[i], data.c[i]);
      // ln q from two cached logarithms: an absolute error ~1e-16 ln(c + T), relative to
      // ln(1/q) ~ (T - t_x)/(c + T).
      const double tol = 1e-13 * (1.0 + (p[1] + data.c[i]) / (data.c[i] - data.b[i]));
      EXPECT_NEAR(fast.log_value, ref.log_value, tol * (1 + std::fabs(ref.log_value)))
          << "x=" << data.a[i] << " t_x=" << data.b[i] << " T=" << data.c[i] << " r=" << p[0];
      EXPECT_NEAR(fast.d_e1, ref.d_e1, tol * (1 + std::fabs(ref.d_e1)));
      EXPECT_NEAR(fast.d_c1, ref.d_c1, tol * (1 + std::fabs(ref.d_c1)));
      EXPECT_NEAR(fast.d_e2, ref.d_e2, tol * (1 + std::fabs(ref.d_e2)));
      EXPECT_NEAR(fast.d_c2, ref.d_c2, tol * (1 + std::fabs(ref.d_c2)));
    }
  }
}

TEST(LikelihoodTest, GammaGammaGradientMatchesFiniteDifferences) {
  const std::vector<double> x = {1, 2, 2, 5, 30};
  const std::vector<double> m = {11.77, 22.35, 40.0, 5.5, 120.0};
  const std::vector<double> zero(x.size(), 0.0);
  const Groups data = internal::GroupTriples(x, m, zero, {}, false);
  const internal::GroupLogLikelihood ll = internal::GammaGammaGroupLogLikelihood(1);
  CheckGradient(ll, data, {6.25, 3.74, 15.44}, 1e-6);
  CheckGradient(ll, data, {0.5, 0.8, 300.0}, 1e-6);
}

TEST(LikelihoodTest, GroupedMatchesPerCustomerLikelihood) {
  const Groups data = TestRfm();
  const BgNbdModel bg = BgNbdModel::Create({0.243, 4.41, 0.793, 2.43}).value();
  const ParetoNbdModel pareto = ParetoNbdModel::Create({0.553, 10.58, 0.606, 11.67}).value();
  double bg_sum = 0, pareto_sum = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const CustomerRfm c{data.a[i], data.b[i], data.c[i]};
    bg_sum += data.weight[i] * bg.LogLikelihood(c);
    pareto_sum += data.weight[i] * pareto.LogLikelihood(c);
  }
  std::vector<double> grad(4);
  const internal::BgGroupLikelihood bg_ll(internal::BgVariant::kBg, 2);
  EXPECT_NEAR(bg_ll(std::vector<double>{0.243, 4.41, 0.793, 2.43}, data, grad), bg_sum,
              1e-9 * std::fabs(bg_sum));
  EXPECT_NEAR(internal::ParetoGroupLogLikelihood(2)(std::vector<double>{0.553, 10.58, 0.606, 11.67},
                                                    data, grad),
              pareto_sum, 1e-9 * std::fabs(pareto_sum));
}

TEST(ParetoIntegralTest, SeriesAgreesWithQuadrature) {
  using internal::ComputePowerPairIntegral;
  using internal::PowerPairMethod;
  int checked = 0;
  for (double e1 : {0.3, 1.5, 12.0, 221.5}) {
    for (double c1 : {0.05, 4.0, 10.6, 300.0}) {
      for (double e2 : {1.1, 1.6, 5.0}) {
        for (double c2 : {0.05, 11.7, 80.0}) {
          for (const auto& [lo, hi] : std::vector<std::pair<double, double>>{
                   {0.0, 38.86}, {30.43, 38.86}, {38.0, 38.86}, {1.0, 254.0}}) {
            const auto s =
                ComputePowerPairIntegral(e1, c1, e2, c2, lo, hi, PowerPairMethod::kSeries);
            const auto q =
                ComputePowerPairIntegral(e1, c1, e2, c2, lo, hi, PowerPairMethod::kQuadrature);
            ASSERT_TRUE(std::isfinite(s.log_value) && std::isfinite(q.log_value));
            const double tol = 1e-9;
            EXPECT_NEAR(s.log_value, q.log_value, tol * (1 + std::fabs(q.log_value)))
                << e1 << " " << c1 << " " << e2 << " " << c2 << " " << lo << " " << hi;
            EXPECT_NEAR(s.d_e1, q.d_e1, tol * (1 + std::fabs(q.d_e1)));
            EXPECT_NEAR(s.d_e2, q.d_e2, tol * (1 + std::fabs(q.d_e2)));
            EXPECT_NEAR(s.d_c1, q.d_c1, tol * (1 + std::fabs(q.d_c1)));
            EXPECT_NEAR(s.d_c2, q.d_c2, tol * (1 + std::fabs(q.d_c2)));
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 4 * 4 * 3 * 3 * 4);
}

TEST(ExtremeCustomerTest, NoNanOrInfinity) {
  const BgNbdModel bg = BgNbdModel::Create({0.243, 4.41, 0.793, 2.43}).value();
  const MbgNbdModel mbg = MbgNbdModel::Create({0.243, 4.41, 0.793, 2.43}).value();
  const ParetoNbdModel pareto = ParetoNbdModel::Create({0.553, 10.58, 0.606, 11.67}).value();
  const std::vector<CustomerRfm> customers = {{221, 254, 254},  {221, 200, 254},     {221, 1, 254},
                                              {1000, 500, 520}, {10000, 5000, 5200}, {0, 0, 1e5},
                                              {1, 1e-9, 1e5},   {50, 0.5, 0.5}};
  for (const TransactionModel* m : std::vector<const TransactionModel*>{&bg, &mbg, &pareto}) {
    for (const CustomerRfm& c : customers) {
      const double ll = m->LogLikelihood(c);
      const double alive = m->ProbabilityAlive(c);
      const double e39 = m->ConditionalExpectedPurchases(c, 39);
      const double e520 = m->ConditionalExpectedPurchases(c, 520);
      EXPECT_TRUE(std::isfinite(ll)) << m->name() << " x=" << c.frequency;
      EXPECT_TRUE(alive >= 0 && alive <= 1) << m->name() << " x=" << c.frequency;
      EXPECT_TRUE(std::isfinite(e39) && e39 >= 0) << m->name() << " x=" << c.frequency;
      EXPECT_TRUE(std::isfinite(e520) && e520 >= e39) << m->name() << " x=" << c.frequency;
      const double p0 = m->ConditionalProbabilityOfPurchases(0, c, 39);
      EXPECT_TRUE(p0 >= 0 && p0 <= 1) << m->name() << " x=" << c.frequency;
    }
  }
}

TEST(ExtremeCustomerTest, GradientsFiniteForExtremeGroups) {
  const std::vector<double> x = {221, 10000, 0};
  const std::vector<double> tx = {254, 5000, 0};
  const std::vector<double> t = {254, 5200, 1e5};
  const Groups data = internal::GroupTriples(x, tx, t, {}, false);
  std::vector<double> grad(4);
  for (const auto& ll :
       {internal::GroupLogLikelihood(internal::BgGroupLikelihood(internal::BgVariant::kBg, 1)),
        internal::ParetoGroupLogLikelihood(1)}) {
    const double v = ll(std::vector<double>{0.5, 10.0, 0.6, 11.0}, data, grad);
    EXPECT_TRUE(std::isfinite(v));
    for (double g : grad) EXPECT_TRUE(std::isfinite(g));
  }
}

}  // namespace
}  // namespace winback::models
