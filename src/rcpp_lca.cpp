// Rcpp glue for the latent class core: type conversion only.
#include <Rcpp.h>

#include <algorithm>
#include <vector>

#include <cscdemand/groups.h>
#include <cscdemand/lca.h>
#include <cscdemand/patterns.h>
#include <cscdemand/replicates.h>

#include "parallel_adaptor.h"
#include "progress_adaptor.h"

using namespace Rcpp;

namespace {

// Row-major 0-based copy of an R integer matrix of 1-based categories (NA = missing).
std::vector<int> to_row_major(const IntegerMatrix& y) {
  const int P = y.nrow(), J = y.ncol();
  std::vector<int> out(static_cast<std::size_t>(P) * J);
  for (int j = 0; j < J; ++j) {
    for (int p = 0; p < P; ++p) {
      const int v = y(p, j);
      out[static_cast<std::size_t>(p) * J + j] = (v == NA_INTEGER) ? -1 : v - 1;
    }
  }
  return out;
}

cscdemand::Design design_from_r(const IntegerMatrix& y, const IntegerVector& ncat,
                                const NumericVector& n, const IntegerVector& group, int G, int K,
                                const IntegerMatrix& set_of) {
  const int P = y.nrow(), J = y.ncol();
  std::vector<int> yy = to_row_major(y);
  std::vector<int> g0(P);
  for (int p = 0; p < P; ++p) g0[p] = group[p] - 1;
  // set_of is J x G (column-major in R); the core wants set_of[j * G + g].
  std::vector<int> so(static_cast<std::size_t>(J) * G);
  for (int j = 0; j < J; ++j)
    for (int g = 0; g < G; ++g) so[static_cast<std::size_t>(j) * G + g] = set_of(j, g);
  return cscdemand::make_design(yy.data(), P, J, ncat.begin(), n.begin(), g0.data(), G, K,
                                so.data());
}

// A seed from R (a whole number, 0 <= seed < 2^53 after the R checks) as the
// core's 64-bit seed. Values outside the range of uint64 are reduced modulo
// 2^64 first, so the conversion is always defined.
std::uint64_t seed_to_u64(double seed) {
  if (!std::isfinite(seed) || seed < 0) Rcpp::stop("seed must be a finite, non-negative number");
  const double two64 = 18446744073709551616.0;
  double s = std::floor(seed);
  if (s >= two64) s = std::fmod(s, two64);
  return static_cast<std::uint64_t>(s);
}

NumericMatrix as_matrix(const std::vector<double>& v, int nrow, int ncol) {
  // v is row-major nrow x ncol
  NumericMatrix m(nrow, ncol);
  for (int i = 0; i < nrow; ++i)
    for (int k = 0; k < ncol; ++k) m(i, k) = v[static_cast<std::size_t>(i) * ncol + k];
  return m;
}

std::vector<double> from_matrix(const NumericMatrix& m) {
  const int nr = m.nrow(), nc = m.ncol();
  std::vector<double> v(static_cast<std::size_t>(nr) * nc);
  for (int i = 0; i < nr; ++i)
    for (int k = 0; k < nc; ++k) v[static_cast<std::size_t>(i) * nc + k] = m(i, k);
  return v;
}

cscdemand::Control control_from_r(const List& control) {
  cscdemand::Control ctl;
  ctl.maxiter = as<int>(control["maxiter"]);
  ctl.tol = as<double>(control["tol"]);
  ctl.tol_par = as<double>(control["tol_par"]);
  ctl.init_iter = as<int>(control["init_iter"]);
  ctl.final_starts = as<int>(control["final_starts"]);
  ctl.empty_class = as<double>(control["empty_class"]);
  ctl.start_type = as<int>(control["start_type"]);
  ctl.adaptive = as<bool>(control["adaptive"]);
  ctl.batch = as<int>(control["batch"]);
  ctl.max_starts = as<int>(control["max_starts"]);
  ctl.min_best = as<int>(control["min_best"]);
  ctl.same_ll = as<double>(control["same_ll"]);
  ctl.same_par = as<double>(control["same_par"]);
  if (control.containsElementNamed("patience")) ctl.patience = as<int>(control["patience"]);
  if (control.containsElementNamed("screen_tol")) ctl.screen_tol = as<double>(control["screen_tol"]);
  if (control.containsElementNamed("screen_margin"))
    ctl.screen_margin = as<double>(control["screen_margin"]);
  return ctl;
}

std::vector<cscdemand::Params> params_from_r(const List& init) {
  std::vector<cscdemand::Params> out;
  for (int i = 0; i < init.size(); ++i) {
    List one = init[i];
    cscdemand::Params th;
    th.logpi = from_matrix(as<NumericMatrix>(one["logpi"]));
    th.logrho = from_matrix(as<NumericMatrix>(one["logrho"]));
    out.push_back(th);
  }
  return out;
}

// Sparse per-replicate counts from R (1-based replicate, pattern, group;
// entries sorted by replicate) into the core's form.
void entries_from_r(const IntegerVector& rep, const IntegerVector& pat, const IntegerVector& grp,
                    const NumericVector& cnt, int R, std::vector<int>& ptr, std::vector<int>& p0,
                    std::vector<int>& g0, std::vector<double>& c) {
  const int n = rep.size();
  ptr.assign(R + 1, 0);
  for (int e = 0; e < n; ++e) ptr[rep[e] + 1] += 1;
  for (int r = 0; r < R; ++r) ptr[r + 1] += ptr[r];
  p0.resize(n);
  g0.resize(n);
  c.assign(cnt.begin(), cnt.end());
  for (int e = 0; e < n; ++e) {
    p0[e] = pat[e] - 1;
    g0[e] = grp[e] - 1;
  }
}

// The pattern table of a replicate call in the core's layout: the vectors
// live here while the core reads them through `in` (so never copied).
struct ReplicateData {
  std::vector<int> yy, so, nc;
  cscdemand::ReplicateInput in;
  ReplicateData(const IntegerMatrix& y, const IntegerVector& ncat, const IntegerMatrix& set_of,
                int G, int R)
      : yy(to_row_major(y)), so(static_cast<std::size_t>(y.ncol()) * G),
        nc(ncat.begin(), ncat.end()) {
    const int J = y.ncol();
    for (int j = 0; j < J; ++j)
      for (int g = 0; g < G; ++g) so[static_cast<std::size_t>(j) * G + g] = set_of(j, g);
    in.y = yy.data();
    in.P = y.nrow();
    in.J = J;
    in.G = G;
    in.ncat = nc.data();
    in.set_of = so.data();
    in.R = R;
  }
  ReplicateData(const ReplicateData&) = delete;
  ReplicateData& operator=(const ReplicateData&) = delete;
};

// The parametric bootstrap's generating model from R: list(K, logpi,
// logrho, group_rows, n, group (1-based), seed, first); an empty list: none.
// obs_n and obs_group hold the observed counts the masks are drawn from.
void sim_from_r(const List& sim, cscdemand::ReplicateInput& in, std::vector<double>& obs_n,
                std::vector<int>& obs_group) {
  if (sim.size() == 0) return;
  cscdemand::SimSpec& sp = in.sim;
  sp.K = as<int>(sim["K"]);
  sp.par.logpi = from_matrix(as<NumericMatrix>(sim["logpi"]));
  sp.par.logrho = from_matrix(as<NumericMatrix>(sim["logrho"]));
  sp.group_rows = as<std::vector<double>>(sim["group_rows"]);
  obs_n = as<std::vector<double>>(sim["n"]);
  IntegerVector g = sim["group"];
  obs_group.resize(g.size());
  for (R_xlen_t i = 0; i < g.size(); ++i) obs_group[i] = g[i] - 1;
  sp.obs_n = obs_n.data();
  sp.obs_group = obs_group.data();
  sp.seed = seed_to_u64(as<double>(sim["seed"]));
  sp.first = as<int>(sim["first"]);
}

}  // namespace

// One EM step from the given parameters, with patterns scored on the linear
// scale where exact (as every fit does) and all in log space: the
// log-likelihoods and updated parameters of both, for tests.
// [[Rcpp::export]]
List cpp_lca_em_step_check(IntegerMatrix y, IntegerVector ncat, NumericVector n,
                           NumericMatrix logpi, NumericMatrix logrho) {
  const int P = y.nrow(), J = y.ncol(), K = logrho.ncol();
  std::vector<int> yy = to_row_major(y);
  std::vector<int> set(J, 0);
  cscdemand::Design d = cscdemand::make_design(yy.data(), P, J, ncat.begin(), n.begin(), nullptr,
                                               1, K, set.data());
  cscdemand::Params th;
  th.logpi = from_matrix(logpi);
  th.logrho = from_matrix(logrho);
  cscdemand::Params a = th, b = th;
  cscdemand::EmWork w(d);
  const double ll_lin = cscdemand::em_step(d, a, w, true);
  const double ll_log = cscdemand::em_step(d, b, w, false);
  return List::create(_["ll_linear"] = ll_lin, _["ll_log"] = ll_log,
                      _["ll_direct"] = cscdemand::loglik(d, th),
                      _["logrho_linear"] = as_matrix(a.logrho, d.R, K),
                      _["logrho_log"] = as_matrix(b.logrho, d.R, K),
                      _["logpi_linear"] = as_matrix(a.logpi, 1, K),
                      _["logpi_log"] = as_matrix(b.logpi, 1, K));
}

// Replicates of a parametric bootstrap as pattern tables (the data the
// BLRT's replicates fit): one list(y, n, group) per replicate.
// [[Rcpp::export]]
List cpp_lca_simulate_replicates(IntegerMatrix y, IntegerVector ncat, IntegerMatrix set_of,
                                 int G, int R, List sim) {
  const int J = y.ncol();
  ReplicateData rd(y, ncat, set_of, G, R);
  cscdemand::ReplicateInput& in = rd.in;
  std::vector<double> obs_n;
  std::vector<int> obs_group;
  sim_from_r(sim, in, obs_n, obs_group);
  const cscdemand::SimTables tabs = cscdemand::sim_tables(in);
  List out(R);
  for (int r = 0; r < R; ++r) {
    cscdemand::PatternTable pt = cscdemand::simulate_replicate(in, tabs, r);
    IntegerMatrix py(pt.P, J);
    for (int p = 0; p < pt.P; ++p)
      for (int j = 0; j < J; ++j) {
        const int v = pt.y[static_cast<std::size_t>(p) * J + j];
        py(p, j) = v < 0 ? NA_INTEGER : v + 1;
      }
    IntegerVector pg(pt.P);
    for (int p = 0; p < pt.P; ++p) pg[p] = pt.group[p] + 1;
    out[r] = List::create(_["y"] = py, _["n"] = wrap(pt.n), _["group"] = pg);
  }
  return out;
}

// A numeric or logical item in one pass (patterns.h, ItemScan), read by
// region so that compact vectors (the episode table's factor flags) stay
// compact: named c(n_seen, constant, bad, min, max, n_distinct), n_distinct
// NA when a code is over ItemScan::kMaxCode.
// [[Rcpp::export]]
NumericVector cpp_item_scan(SEXP x) {
  cscdemand::ItemScan sc;
  const R_xlen_t n = XLENGTH(x);
  const R_xlen_t block = 8192;
  if (TYPEOF(x) == REALSXP) {
    std::vector<double> buf(block);
    for (R_xlen_t i = 0; i < n; i += block) {
      const R_xlen_t m = REAL_GET_REGION(x, i, std::min(block, n - i), buf.data());
      for (R_xlen_t k = 0; k < m; ++k)
        if (!ISNAN(buf[k])) sc.add(buf[k]);
    }
  } else if (TYPEOF(x) == INTSXP || TYPEOF(x) == LGLSXP) {
    std::vector<int> buf(block);
    for (R_xlen_t i = 0; i < n; i += block) {
      const R_xlen_t m = TYPEOF(x) == INTSXP
                             ? INTEGER_GET_REGION(x, i, std::min(block, n - i), buf.data())
                             : LOGICAL_GET_REGION(x, i, std::min(block, n - i), buf.data());
      for (R_xlen_t k = 0; k < m; ++k)
        if (buf[k] != NA_INTEGER) sc.add(static_cast<double>(buf[k]));
    }
  } else {
    stop("cpp_item_scan: not a numeric or logical vector");
  }
  return NumericVector::create(
      _["n_seen"] = sc.n_seen, _["constant"] = sc.constant, _["bad"] = sc.bad, _["min"] = sc.lo,
      _["max"] = sc.hi, _["n_distinct"] = sc.too_many ? NA_REAL : static_cast<double>(sc.n_distinct));
}

// [[Rcpp::export]]
List cpp_patterns(List cols, IntegerVector offset, IntegerVector ncat, SEXP group, int G,
                  SEXP weights) {
  const int J = cols.size();
  // The integer vectors are kept alive here: a column that is not already
  // integer is converted to a new vector, which must outlive ptrs. A compact
  // integer vector (ALTREP without its integers made, such as a factor flag
  // of the episode table) is copied here by region and the copy freed at
  // the end, so the caller's table stays compact.
  std::vector<IntegerVector> keep;
  std::vector<std::vector<int>> copies(J);
  keep.reserve(J);
  std::vector<const int*> ptrs(J);
  std::size_t N = 0;
  for (int j = 0; j < J; ++j) {
    SEXP c = cols[j];
    if (TYPEOF(c) == INTSXP && ALTREP(c) && DATAPTR_OR_NULL(c) == nullptr) {
      N = static_cast<std::size_t>(XLENGTH(c));
      copies[j].resize(N);
      INTEGER_GET_REGION(c, 0, static_cast<R_xlen_t>(N), copies[j].data());
      ptrs[j] = copies[j].data();
      continue;
    }
    keep.push_back(as<IntegerVector>(c));
    ptrs[j] = keep.back().begin();
    N = static_cast<std::size_t>(keep.back().size());
  }
  const int* gp = Rf_isNull(group) ? nullptr : INTEGER(group);
  std::vector<int> g0;
  if (gp) {
    g0.resize(N);
    for (std::size_t i = 0; i < N; ++i) g0[i] = gp[i] - 1;
  }
  const double* wp = Rf_isNull(weights) ? nullptr : REAL(weights);
  std::vector<int> off(offset.begin(), offset.end()), nc(ncat.begin(), ncat.end());
  cscdemand::PatternTable pt = cscdemand::collapse_patterns(
      ptrs, off, nc, NA_INTEGER, N, gp ? g0.data() : nullptr, G, wp);
  IntegerMatrix y(pt.P, J);
  for (int p = 0; p < pt.P; ++p)
    for (int j = 0; j < J; ++j) {
      const int v = pt.y[static_cast<std::size_t>(p) * J + j];
      y(p, j) = v < 0 ? NA_INTEGER : v + 1;
    }
  IntegerVector row_index(N);
  for (std::size_t i = 0; i < N; ++i)
    row_index[i] = pt.row_index[i] < 0 ? NA_INTEGER : pt.row_index[i] + 1;
  IntegerVector grp(pt.P);
  for (int p = 0; p < pt.P; ++p) grp[p] = pt.group[p] + 1;
  return List::create(_["y"] = y, _["n"] = wrap(pt.n), _["group"] = grp,
                      _["row_index"] = row_index,
                      _["n_all_missing"] = static_cast<double>(pt.n_all_missing));
}

// [[Rcpp::export]]
List cpp_lca_fit(IntegerMatrix y, IntegerVector ncat, NumericVector n, IntegerVector group, int G,
                 int K, IntegerMatrix set_of, int starts, double seed, List control, List init,
                 int threads, bool progress) {
  cscdemand::Design d = design_from_r(y, ncat, n, group, G, K, set_of);
  cscdemand::Control ctl = control_from_r(control);
  ctl.threads = std::max(1, threads);

  std::vector<cscdemand::Params> init_par = params_from_r(init);
  // Every start records its trace as it runs unless control$keep_trace is FALSE.
  const bool keep_trace =
      !control.containsElementNamed("keep_trace") || as<bool>(control["keep_trace"]);

  const bool two_stage = ctl.init_iter > 0 && ctl.final_starts > 0 && ctl.final_starts < starts;
  const double total = ctl.adaptive ? NA_REAL
                                    : static_cast<double>(two_stage ? starts + ctl.final_starts
                                                                    : starts);
  const std::size_t chunk = static_cast<std::size_t>(std::max(1, threads)) * 2;
  cscdemand::MultiStartResult res;
  with_cli_progress("Fitting latent class models", total, progress, [&](auto tick) {
    // Called on this (the main) thread between chunks of starts.
    auto on_chunk = [&](int done, int) { tick(static_cast<double>(done)); };
    res = cscdemand::multi_start(d, starts, seed_to_u64(seed), ctl, init_par,
                                 cscdemand_parallel_for(threads), chunk, on_chunk, keep_trace);
  });

  const cscdemand::RunResult& best = res.best_run;
  NumericMatrix post(d.P, K);
  NumericVector llp(d.P);
  double ll = NA_REAL;
  NumericMatrix logpi, logrho;
  if (res.best >= 0) {
    std::vector<double> pp(static_cast<std::size_t>(d.P) * K), lp(d.P);
    ll = cscdemand::loglik(d, best.par, pp.data(), lp.data());
    post = as_matrix(pp, d.P, K);
    std::copy(lp.begin(), lp.end(), llp.begin());
    logpi = as_matrix(best.par.logpi, G, K);
    logrho = as_matrix(best.par.logrho, d.R, K);
  }
  return List::create(
      _["logpi"] = logpi, _["logrho"] = logrho, _["loglik"] = ll,
      _["best"] = res.best + 1, _["iter"] = best.iter, _["status"] = best.status,
      _["trace"] = wrap(best.trace), _["stage1_ll"] = wrap(res.stage1_ll),
      _["stage1_iter"] = wrap(res.stage1_iter), _["final_ll"] = wrap(res.final_ll),
      _["screen_ll"] = wrap(res.screen_ll),
      _["final_iter"] = wrap(res.final_iter), _["start_status"] = wrap(res.status),
      _["same"] = wrap(res.same), _["batches"] = res.batches,
      _["stalled"] = res.stalled, _["posterior"] = post, _["ll_pattern"] = llp);
}

// The configural model as one single-group fit per group (groups.h), the
// groups in parallel. `init` is empty or holds one list of starting values
// (list(logpi, logrho) in the single-group layout) per group. Returns per
// group the best log-likelihood, status, iterations, replications, finished
// starts, class sizes (G x K, log), item parameters (a list of rows x K
// matrices, log) and every start's stage-one and final log-likelihoods.
// [[Rcpp::export]]
List cpp_lca_fit_groups(IntegerMatrix y, IntegerVector ncat, NumericVector n, IntegerVector group,
                        int G, int K, int starts, double seed, List control, List init,
                        int threads) {
  const int P = y.nrow(), J = y.ncol();
  std::vector<int> yy = to_row_major(y);
  std::vector<int> g0(P);
  for (int p = 0; p < P; ++p) g0[p] = group[p] - 1;
  std::vector<std::vector<cscdemand::Params>> init_par(init.size());
  for (int g = 0; g < init.size(); ++g) init_par[g] = params_from_r(as<List>(init[g]));
  cscdemand::Control ctl = control_from_r(control);
  cscdemand::GroupFits res =
      cscdemand::fit_groups(yy.data(), P, J, ncat.begin(), n.begin(), g0.data(), G, K, starts,
                            seed_to_u64(seed), ctl, init_par, cscdemand_parallel_for(threads));
  int R1 = 0;
  for (int j = 0; j < J; ++j) R1 += ncat[j];
  NumericMatrix logpi(G, K);
  std::fill(logpi.begin(), logpi.end(), NA_REAL);
  List logrho(G), stage1(G), fin(G), it1(G), itf(G), st(G), same(G);
  for (int g = 0; g < G; ++g) {
    const cscdemand::MultiStartResult& ms = res.starts[g];
    stage1[g] = wrap(ms.stage1_ll);
    fin[g] = wrap(ms.final_ll);
    it1[g] = wrap(ms.stage1_iter);
    itf[g] = wrap(ms.final_iter);
    st[g] = wrap(ms.status);
    same[g] = wrap(ms.same);
    if (res.par[g].logpi.empty()) continue;
    for (int k = 0; k < K; ++k) logpi(g, k) = res.par[g].logpi[k];
    logrho[g] = as_matrix(res.par[g].logrho, R1, K);
  }
  return List::create(_["loglik"] = wrap(res.loglik), _["status"] = wrap(res.status),
                      _["iter"] = wrap(res.iter), _["n_best"] = wrap(res.n_best),
                      _["n_finished"] = wrap(res.n_finished), _["logpi"] = logpi,
                      _["logrho"] = logrho, _["stage1_ll"] = stage1, _["final_ll"] = fin, _["stage1_iter"] = it1,
                      _["final_iter"] = itf,
                      _["start_status"] = st, _["same"] = same);
}

// Expected counts by item, group, category and class at a solution whose
// pattern posteriors are `post` (groups.h expected_counts()).
// [[Rcpp::export]]
NumericMatrix cpp_lca_expected_counts(IntegerMatrix y, IntegerVector ncat, NumericVector n,
                                      IntegerVector group, int G, NumericMatrix post) {
  const int P = y.nrow(), J = y.ncol(), K = post.ncol();
  std::vector<int> yy = to_row_major(y);
  std::vector<int> g0(P);
  for (int p = 0; p < P; ++p) g0[p] = group[p] - 1;
  std::vector<double> pp = from_matrix(post);
  std::vector<double> e = cscdemand::expected_counts(yy.data(), P, J, ncat.begin(), n.begin(),
                                                     g0.data(), G, K, pp.data());
  return as_matrix(e, static_cast<int>(e.size() / K), K);
}

// [[Rcpp::export]]
List cpp_lca_posterior(IntegerMatrix y, IntegerVector ncat, IntegerVector group, int G,
                       IntegerMatrix set_of, NumericMatrix logpi, NumericMatrix logrho) {
  const int K = logpi.ncol();
  NumericVector n(y.nrow(), 1.0);
  cscdemand::Design d = design_from_r(y, ncat, n, group, G, K, set_of);
  cscdemand::Params th;
  th.logpi = from_matrix(logpi);
  th.logrho = from_matrix(logrho);
  std::vector<double> pp(static_cast<std::size_t>(d.P) * K), lp(d.P);
  cscdemand::loglik(d, th, pp.data(), lp.data());
  return List::create(_["posterior"] = as_matrix(pp, d.P, K), _["ll_pattern"] = wrap(lp));
}

// Seed of one random stream from a master seed and stream indices: the
// indices are folded into the state one at a time through splitmix64, so
// different index tuples give unrelated seeds (R/random.R).
// [[Rcpp::export]]
double cpp_stream_seed(double seed, NumericVector idx) {
  std::uint64_t x = seed_to_u64(seed);
  std::uint64_t h = cscdemand::splitmix64(x);
  for (double v : idx) {
    x = h ^ (seed_to_u64(v) * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL);
    h = cscdemand::splitmix64(x);
  }
  return static_cast<double>(h % 2147483647ULL);
}

// Every replicate of a resampling scheme in one parallel call (replicates.h).
// Counts are sparse entries (replicate, pattern, group, count), sorted by
// replicate; `test_*` (may be empty) are held-out counts to score. Each model
// is list(K, starts, init).
// [[Rcpp::export]]
List cpp_lca_replicates(IntegerMatrix y, IntegerVector ncat, IntegerMatrix set_of, int G, int R,
                        IntegerVector rep, IntegerVector pattern, IntegerVector group,
                        NumericVector count, IntegerVector test_rep, IntegerVector test_pattern,
                        IntegerVector test_group, NumericVector test_count, List models,
                        double seed, List control, int threads, List sim) {
  const int J = y.ncol();
  ReplicateData rd(y, ncat, set_of, G, R);
  cscdemand::ReplicateInput& in = rd.in;
  const std::vector<int>& so = rd.so;
  const std::vector<int>& nc = rd.nc;
  entries_from_r(rep, pattern, group, count, R, in.ptr, in.pattern, in.group, in.count);
  if (test_rep.size() > 0)
    entries_from_r(test_rep, test_pattern, test_group, test_count, R, in.test_ptr,
                   in.test_pattern, in.test_group, in.test_count);
  std::vector<double> obs_n;
  std::vector<int> obs_group;
  sim_from_r(sim, in, obs_n, obs_group);
  std::vector<cscdemand::ReplicateModel> mods;
  for (int m = 0; m < models.size(); ++m) {
    List one = models[m];
    cscdemand::ReplicateModel mod;
    mod.K = as<int>(one["K"]);
    mod.starts = as<int>(one["starts"]);
    mod.init = params_from_r(as<List>(one["init"]));
    if (one.containsElementNamed("init_iter")) mod.init_iter = as<int>(one["init_iter"]);
    if (one.containsElementNamed("final_starts")) mod.final_starts = as<int>(one["final_starts"]);
    if (one.containsElementNamed("tol")) mod.tol = as<double>(one["tol"]);
    if (one.containsElementNamed("tol_par")) mod.tol_par = as<double>(one["tol_par"]);
    if (one.containsElementNamed("split_model0")) mod.split_model0 = as<bool>(one["split_model0"]);
    if (one.containsElementNamed("adaptive")) mod.adaptive = as<bool>(one["adaptive"]);
    if (one.containsElementNamed("max_starts")) mod.max_starts = as<int>(one["max_starts"]);
    if (one.containsElementNamed("min_best")) mod.min_best = as<int>(one["min_best"]);
    if (one.containsElementNamed("same_ll")) mod.same_ll = as<double>(one["same_ll"]);
    if (one.containsElementNamed("same_par")) mod.same_par = as<double>(one["same_par"]);
    mods.push_back(mod);
  }
  cscdemand::Control ctl = control_from_r(control);
  cscdemand::ReplicateOutput out =
      cscdemand::run_replicates(in, mods, seed_to_u64(seed), ctl, cscdemand_parallel_for(threads));
  const int M = static_cast<int>(mods.size());
  NumericMatrix ll(R, M), held(R, M);
  IntegerMatrix st(R, M), nb(R, M), iter(R, M), ns(R, M);
  for (int r = 0; r < R; ++r)
    for (int m = 0; m < M; ++m) {
      const std::size_t i = static_cast<std::size_t>(r) * M + m;
      ll(r, m) = out.loglik[i];
      held(r, m) = out.heldout[i];
      st(r, m) = out.status[i];
      nb(r, m) = out.n_best[i];
      iter(r, m) = out.iter[i];
      ns(r, m) = out.n_starts[i];
    }
  const int K0 = M > 0 ? mods[0].K : 1;
  int nrho = 0;
  for (int j = 0; j < J; ++j) {
    int nset = 0;
    for (int g = 0; g < G; ++g) nset = std::max(nset, so[static_cast<std::size_t>(j) * G + g] + 1);
    nrho += nset * nc[j];
  }
  List logpi(R), logrho(R);
  for (int r = 0; r < R; ++r) {
    if (out.par0[r].logpi.empty()) continue;
    logpi[r] = as_matrix(out.par0[r].logpi, G, K0);
    logrho[r] = as_matrix(out.par0[r].logrho, nrho, K0);
  }
  return List::create(_["loglik"] = ll, _["heldout"] = held, _["status"] = st,
                      _["n_best"] = nb, _["iter"] = iter, _["n_starts"] = ns, _["logpi"] = logpi, _["logrho"] = logrho);
}

// Whether the package's C++ was compiled with optimisation (R CMD INSTALL's
// -O2). pkgload::load_all() compiles with -O0, and objects left by it in
// src/ are reused by a later R CMD INSTALL: the kernels then run about four
// times slower, so the benchmarks check this before they time anything.
// [[Rcpp::export]]
bool cpp_build_optimised() {
#ifdef __OPTIMIZE__
  return true;
#else
  return false;
#endif
}
