# The Leicestershire ratio table and written findings, from a profile whose
# ratios are checked by hand.

make_profile <- function() {
  ep <- data.frame(class = rep(c("Neglect", "Other"), c(200, 400)),
                   age_group = c(rep("0-4", 100), rep("5-9", 100), rep("0-4", 80), rep("5-9", 320)),
                   cp_plan = c(rep(1, 5), rep(0, 195), rep(1, 40), rep(0, 360)))
  class_profile(ep, "class", c("age_group", "cp_plan"))
}

test_that("the ratio table shows the hand-computed ratios with arrows and c", {
  prof <- make_profile()
  tab <- profile_ratio_table(prof)
  expect_equal(tab$Characteristic, c("Age: 0-4", "Age: 5-9", "Child protection plan: yes"))
  # 0-4: 100/200 in Neglect v 80/400 in Other = x2.50, very significant
  expect_equal(tab$Neglect[1], "x2.50 \u2191\u2191")
  # the mirror: 80/400 v 100/200 = x0.40
  expect_equal(tab$Other[1], "x0.40 \u2193\u2193")
  # 5 CP plans in Neglect: suppressed (and its complement in the row)
  expect_equal(tab$Neglect[3], "c")
})

test_that("findings are sentences about flagged, unsuppressed rows only", {
  prof <- make_profile()
  fi <- profile_findings(prof)
  expect_equal(unname(fi[names(fi) == "Neglect"][1]),
               "Episodes in *Neglect* were 2.5 times as likely to involve a child aged 0-4 as episodes in the other categories (very significantly more).")
  expect_true(any(grepl("2.5 times less likely to involve a child aged 0-4", fi[names(fi) == "Other"])))
  expect_false(any(grepl("child protection plan", fi)))
  expect_error(profile_findings(data.frame()), class = "cscdemand_error")
})
