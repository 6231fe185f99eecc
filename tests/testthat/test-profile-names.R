# A fitted model whose item probabilities are then set by hand, so the naming
# rules can be checked exactly.
fake_fit <- function(p) {
  d <- simulate_lca(n = 400, probs = matrix(c(.8, .2), 2, ncol(p), dimnames = list(NULL, colnames(p))),
                    class_size = rep(1 / nrow(p), 2), seed = 1)
  fit <- lca(d[colnames(p)], 2, starts = 2, seed = 1, verbose = FALSE)
  fit$probs <- lapply(colnames(p), function(it) {
    m <- cbind(`0` = 1 - p[, it], `1` = p[, it])
    rownames(m) <- paste("Class", seq_len(nrow(p)))
    m
  })
  names(fit$probs) <- colnames(p)
  fit$class_size <- stats::setNames(rep(1 / nrow(p), nrow(p)), paste("Class", seq_len(nrow(p))))
  fit
}

p <- rbind(c(da = .90, mh = .10, dm = .05, ne = .10),
           c(da = .80, mh = .70, dm = .30, ne = .10),
           c(da = .60, mh = .70, dm = .65, ne = .90),
           c(da = .05, mh = .10, dm = .15, ne = .10),
           c(da = .10, mh = .30, dm = .15, ne = .10),
           c(da = .92, mh = .10, dm = .05, ne = .10))

test_that("suggested names follow the dominant-factor rules", {
  fit <- fake_fit(p)
  labs <- c(da = "Domestic abuse (parent)", mh = "Mental health (parent)", dm = "Drug misuse (parent)")
  nm <- suggest_class_names(fit, labels = labs)
  expect_equal(unname(nm), c(
    "Domestic abuse (parent) only",
    "Domestic abuse (parent) and Mental health (parent)",
    "Multiple factors: ne, Mental health (parent), Drug misuse (parent) and more",
    "Low level of factors",
    "No dominant factor",
    "Domestic abuse (parent) only (2)"))
  expect_equal(names(nm), paste("Class", 1:6))
  # three dominant factors are listed when max_factors allows
  expect_equal(unname(suggest_class_names(fit, max_factors = 4)[3]), "ne, mh, dm and da")
  # a dictionary data frame works as labels
  dict <- data.frame(code = c("da", "zz"), label = c("Domestic abuse", "Unused"))
  expect_equal(unname(suggest_class_names(fit, labels = dict)[1]), "Domestic abuse only")
})

test_that("name_classes stores names in class order, checked", {
  fit <- fake_fit(p[1:3, ])
  named <- name_classes(fit, c("DA", "DA+MH", "Complex"))
  expect_equal(named$class_names, c(`Class 1` = "DA", `Class 2` = "DA+MH", `Class 3` = "Complex"))
  expect_equal(class_labels(named), named$class_names)
  byname <- name_classes(fit, c(`Class 3` = "Complex", `Class 1` = "DA", `Class 2` = "DA+MH"))
  expect_equal(byname$class_names, named$class_names)
  expect_equal(unname(class_labels(fit)), paste("Class", 1:3))
  expect_snapshot(name_classes(fit, c("A", "B")), error = TRUE)
  expect_error(name_classes(fit, c("A", "A", "B")), class = "cscdemand_error_names")
  expect_error(name_classes(fit, c(`Class 9` = "A", `Class 1` = "B", `Class 2` = "C")),
               class = "cscdemand_error_names")
  expect_error(suggest_class_names(fit, labels = c("no names")), class = "cscdemand_error_labels")
  expect_error(suggest_class_names(list()), class = "cscdemand_error_input")
})
