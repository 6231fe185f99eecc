# Randomness, in one place.
#
# Two rules hold everywhere in the package:
# * R's generator is used only through `local_seed()` / `with_local_seed()`:
#   a function given a `seed` sets it for its own work and then restores the
#   user's random-number state, so a `seed` argument has no side effect and
#   `set.seed()` before a call with `seed = NULL` governs the result.
# * Each replicate, start or fold that needs its own stream gets a seed from
#   `stream_seed(seed, ...)`: a hash (splitmix64, as in the C++ core) of the
#   master seed and the stream's indices. Streams for different index tuples
#   never overlap by construction (unlike `seed + 7919 * i`, which collides as
#   soon as two index ranges meet), and nothing depends on the thread count.
# The C++ kernels derive their own per-start streams from (seed, start) in
# inst/include/cscdemand/rng.h.

# Sets R's generator to `seed` and returns a function that restores the
# state found on entry (the user's stream), as withr::local_seed().
local_seed <- function(seed) {
  genv <- globalenv()
  old <- if (exists(".Random.seed", envir = genv, inherits = FALSE)) {
    get(".Random.seed", envir = genv, inherits = FALSE)
  }
  set.seed(seed)
  function() {
    if (is.null(old)) {
      if (exists(".Random.seed", envir = genv, inherits = FALSE)) rm(".Random.seed", envir = genv)
    } else {
      assign(".Random.seed", old, envir = genv)
    }
  }
}

# Runs `code` with R's generator seeded by `seed` (NULL: the user's stream,
# untouched), then restores the user's random-number state.
with_local_seed <- function(seed, code) {
  if (is.null(seed)) return(code)
  restore <- local_seed(seed)
  on.exit(restore())
  code
}

# The seed of one stream: a whole number in [0, 2^31 - 1), usable both by
# set.seed() and by the C++ kernels, from the master seed and any number of
# stream indices (for example replicate r of the K-class test: stream_seed(seed, k, r)).
stream_seed <- function(seed, ...) {
  idx <- as.numeric(c(...))
  if (!length(idx) || anyNA(idx) || any(idx < 0) || any(idx != round(idx))) {
    cli::cli_abort("Stream indices must be non-negative whole numbers.",
                   class = c("cscdemand_error_internal", "cscdemand_error"))
  }
  cpp_stream_seed(as.numeric(seed), idx)
}
