#' cscdemand: categories of demand in children's social care
#'
#' Latent class analysis of the factors identified at the end of children's
#' social care assessments in England. The main entry points are [lca()] (one
#' latent class model), [lca_enumerate()] (a range of numbers of classes with a
#' fit table and elbow plot) and [lca_patterns()] (the table of unique response
#' patterns every model works on).
#'
#' @section Options:
#' * `cscdemand.threads`: number of threads used when `threads = NULL`
#'   (default: at most 2).
#'
#' @keywords internal
#' @useDynLib cscdemand, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @importFrom RcppParallel RcppParallelLibs
#' @importFrom stats AIC BIC coef logLik nobs predict simulate
#' @importFrom generics tidy glance augment
#' @importFrom rlang .data
"_PACKAGE"
