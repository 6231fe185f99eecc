# Replace a function of the package's namespace for the rest of a test
# (this testthat has no local_mocked_bindings()); restored when the test ends.
swap_binding <- function(name, fn, env = parent.frame()) {
  ns <- environment(pathway_tables)
  old <- get(name, envir = ns)
  locked <- bindingIsLocked(name, ns)
  if (locked) unlockBinding(name, ns)
  assign(name, fn, envir = ns)
  withr::defer({
    assign(name, old, envir = ns)
    if (locked) lockBinding(name, ns)
  }, envir = env)
}
