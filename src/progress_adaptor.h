// The one place that knows about cli's progress bars in C: a bar around a
// long call of the glue (a fit's starts, a file's blocks). `body(tick)` runs
// with `tick(done)`, which moves the bar and checks for an interrupt (an
// interrupt throws, and the bar is closed however the body ends). Called on
// the main thread only.
#ifndef CSCDEMAND_PROGRESS_ADAPTOR_H
#define CSCDEMAND_PROGRESS_ADAPTOR_H

#include <Rcpp.h>
#include <cli/progress.h>

template <class Body>
void with_cli_progress(const char* name, double total, bool progress, Body body) {
  SEXP bar = R_NilValue;
  if (progress) {
    Rcpp::List cfg = Rcpp::List::create(Rcpp::_["name"] = name, Rcpp::_["clear"] = true);
    bar = cli_progress_bar(total, cfg);
  }
  PROTECT(bar);
  auto tick = [&](double done) {
    if (progress) cli_progress_set(bar, done);
    Rcpp::checkUserInterrupt();
  };
  try {
    body(tick);
  } catch (...) {
    if (progress) cli_progress_done(bar);
    UNPROTECT(1);
    throw;
  }
  if (progress) cli_progress_done(bar);
  UNPROTECT(1);
}

#endif
