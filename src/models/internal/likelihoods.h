#pragma once

// The summed weighted log-likelihoods over grouped inputs used by the fits, exposed for tests
// (gradient checks against finite differences).

#include "models/internal/fit_driver.h"

namespace winback::models::internal {

// Groups a = x, b = t_x, c = T; theta = (r, alpha, s, beta).
GroupLogLikelihood ParetoGroupLogLikelihood(int threads);
// Groups a = x, b = m_x; theta = (p, q, gamma).
GroupLogLikelihood GammaGammaGroupLogLikelihood(int threads);

}  // namespace winback::models::internal
