// Rcpp glue for the GLMM core (inst/include/cscdemand/glmm.h): type conversion only.
#include <Rcpp.h>
#include <RcppEigen.h>

#include <cscdemand/glmm.h>

#include "parallel_adaptor.h"

using namespace Rcpp;

namespace {

// The core's view of the data; Xr receives a row-major copy of X (the core
// reads the design row by row) and must outlive the returned Data.
cscdemand::glmm::Data glmm_data(const Eigen::Map<Eigen::MatrixXd>& X, std::vector<double>& Xr,
                                const NumericVector& y, const NumericVector& trials,
                                const NumericVector& offset, const NumericVector& weights,
                                const IntegerVector& cstart, int family, bool random, int nagq) {
  const int n = X.rows(), p = X.cols();
  Xr.assign(static_cast<std::size_t>(n) * p, 0.0);
  for (int k = 0; k < p; ++k)
    for (int i = 0; i < n; ++i) Xr[static_cast<std::size_t>(i) * p + k] = X(i, k);
  cscdemand::glmm::Data d;
  d.family = static_cast<cscdemand::glmm::Family>(family);
  d.n = n;
  d.p = p;
  d.J = cstart.size() - 1;
  d.random = random;
  d.nagq = nagq;
  d.X = Xr.data();
  d.y = y.begin();
  d.trials = trials.begin();
  d.offset = offset.begin();
  d.w = weights.begin();
  d.cstart = cstart.begin();
  return d;
}

}  // namespace

// [[Rcpp::export]]
List cpp_glmm_fit(const Eigen::Map<Eigen::MatrixXd> X, const NumericVector& y,
                  const NumericVector& trials, const NumericVector& offset,
                  const NumericVector& weights, const IntegerVector& cstart, int family,
                  bool random, int nagq, const NumericVector& start, int maxit, double tol,
                  int threads) {
  std::vector<double> Xr;
  cscdemand::glmm::Data d =
      glmm_data(X, Xr, y, trials, offset, weights, cstart, family, random, nagq);
  cscdemand::glmm::Control c;
  c.maxit = maxit;
  c.tol = tol;
  Eigen::VectorXd psi0 = Rcpp::as<Eigen::VectorXd>(start);
  cscdemand::glmm::Result r =
      cscdemand::glmm::fit(d, psi0, c, cscdemand_parallel_for(threads));
  return List::create(
      _["psi"] = wrap(r.psi), _["loglik"] = r.loglik, _["grad"] = wrap(r.grad),
      _["hessian"] = wrap(r.hessian), _["bhat"] = wrap(r.bhat), _["bsd"] = wrap(r.bsd),
      _["iterations"] = r.iterations, _["evaluations"] = r.evaluations,
      _["status"] = r.status, _["decrement"] = r.decrement,
      _["modes_unconverged"] = r.modes_unconverged);
}

// Log-likelihood (and gradient) at fixed psi, for tests of the analytic gradient.
// [[Rcpp::export]]
List cpp_glmm_loglik(const Eigen::Map<Eigen::MatrixXd> X, const NumericVector& y,
                     const NumericVector& trials, const NumericVector& offset,
                     const NumericVector& weights, const IntegerVector& cstart, int family,
                     bool random, int nagq, const NumericVector& psi) {
  std::vector<double> Xr;
  cscdemand::glmm::Data d =
      glmm_data(X, Xr, y, trials, offset, weights, cstart, family, random, nagq);
  cscdemand::glmm::Model m(d, cscdemand::serial_for);
  Eigen::VectorXd x = Rcpp::as<Eigen::VectorXd>(psi), g(m.q());
  // two passes so the conditional modes are converged from a warm start
  m.eval(x, nullptr);
  const double f = m.eval(x, &g);
  return List::create(_["loglik"] = f, _["grad"] = wrap(g), _["bhat"] = wrap(m.bhat()));
}
