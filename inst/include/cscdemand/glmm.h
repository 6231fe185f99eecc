// Generalised linear mixed models with one scalar random intercept per cluster
// (council): Poisson, negative binomial (NB2) and binomial (logit), with an
// offset (log exposure) and frequency weights.
//
// Because the random effect is one scalar per cluster, the marginal likelihood
// factorises over clusters. Each cluster's integral is done exactly per cluster
// by the Laplace approximation (nagq = 1) or adaptive Gauss-Hermite quadrature
// (nagq > 1) around the conditional mode, found by a safeguarded Newton
// iteration. The outer problem over psi = (beta, log sigma [, log theta]) is
// solved by BFGS with the analytic gradient of the approximated marginal
// log-likelihood (including the dependence of the mode and curvature on psi),
// then polished by Newton steps with a finite-difference Hessian of that
// gradient, which also gives the observed information for standard errors.
//
// Pure C++ (Eigen, standard library): no R headers. Input is assumed valid
// (checked in R): rows sorted by cluster, y >= 0, trials >= y for binomial.
#ifndef CSCDEMAND_GLMM_H
#define CSCDEMAND_GLMM_H

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <vector>

#include "parallel.h"

namespace cscdemand {

namespace glmm {

constexpr double kPi = 3.14159265358979323846;

enum Family { kPoisson = 0, kNegbin = 1, kBinomial = 2 };

enum Status {
  kConverged = 0,
  kMaxIter = 1,
  kLineSearch = 2,  // no further decrease possible before the tolerance was met
  kNonFinite = 3
};


inline double digamma(double x) {
  double r = 0.0;
  while (x < 6.0) {
    r -= 1.0 / x;
    x += 1.0;
  }
  const double f = 1.0 / (x * x);
  return r + std::log(x) - 0.5 / x -
         f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132.0))));
}

inline double log1pexp(double x) {
  return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

// Gauss-Hermite rule for weight exp(-z^2) by Golub-Welsch. Returns nodes and
// log(w_k) + z_k^2 (the weights for integrating a function against dz).
inline void gauss_hermite(int n, std::vector<double>& z, std::vector<double>& logw) {
  z.assign(n, 0.0);
  logw.assign(n, 0.0);
  if (n == 1) {
    logw[0] = 0.5 * std::log(kPi);
    return;
  }
  Eigen::MatrixXd J = Eigen::MatrixXd::Zero(n, n);
  for (int k = 1; k < n; ++k) J(k, k - 1) = J(k - 1, k) = std::sqrt(k / 2.0);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(J);
  for (int k = 0; k < n; ++k) {
    z[k] = es.eigenvalues()(k);
    if (n % 2 == 1 && k == n / 2) z[k] = 0.0;
    const double v = es.eigenvectors()(0, k);
    logw[k] = 0.5 * std::log(kPi) + std::log(v * v) + z[k] * z[k];
  }
}

struct Data {
  Family family = kPoisson;
  int n = 0;                      // rows
  int p = 0;                      // fixed-effect columns
  int J = 1;                      // clusters (random) or row chunks (no random effect)
  bool random = true;
  int nagq = 1;
  const double* X = nullptr;      // row-major n x p
  const double* y = nullptr;
  const double* trials = nullptr; // binomial only
  const double* offset = nullptr;
  const double* w = nullptr;      // frequency weights
  const int* cstart = nullptr;    // J + 1 row boundaries
};

struct Control {
  int maxit = 200;
  double tol = 1e-10;        // on the Newton decrement g' H^-1 g (log-likelihood units)
  int polish = 4;            // Newton steps with the finite-difference Hessian
  double lsigma_min = -9.0;  // log sigma bounds
  double lsigma_max = 4.0;
  double ltheta_min = -7.0;  // log theta bounds
  double ltheta_max = 14.0;
};

struct Result {
  Eigen::VectorXd psi;       // beta, [log sigma], [log theta]
  double loglik = NAN;
  Eigen::VectorXd grad;      // of the log-likelihood at psi
  Eigen::MatrixXd hessian;   // of the log-likelihood at psi (finite differences)
  std::vector<double> bhat;  // conditional modes per cluster
  std::vector<double> bsd;   // conditional sd (1 / sqrt(curvature)) per cluster
  int iterations = 0;
  int evaluations = 0;
  int status = kConverged;
  double decrement = NAN;
  int modes_unconverged = 0;  // clusters whose conditional mode did not converge
};

class Model {
 public:
  Model(const Data& d, ParallelFor pfor) : d_(d), pfor_(std::move(pfor)) {
    q_ = d_.p + (d_.random ? 1 : 0) + (d_.family == kNegbin ? 1 : 0);
    bhat_.assign(d_.J, 0.0);
    bsd_.assign(d_.J, 0.0);
    mode_ok_.assign(d_.J, 1);
    ll_.assign(d_.J, 0.0);
    g_.assign(static_cast<std::size_t>(d_.J) * q_, 0.0);
    gauss_hermite(std::max(1, d_.nagq), z_, logw_);
    if (d_.family == kNegbin) {
      cst_.assign(d_.n, 0.0);
      cstt_.assign(d_.n, 0.0);
    } else if (d_.family == kPoisson) {
      cst_.resize(d_.n);
      for (int i = 0; i < d_.n; ++i) cst_[i] = -std::lgamma(d_.y[i] + 1.0);
    }
  }

  int q() const { return q_; }
  int evaluations() const { return evals_; }
  const std::vector<double>& bhat() const { return bhat_; }
  const std::vector<double>& bsd() const { return bsd_; }
  // Clusters whose conditional mode (inner Newton loop) did not converge at
  // the last evaluation.
  int modes_unconverged() const {
    int n = 0;
    for (char ok : mode_ok_) n += ok ? 0 : 1;
    return n;
  }

  // Marginal log-likelihood at psi (and its gradient if g != nullptr).
  double eval(const Eigen::VectorXd& psi, Eigen::VectorXd* g) {
    ++evals_;
    const int p = d_.p;
    const double lsig = d_.random ? psi(p) : 0.0;
    const double theta = d_.family == kNegbin ? std::exp(psi(q_ - 1)) : 0.0;
    if (d_.family == kNegbin && theta != cached_theta_) update_nb_constants(theta);
    const bool want = g != nullptr;
    pfor_(static_cast<std::size_t>(d_.J), [&](std::size_t b, std::size_t e) {
      std::vector<double> eta0;
      for (std::size_t j = b; j < e; ++j) {
        double* gout = want ? &g_[j * q_] : nullptr;
        ll_[j] = d_.random ? cluster(static_cast<int>(j), psi, lsig, theta, eta0, gout)
                           : chunk(static_cast<int>(j), psi, theta, gout);
      }
    });
    double f = 0.0;
    for (int j = 0; j < d_.J; ++j) f += ll_[j];
    if (want) {
      g->setZero(q_);
      for (int j = 0; j < d_.J; ++j)
        for (int k = 0; k < q_; ++k) (*g)(k) += g_[static_cast<std::size_t>(j) * q_ + k];
    }
    return f;
  }

 private:
  struct Terms {
    double lb, d1, d2, d3, lt, d1t, d2t;
  };

  void update_nb_constants(double theta) {
    const double lgt = std::lgamma(theta), dgt = digamma(theta), lt = std::log(theta);
    pfor_(static_cast<std::size_t>(d_.n), [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        const double y = d_.y[i];
        cst_[i] = std::lgamma(y + theta) - lgt - std::lgamma(y + 1.0) + theta * lt;
        cstt_[i] = theta * (digamma(y + theta) - dgt + lt + 1.0);
      }
    });
    cached_theta_ = theta;
  }

  // Row terms depending on eta: b-dependent log-likelihood part and derivatives
  // in eta (d1..d3) and in log theta (lt, d1t, d2t).
  inline void terms(int i, double eta, double theta, bool full, Terms& t) const {
    const double y = d_.y[i];
    switch (d_.family) {
      case kPoisson: {
        const double mu = std::exp(eta);
        t.d1 = y - mu;
        t.d2 = -mu;
        if (full) {
          t.lb = cst_[i] + y * eta - mu;
          t.d3 = -mu;
          t.lt = t.d1t = t.d2t = 0.0;
        }
        break;
      }
      case kBinomial: {
        const double n = d_.trials[i];
        const double pr = 1.0 / (1.0 + std::exp(-eta));
        const double v = pr * (1.0 - pr);
        t.d1 = y - n * pr;
        t.d2 = -n * v;
        if (full) {
          t.lb = y * eta - n * log1pexp(eta);
          t.d3 = -n * v * (1.0 - 2.0 * pr);
          t.lt = t.d1t = t.d2t = 0.0;
        }
        break;
      }
      case kNegbin: {
        const double mu = std::exp(eta);
        const double qq = theta + mu;
        t.d1 = theta * (y - mu) / qq;
        t.d2 = -theta * mu * (theta + y) / (qq * qq);
        if (full) {
          const double lq = std::log(qq);
          t.lb = cst_[i] + y * eta - (y + theta) * lq;
          t.d3 = -theta * (theta + y) * mu * (theta - mu) / (qq * qq * qq);
          t.lt = cstt_[i] + theta * (-lq - (y + theta) / qq);
          t.d1t = theta * (y - mu) * mu / (qq * qq);
          t.d2t = -theta * mu * (2.0 * theta * mu + y * mu - theta * y) / (qq * qq * qq);
        }
        break;
      }
    }
  }

  double xb(int i, const Eigen::VectorXd& psi) const {
    const double* x = d_.X + static_cast<std::size_t>(i) * d_.p;
    double s = d_.offset[i];
    for (int k = 0; k < d_.p; ++k) s += x[k] * psi(k);
    return s;
  }

  // No random effect: plain GLM log-likelihood over a chunk of rows.
  double chunk(int j, const Eigen::VectorXd& psi, double theta, double* g) const {
    Terms t{};
    double f = 0.0;
    if (g) std::fill(g, g + q_, 0.0);
    for (int i = d_.cstart[j]; i < d_.cstart[j + 1]; ++i) {
      terms(i, xb(i, psi), theta, true, t);
      const double w = d_.w[i];
      f += w * t.lb;
      if (g) {
        const double* x = d_.X + static_cast<std::size_t>(i) * d_.p;
        for (int k = 0; k < d_.p; ++k) g[k] += w * t.d1 * x[k];
        if (d_.family == kNegbin) g[q_ - 1] += w * t.lt;
      }
    }
    return f;
  }

  // One cluster's approximated log marginal likelihood and its gradient.
  double cluster(int j, const Eigen::VectorXd& psi, double lsig, double theta,
                 std::vector<double>& eta0, double* g) {
    const int r0 = d_.cstart[j], r1 = d_.cstart[j + 1], m = r1 - r0, p = d_.p;
    const bool nb = d_.family == kNegbin;
    eta0.resize(m);
    for (int i = 0; i < m; ++i) eta0[i] = xb(r0 + i, psi);
    const double prec = std::exp(-2.0 * lsig);  // 1 / sigma^2
    Terms t{};

    // Conditional mode: h'(b) = sum w d1 - b prec is decreasing in b.
    double b = bhat_[j];
    if (!std::isfinite(b)) b = 0.0;
    double lo = -std::numeric_limits<double>::infinity(), hi = -lo;
    double H = prec;
    bool mode_ok = false;
    for (int it = 0; it < 200; ++it) {
      double s1 = 0.0, s2 = 0.0;
      for (int i = 0; i < m; ++i) {
        terms(r0 + i, eta0[i] + b, theta, false, t);
        s1 += d_.w[r0 + i] * t.d1;
        s2 += d_.w[r0 + i] * t.d2;
      }
      const double hp = s1 - b * prec;
      H = -s2 + prec;
      if (hp > 0) lo = b; else hi = b;
      double step = hp / H;
      if (step > 3.0) step = 3.0;
      if (step < -3.0) step = -3.0;
      double nb_ = b + step;
      if (!(nb_ > lo && nb_ < hi) && std::isfinite(lo) && std::isfinite(hi)) nb_ = 0.5 * (lo + hi);
      const double delta = nb_ - b;
      b = nb_;
      if (std::fabs(delta) < 1e-11 * (1.0 + std::fabs(b))) {
        mode_ok = true;
        break;
      }
    }
    mode_ok_[j] = mode_ok ? 1 : 0;
    // curvature and its derivatives at the mode; the node at the mode itself
    // (z = 0: Laplace, or odd nagq) is evaluated in the same pass
    double s2 = 0.0, s3 = 0.0, s1t = 0.0, s2t = 0.0, hc = -0.5 * b * b * prec, s1c = 0.0;
    Eigen::VectorXd sx2 = Eigen::VectorXd::Zero(p), sx3 = Eigen::VectorXd::Zero(p);
    Eigen::VectorXd dhc = Eigen::VectorXd::Zero(q_);
    for (int i = 0; i < m; ++i) {
      terms(r0 + i, eta0[i] + b, theta, true, t);
      const double w = d_.w[r0 + i];
      s2 += w * t.d2;
      s3 += w * t.d3;
      hc += w * t.lb;
      s1c += w * t.d1;
      if (g) {
        const double* x = d_.X + static_cast<std::size_t>(r0 + i) * p;
        for (int k = 0; k < p; ++k) {
          sx2(k) += w * t.d2 * x[k];
          sx3(k) += w * t.d3 * x[k];
          dhc(k) += w * t.d1 * x[k];
        }
        if (nb) {
          s1t += w * t.d1t;
          s2t += w * t.d2t;
          dhc(q_ - 1) += w * t.lt;
        }
      }
    }
    dhc(p) = b * b * prec;
    H = -s2 + prec;
    bhat_[j] = b;
    bsd_[j] = 1.0 / std::sqrt(H);
    const double s = std::sqrt(2.0 / H);
    const int K = static_cast<int>(z_.size());

    // nodes
    std::vector<double> hk(K), hpk(K);
    Eigen::MatrixXd dh;  // q x K: partial derivatives of h at node k
    if (g) dh.setZero(q_, K);
    for (int k = 0; k < K; ++k) {
      if (z_[k] == 0.0) {
        hk[k] = hc;
        hpk[k] = s1c - b * prec;
        if (g) dh.col(k) = dhc;
        continue;
      }
      const double bk = b + s * z_[k];
      double h = -0.5 * bk * bk * prec, s1 = 0.0;
      for (int i = 0; i < m; ++i) {
        terms(r0 + i, eta0[i] + bk, theta, true, t);
        const double w = d_.w[r0 + i];
        h += w * t.lb;
        s1 += w * t.d1;
        if (g) {
          const double* x = d_.X + static_cast<std::size_t>(r0 + i) * p;
          for (int c = 0; c < p; ++c) dh(c, k) += w * t.d1 * x[c];
          if (nb) dh(q_ - 1, k) += w * t.lt;
        }
      }
      hk[k] = h;
      hpk[k] = s1 - bk * prec;
      if (g) dh(p, k) = bk * bk * prec;
    }
    double mx = -std::numeric_limits<double>::infinity();
    for (int k = 0; k < K; ++k) mx = std::max(mx, logw_[k] + hk[k]);
    double sum = 0.0;
    std::vector<double> pik(K);
    for (int k = 0; k < K; ++k) {
      pik[k] = std::exp(logw_[k] + hk[k] - mx);
      sum += pik[k];
    }
    const double f = mx + std::log(sum) + std::log(s) - lsig - 0.5 * std::log(2.0 * kPi);
    if (!g) return f;
    for (int k = 0; k < K; ++k) pik[k] /= sum;

    // d bhat / d psi and total d H / d psi
    Eigen::VectorXd db(q_), dH(q_);
    for (int c = 0; c < p; ++c) {
      db(c) = sx2(c) / H;
      dH(c) = -sx3(c) + (-s3) * db(c);
    }
    db(p) = 2.0 * b * prec / H;
    dH(p) = -2.0 * prec + (-s3) * db(p);
    if (nb) {
      db(q_ - 1) = s1t / H;
      dH(q_ - 1) = -s2t + (-s3) * db(q_ - 1);
    }
    for (int c = 0; c < q_; ++c) {
      const double dlogs = -0.5 * dH(c) / H;
      const double ds = s * dlogs;
      double acc = 0.0;
      for (int k = 0; k < K; ++k) acc += pik[k] * (dh(c, k) + hpk[k] * (db(c) + z_[k] * ds));
      g[c] = acc + dlogs - (c == p ? 1.0 : 0.0);
    }
    return f;
  }

  Data d_;
  ParallelFor pfor_;
  int q_ = 0;
  int evals_ = 0;
  std::vector<double> z_, logw_;
  std::vector<double> bhat_, bsd_, ll_, g_;
  std::vector<char> mode_ok_;  // per cluster; each worker writes its own clusters
  std::vector<double> cst_, cstt_;
  double cached_theta_ = NAN;
};

// Bounds on psi: log sigma and log theta are kept in a box.
inline void bounds(const Data& d, const Control& c, int q, Eigen::VectorXd& lo,
                   Eigen::VectorXd& hi) {
  lo = Eigen::VectorXd::Constant(q, -std::numeric_limits<double>::infinity());
  hi = Eigen::VectorXd::Constant(q, std::numeric_limits<double>::infinity());
  if (d.random) {
    lo(d.p) = c.lsigma_min;
    hi(d.p) = c.lsigma_max;
  }
  if (d.family == kNegbin) {
    lo(q - 1) = c.ltheta_min;
    hi(q - 1) = c.ltheta_max;
  }
}

// Finite-difference Hessian of the analytic gradient (central differences).
inline Eigen::MatrixXd fd_hessian(Model& m, const Eigen::VectorXd& psi) {
  const int q = m.q();
  Eigen::MatrixXd Hs(q, q);
  Eigen::VectorXd gp(q), gm(q);
  for (int k = 0; k < q; ++k) {
    const double h = 1e-4 * std::max(1.0, std::fabs(psi(k)));
    Eigen::VectorXd a = psi, b = psi;
    a(k) += h;
    b(k) -= h;
    m.eval(a, &gp);
    m.eval(b, &gm);
    Hs.col(k) = (gp - gm) / (2.0 * h);
  }
  return 0.5 * (Hs + Hs.transpose());
}

// Maximise the marginal log-likelihood from psi0.
inline Result fit(const Data& d, const Eigen::VectorXd& psi0, const Control& c,
                  ParallelFor pfor = serial_for) {
  Model m(d, std::move(pfor));
  const int q = m.q();
  Eigen::VectorXd lo, hi;
  bounds(d, c, q, lo, hi);
  Eigen::VectorXd x = psi0.cwiseMax(lo).cwiseMin(hi), g(q), gn(q);
  Result res;
  // minimise f = -loglik
  double f = -m.eval(x, &g);
  g = -g;
  if (!std::isfinite(f) || !g.allFinite()) {
    res.status = kNonFinite;
    res.psi = x;
    res.loglik = -f;
    return res;
  }
  // initial inverse Hessian: from finite differences at the start (a few
  // gradient evaluations buy a much shorter BFGS run), else a scaled identity
  Eigen::MatrixXd Hinv = Eigen::MatrixXd::Identity(q, q);
  const double g0 = g.cwiseAbs().maxCoeff();
  if (g0 > 0) Hinv *= std::min(1.0, 1.0 / g0);
  bool hinv_set = false;
  {
    Eigen::MatrixXd H0 = -fd_hessian(m, x);  // Hessian of f = -loglik
    Eigen::LLT<Eigen::MatrixXd> llt(H0);
    if (H0.allFinite() && llt.info() == Eigen::Success) {
      Hinv = llt.solve(Eigen::MatrixXd::Identity(q, q));
      hinv_set = true;
    }
  }
  int it = 0;
  res.status = kMaxIter;
  double dec = NAN;
  // Coordinates held at a bound by a gradient pointing outwards are fixed.
  auto projected = [&](const Eigen::VectorXd& xx, const Eigen::VectorXd& gg) {
    Eigen::VectorXd gp = gg;
    for (int k = 0; k < q; ++k) {
      if ((xx(k) <= lo(k) && gg(k) > 0) || (xx(k) >= hi(k) && gg(k) < 0)) gp(k) = 0.0;
    }
    return gp;
  };
  for (; it < c.maxit; ++it) {
    const Eigen::VectorXd gp = projected(x, g);
    Eigen::VectorXd dir = -Hinv * gp;
    for (int k = 0; k < q; ++k) if (gp(k) == 0.0 && g(k) != 0.0) dir(k) = 0.0;
    dec = -gp.dot(dir);
    if (dec < 0 || !std::isfinite(dec)) {  // reset a non-descent direction
      Hinv = Eigen::MatrixXd::Identity(q, q) * std::min(1.0, 1.0 / std::max(1e-12, g.cwiseAbs().maxCoeff()));
      dir = -Hinv * gp;
      dec = -gp.dot(dir);
    }
    if (dec < c.tol) {
      res.status = kConverged;
      break;
    }
    // cap the step: at most 2 units in any coordinate
    const double mxs = dir.cwiseAbs().maxCoeff();
    if (mxs > 2.0) dir *= 2.0 / mxs;
    double step = 1.0, fn = 0.0;
    Eigen::VectorXd xn;
    bool ok = false;
    for (int ls = 0; ls < 40; ++ls) {
      xn = (x + step * dir).cwiseMax(lo).cwiseMin(hi);
      fn = -m.eval(xn, &gn);
      if (std::isfinite(fn) && gn.allFinite() && fn <= f + 1e-4 * gp.dot(xn - x)) {
        ok = true;
        break;
      }
      step *= 0.5;
    }
    if (!ok) {
      res.status = kLineSearch;
      break;
    }
    gn = -gn;
    const Eigen::VectorXd s = xn - x, yv = gn - g;
    const double sy = s.dot(yv);
    if (sy > 1e-12 * s.norm() * yv.norm()) {
      if (it == 0 && !hinv_set) Hinv *= sy / yv.dot(yv) / Hinv(0, 0);
      const double rho = 1.0 / sy;
      const Eigen::MatrixXd I = Eigen::MatrixXd::Identity(q, q);
      Hinv = (I - rho * s * yv.transpose()) * Hinv * (I - rho * yv * s.transpose()) +
             rho * s * s.transpose();
    }
    x = xn;
    f = fn;
    g = gn;
  }
  // Newton polish with the finite-difference Hessian (also used for SEs).
  Eigen::MatrixXd Hs = fd_hessian(m, x);  // Hessian of loglik
  bool at_bound = false;
  for (int k = 0; k < q; ++k) at_bound = at_bound || x(k) <= lo(k) || x(k) >= hi(k);
  const int npolish = at_bound ? 0 : std::min(c.polish, c.maxit - it);
  for (int k = 0; k < npolish; ++k) {
    Eigen::VectorXd gl(q);
    const double fl = m.eval(x, &gl);
    Eigen::LDLT<Eigen::MatrixXd> ldlt(-Hs);
    if (ldlt.info() != Eigen::Success || !ldlt.isPositive()) break;
    Eigen::VectorXd dir = ldlt.solve(gl);
    const double dk = gl.dot(dir);
    dec = dk;
    if (!(dk > 1e-14)) {
      if (res.status == kLineSearch || res.status == kMaxIter) res.status = kConverged;
      break;
    }
    double step = 1.0;
    bool ok = false;
    for (int ls = 0; ls < 20; ++ls) {
      Eigen::VectorXd xn = (x + step * dir).cwiseMax(lo).cwiseMin(hi);
      Eigen::VectorXd gt(q);
      const double fn = m.eval(xn, &gt);
      if (std::isfinite(fn) && fn >= fl - 1e-12 * std::fabs(fl)) {
        x = xn;
        ok = true;
        break;
      }
      step *= 0.5;
    }
    if (!ok) break;
    if (dk < c.tol) res.status = kConverged;
    Hs = fd_hessian(m, x);
  }
  res.psi = x;
  res.grad.resize(q);
  res.loglik = m.eval(x, &res.grad);
  res.hessian = Hs;  // computed at x (the last accepted point)
  m.eval(x, nullptr);  // leave the modes at the optimum
  res.bhat = m.bhat();
  res.bsd = m.bsd();
  res.modes_unconverged = m.modes_unconverged();
  res.iterations = it;
  res.evaluations = m.evaluations();
  res.decrement = dec;
  if (!std::isfinite(res.loglik)) res.status = kNonFinite;
  return res;
}

}  // namespace glmm
}  // namespace cscdemand

#endif
