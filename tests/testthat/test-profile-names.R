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

codes <- c("3B", "4B", "2B", "16A", "5A")
p <- rbind(c(.90, .20, .10, .10, .05),
           c(.30, .80, .70, .20, .05),
           c(.10, .10, .10, .10, .10),
           c(.90, .30, .10, .60, .05))
colnames(p) <- codes

test_that("names come from over-represented factors, by theme (hand-computed lifts)", {
  fit <- fake_fit(p)
  nm <- suggest_class_names(fit)
  # overall prevalence (equal class sizes): 3B .55, 4B .35, 2B .25, 16A .25, 5A .0625
  # class 1: only 3B has lift >= 1.5 (.9/.55 = 1.64) -> Domestic abuse
  # class 2: 4B (x2.29) and 2B (x2.8) -> parental mental health and substance misuse
  # class 3: every factor below 0.3 -> low-level concerns
  # class 4: 3B (excess .35) and 16A (excess .35) -> domestic abuse and neglect
  expect_equal(as.vector(nm), c("Domestic abuse", "Parental mental health and substance misuse",
                             "Low-level concerns", "Domestic abuse and neglect"))
  expect_equal(names(nm), paste("Class", 1:4))
  expect_equal(attr(nm, "defining")[[2]], c("4B", "2B")) # equal excess .45: model order
  st <- class_lift(fit)
  expect_equal(st$overall, colMeans(p))
  expect_equal(unname(st$lift[2, "2B"]), .7 / .25)
})

test_that("the most common factor does not name a class unless it is over-represented", {
  q <- rbind(c(.60, .10, .10, .10, .35), c(.50, .10, .10, .10, .00))
  colnames(q) <- codes
  nm <- suggest_class_names(fake_fit(q))
  # class 1: 3B is most common (.6) but lift .6/.55 = 1.09; 5A .35 v .175 = x2 -> Disability
  expect_equal(unname(nm[1]), "Disability")
  expect_equal(unname(nm[2]), "Mixed concerns")
})

test_that("names are always distinct", {
  q <- p
  q[4, "16A"] <- .35 # neglect now too weak to join the name: both classes "Domestic abuse"
  nm <- suggest_class_names(fake_fit(q))
  expect_equal(unname(nm[c(1, 4)]), c("Domestic abuse", "Domestic abuse with neglect"))
  same <- rbind(p[1, ], p[1, ], p[3, ], p[3, ], p[3, ])
  nm2 <- suggest_class_names(fake_fit(same))
  expect_false(anyDuplicated(nm2) > 0)
  expect_equal(as.vector(nm2), c("Domestic abuse, larger group", "Domestic abuse, smaller group",
                              paste("Low-level concerns, group", 1:3)))
  big <- rbind(c(.9, .9, .9, .9, .9), p[3, ], p[3, ], p[3, ])
  colnames(big) <- codes
  nm3 <- suggest_class_names(fake_fit(big), complex = 3)
  expect_equal(unname(nm3[1]), "Multiple complex needs")
  expect_equal(length(unique(nm3)), 4)
})

test_that("class_name_table explains each name with hand-computed figures", {
  fit <- name_classes(fake_fit(p), suggest_class_names(fake_fit(p)))
  tab <- class_name_table(fit, labels = c("3B" = "Domestic abuse - parent/carer"))
  expect_equal(tab$name, unname(fit$class_names))
  expect_equal(tab$share, rep(25, 4))
  expect_equal(tab$defining[1], "Domestic abuse - parent/carer: 90% v 55% overall (x1.6)")
  expect_equal(tab$defining[3], "no factor over-represented")
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
  expect_error(suggest_class_names(fit, lift = 0.5), class = "cscdemand_error")
  expect_error(suggest_class_names(list()), class = "cscdemand_error_input")
})

test_that("a class share under the threshold is hidden, with one more so 100% cannot give it back (review)", {
  fit <- name_classes(fake_fit(p), suggest_class_names(fake_fit(p)))
  # 400 episodes: estimated sizes 240, 120, 34 and 6
  fit$class_size[] <- c(.6, .3, .085, .015)
  expect_equal(unname(fit$class_size) * fit$nobs, c(240, 120, 34, 6))
  tab <- class_name_table(fit)
  expect_equal(tab$share, c(60, 30, NA, NA))
  # nothing shown adds up with a lone hidden share to 100%
  expect_true(sum(is.na(tab$share)) != 1L)
  expect_equal(class_name_table(fit, threshold = 5)$share, c(60, 30, 8.5, 1.5))
  expect_equal(class_name_table(fit, threshold = 0)$share, c(60, 30, 8.5, 1.5))
  # the threshold is the user's: 7 hides the 6 and its complement, 40 hides 34 and 6
  expect_equal(class_name_table(fit, threshold = 40)$share, c(60, 30, NA, NA))
  fit$class_size[] <- c(.6, .2, .1, .1)  # 240, 80, 40, 40: nothing small
  expect_equal(class_name_table(fit)$share, c(60, 20, 10, 10))
  expect_error(class_name_table(fit, threshold = -1), class = "cscdemand_error_input")
})
