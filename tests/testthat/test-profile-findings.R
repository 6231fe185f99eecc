# The table of likelihood ratios and written findings, from profiles whose
# ratios and tests are checked by hand, against stats::prop.test() and
# stats::p.adjust(); ratio_phrase() over a fine grid of ratios.

make_profile <- function() {
  ep <- data.frame(class = rep(c("Neglect", "Other"), c(200, 400)),
                   age_group = c(rep("0-4", 100), rep("5-9", 100), rep("0-4", 80), rep("5-9", 320)),
                   cp_plan = c(rep(1, 5), rep(0, 195), rep(1, 40), rep(0, 360)))
  class_profile(ep, "class", c("age_group", "cp_plan"))
}

test_that("the ratio table shows the hand-computed ratios with arrows and c", {
  prof <- make_profile()
  tab <- profile_ratio_table(prof)
  # the CP plan row is all "c" (5 plans in Neglect, and its complement): left out
  expect_equal(tab$Characteristic, c("Age: 0-4", "Age: 5-9"))
  expect_match(attr(tab, "note"), "Child protection plan: yes", fixed = TRUE)
  # 0-4: 100/200 in Neglect v 80/400 in Other = x2.50, significant and >= x2
  expect_equal(tab$Neglect[1], "x2.50 \u2191\u2191")
  # the mirror: 80/400 v 100/200 = x0.40
  expect_equal(tab$Other[1], "x0.40 \u2193\u2193")
  # 5-9: 100/200 v 320/400 = x0.625, significant but not halved: one arrow
  expect_equal(tab$Neglect[2], "x0.62 \u2193")
})

test_that("findings are English sentences about flagged, unsuppressed rows only", {
  prof <- make_profile()
  fi <- profile_findings(prof)
  expect_equal(unname(fi[names(fi) == "Neglect"][1]),
               "Episodes in the *Neglect* category were 2.5 times as likely to involve a child aged 0-4 as episodes in the other categories (50.0% against 20.0%).")
  # 80/400 v 100/200: x0.40, two-fifths
  expect_true(any(grepl("about two-fifths as likely to involve a child aged 0-4 as episodes in the other categories (20.0% against 50.0%)",
                        fi[names(fi) == "Other"], fixed = TRUE)))
  expect_false(any(grepl("times less", fi)))
  expect_false(any(grepl("child protection plan", fi)))
  expect_error(profile_findings(data.frame()), class = "cscdemand_error")
})

test_that("p-values are prop.test's, adjusted over the whole table by p.adjust", {
  set.seed(11)
  ep <- data.frame(class = sample(c("A", "B", "C"), 900, TRUE, prob = c(0.5, 0.3, 0.2)),
                   age_group = sample(c("0-4", "5-9", "10-15"), 900, TRUE),
                   cp_plan = rbinom(900, 1, 0.2))
  ep$cp_plan[ep$class == "C"] <- rbinom(sum(ep$class == "C"), 1, 0.4)
  # the reference test of each row, in the profile's own order
  ref <- function(v, l, k) {
    x <- as.character(ep[[v]]) == l
    suppressWarnings(stats::prop.test(c(sum(x & ep$class == k), sum(x & ep$class != k)),
                                      c(sum(ep$class == k), sum(ep$class != k)), correct = FALSE)$p.value)
  }
  for (method in c("holm", "BH", "none")) {
    prof <- class_profile(ep, "class", c("age_group", "cp_plan"), threshold = 0, p_adjust = method)
    lvl <- ifelse(prof$level == "yes", "1", prof$level)
    p <- mapply(ref, prof$variable, lvl, as.character(prof$class))
    expect_equal(prof$p_value, stats::p.adjust(unname(p), method), tolerance = 1e-10)
    fl <- ifelse(prof$p_value < 0.05 & prof$ratio > 1, "higher", ifelse(prof$p_value < 0.05 & prof$ratio < 1, "lower", ""))
    fl[fl == "higher" & prof$ratio >= 2] <- "much higher"
    fl[fl == "lower" & prof$ratio <= 0.5] <- "much lower"
    expect_equal(prof$flag, fl)
  }
  expect_equal(attr(prof, "p_adjust"), "none")
})

test_that("the two levels of a two-level characteristic are one test in the adjustment", {
  # Male in a class against the others and Female in a class against the
  # others compare the same two-by-two table: one p-value, one test of
  # Holm's family (counting it twice made every adjusted p-value larger)
  set.seed(12)
  ep <- data.frame(class = sample(c("A", "B", "C"), 900, TRUE, prob = c(0.5, 0.3, 0.2)),
                   gender = sample(c("Female", "Male"), 900, TRUE),
                   age_group = sample(c("0-4", "5-9", "10-15"), 900, TRUE),
                   cp_plan = rbinom(900, 1, 0.2))
  ep$gender[ep$class == "C"] <- sample(c("Female", "Male"), sum(ep$class == "C"), TRUE, prob = c(0.3, 0.7))
  ref <- function(v, l, k) {
    x <- as.character(ep[[v]]) == l
    suppressWarnings(stats::prop.test(c(sum(x & ep$class == k), sum(x & ep$class != k)),
                                      c(sum(ep$class == k), sum(ep$class != k)), correct = FALSE)$p.value)
  }
  for (binary in c("one", "both")) {
    prof <- class_profile(ep, "class", c("gender", "age_group", "cp_plan"), threshold = 0, binary = binary)
    lvl <- ifelse(prof$level == "yes", "1", ifelse(prof$level == "no", "0", as.character(prof$level)))
    p <- unname(mapply(ref, prof$variable, lvl, as.character(prof$class)))
    # the family: every three-level test, and one level of each two-level characteristic
    repeat_row <- (prof$variable == "gender" & prof$level == "Male") |
      (prof$variable == "cp_plan" & prof$level == "no")
    adj <- stats::p.adjust(p[!repeat_row], "holm")
    expect_equal(prof$p_value[!repeat_row], adj, tolerance = 1e-10)
    expect_equal(attr(prof, "n_tests"), sum(!repeat_row))
    g <- prof[prof$variable == "gender", ]
    expect_identical(g$p_value[g$level == "Male"], g$p_value[g$level == "Female"])
  }
})

test_that("a small ratio on many episodes is flagged; a big one on few is not", {
  # x1.34 on 2,200 episodes: 40.2% v 30% is significant even after Holm
  ep <- data.frame(class = rep(c("A", "B"), each = 1100),
                   s47 = c(rep(1, 442), rep(0, 658), rep(1, 330), rep(0, 770)))
  prof <- class_profile(ep, "class", "s47")
  a <- prof[prof$class == "A", ]
  expect_equal(a$ratio, 442 / 330)
  expect_lt(a$p_value, 0.05)
  expect_equal(a$flag, "higher")
  fi <- profile_findings(prof)
  expect_equal(unname(fi[["A"]]), "Episodes in the *A* category were 1.3 times as likely to involve a section 47 enquiry as episodes in the other categories (40.2% against 30.0%).")
  # x3 on 12 of 20 against 16 of 80 in a table of 20 tests: raw p < 0.05, not after Holm
  set.seed(2)
  ep <- data.frame(class = rep(c("A", "B"), c(20, 80)), flag = c(rep(1, 6), rep(0, 14), rep(1, 8), rep(0, 72)),
                   noise = sample(letters[1:9], 100, TRUE))
  raw <- class_profile(ep, "class", c("flag", "noise"), threshold = 0, p_adjust = "none")
  holm <- class_profile(ep, "class", c("flag", "noise"), threshold = 0)
  r <- raw[raw$variable == "flag" & raw$class == "A", ]
  expect_equal(r$ratio, 3)
  expect_lt(r$p_value, 0.05)
  expect_equal(r$flag, "much higher")
  h <- holm[holm$variable == "flag" & holm$class == "A", ]
  expect_gte(h$p_value, 0.05)
  expect_equal(h$flag, "")
})

test_that("headlines need min_episodes with the characteristic in both groups", {
  ep <- data.frame(class = rep(c("A", "B"), each = 1000),
                   cp_plan = c(rep(1, 20), rep(0, 980), rep(1, 80), rep(0, 920)),
                   s47 = c(rep(1, 400), rep(0, 600), rep(1, 200), rep(0, 800)))
  prof <- class_profile(ep, "class", c("cp_plan", "s47"))
  expect_equal(prof$flag[prof$variable == "cp_plan"], c("much lower", "much higher"))
  fi <- profile_findings(prof)
  # 20 CP plans in A: below the default 30, so neither side is written
  expect_false(any(grepl("child protection plan", fi)))
  expect_true(any(grepl("section 47", fi)))
  fi10 <- profile_findings(prof, min_episodes = 10)
  expect_true(any(grepl("Episodes in the *A* category were about a quarter as likely to involve a child protection plan", fi10, fixed = TRUE)))
  expect_true(any(grepl("Episodes in the *B* category were 4.0 times as likely to involve a child protection plan", fi10, fixed = TRUE)))
  expect_error(profile_findings(prof, min_episodes = -1), class = "cscdemand_error")
})

test_that("ratio_phrase is true of every ratio and never says 'times less'", {
  r <- exp(seq(log(0.002), log(60), length.out = 20000))
  ph <- ratio_phrase(r)
  expect_false(anyNA(ph))
  expect_false(any(grepl("less likely", ph)))
  fr <- c("nine-tenths" = 0.9, "four-fifths" = 0.8, "three-quarters" = 0.75, "two-thirds" = 2 / 3,
          "three-fifths" = 0.6, "half" = 0.5, "two-fifths" = 0.4, "a third" = 1 / 3,
          "a quarter" = 0.25, "a fifth" = 0.2, "a sixth" = 1 / 6, "an eighth" = 0.125, "a tenth" = 0.1)
  about_same <- ph == "about as likely"
  expect_equal(about_same, r >= 0.95 & r < 1.05)
  up <- r >= 1.05
  twice <- ph == "twice as likely"
  expect_true(all(abs(r[twice] - 2) <= 0.05 + 1e-12))
  num <- suppressWarnings(as.numeric(sub(" times as likely$", "", ph[up & !twice])))
  expect_false(anyNA(num))
  tol <- ifelse(r[up & !twice] >= 10, 0.5, 0.05) + 1e-9
  expect_true(all(abs(num - r[up & !twice]) <= tol))
  down <- r < 0.95
  about <- down & startsWith(ph, "about ")
  less <- down & startsWith(ph, "less than ")
  expect_true(all((about | less)[down]))
  fa <- fr[sub("^about (.*) as likely$", "\\1", ph[about])]
  expect_false(anyNA(fa))
  r2 <- round(r, 2)  # the ratio as a table prints it: the words follow it
  expect_true(all(abs(log(r2[about] / fa)) <= log(1.06) + 1e-12))
  fl <- fr[sub("^less than (.*) as likely$", "\\1", ph[less])]
  expect_false(anyNA(fl))
  expect_true(all(r[less] < fl))
  # "less than F" only when no fraction is within 6%, and F is the next one up
  near_any <- vapply(r2[less], function(x) any(abs(log(x / fr)) <= log(1.06)), logical(1))
  expect_false(any(near_any))
  nxt <- vapply(r2[less], function(x) min(fr[fr > x]), numeric(1))
  expect_equal(unname(fl), nxt)
  # the examples of the review
  expect_equal(ratio_phrase(c(1 / 2.2, 0.34, 0.29, 1.34, 2.2, 0.04)),
               c(ratio_phrase(1 / 2.2), "about a third as likely", "less than a third as likely",
                 "1.3 times as likely", "2.2 times as likely", "less than a tenth as likely"))
  expect_true(ratio_phrase(1 / 2.2) %in% c("about half as likely", "less than half as likely"))
  expect_equal(ratio_phrase(c(NA, 0, -1, Inf)), rep(NA_character_, 4))
  expect_error(ratio_phrase("2"), class = "cscdemand_error")
})

test_that("a category keeps the one form of its name in a finding (issue 23, fifth reading)", {
  # "Episodes in some exploitation and some child substance misuse" read as
  # "episodes in some exploitation": the name is written as the tables print
  # it, in italics, as "the *Name* category"
  ep <- data.frame(class = rep(c("Some neglect", "Other"), c(200, 400)),
                   age_group = c(rep("0-4", 100), rep("5-9", 100), rep("0-4", 80), rep("5-9", 320)))
  fi <- profile_findings(class_profile(ep, "class", "age_group"))
  expect_match(fi[names(fi) == "Some neglect"][1], "^Episodes in the \\*Some neglect\\* category were 2.5 times as likely", fixed = FALSE)
  expect_false(any(grepl("Episodes in some", fi, fixed = TRUE)))
})

test_that("every percentage of a finding is the table cell it comes from (issue 23, fifth reading)", {
  # the reader found 45.2% in a finding against 272 (45.3%) in the table: the
  # sentence used unrounded expected counts, the table rounded ones
  rl <- richmond_like()
  ep <- rl$episodes
  post <- rl$posterior
  vars <- intersect(c("age_group", "referral_source", "gender", "ethnic_group"), names(ep))
  prof <- class_profile(ep, vars = vars, posterior = post, threshold = 10, p_adjust = "none")
  fi <- profile_findings(prof, min_episodes = 10, max_per_class = 50)
  rows <- attr(fi, "rows")
  expect_gt(nrow(rows), 5)
  checked <- 0
  for (v in unique(rows$variable)) {
    ct <- class_crosstab(ep, var = v, posterior = post, threshold = 10)
    for (i in which(rows$variable == v)) {
      cell <- ct[[as.character(rows$class[i])]][ct[[1]] == rows$level[i]]
      if (!length(cell) || cell == "c") next
      tab_pct <- sub("^(.*\\()?([0-9.]+)%\\)?$", "\\2", cell)
      expect_equal(sprintf("%.1f", rows$pct_shown[i]), tab_pct)
      checked <- checked + 1
    }
  }
  expect_gt(checked, 5)
  # and the sentence prints those same figures
  expect_true(all(vapply(seq_len(nrow(rows)), function(i) grepl(sprintf("(%.1f%% against", rows$pct_shown[i]), fi[i], fixed = TRUE), logical(1))))
})

test_that("findings lead with the most episodes, not the largest ratio (issue 23, fifth reading)", {
  # a x2.3 on 45 episodes led the summary over a 17-point gap on 700 episodes
  ep <- data.frame(class = rep(c("A", "B"), c(700, 3000)),
                   rare = c(rep(1, 45), rep(0, 655), rep(1, 85), rep(0, 2915)),
                   s47 = c(rep(1, 130), rep(0, 570), rep(1, 1080), rep(0, 1920)))
  prof <- class_profile(ep, "class", c("rare", "s47"))
  a <- prof[prof$class == "A" & prof$level == "yes", ]
  expect_gt(a$ratio[a$variable == "rare"], 1 / a$ratio[a$variable == "s47"])
  fi <- profile_findings(prof, min_episodes = 30)
  expect_match(fi[names(fi) == "A"][1], "section 47")
  w <- attr(fi, "rows")
  expect_equal(w$weight[w$class == "A"], sort(w$weight[w$class == "A"], decreasing = TRUE))
})

test_that("a finding's ratio words are those of the two percentages it prints", {
  # 47.84% against 30.86%: the ratio is 1.5502, but the sentence prints 47.8%
  # and 30.9%, whose ratio (1.547) is "1.5 times" (the reader's check)
  ep <- data.frame(class = rep(c("A", "B"), c(2500, 5000)),
                   s47 = c(rep(1, 1196), rep(0, 1304), rep(1, 1543), rep(0, 3457)))
  prof <- class_profile(ep, "class", "s47")
  row <- prof[prof$class == "A" & prof$level == "yes", ]
  expect_gt(row$ratio, 1.55)
  fi <- profile_findings(prof, min_episodes = 10)
  expect_match(fi[names(fi) == "A"][1], "1.5 times as likely .*\\(47.8% against 30.9%\\)")
})

test_that("one printed ratio always gets one phrase, rounded once (issue 23, second reading)", {
  # the reader found 0.63 written as three-fifths and as two-thirds, and 0.56
  # as three-fifths: ratios that print the same (two decimals) share words
  r <- seq(0.0051, 0.9449, by = 0.0007)
  ph <- ratio_phrase(r)
  by_print <- tapply(ph, sprintf("%.2f", r), function(x) length(unique(x)))
  expect_true(all(by_print == 1), info = paste(names(by_print)[by_print > 1], collapse = " "))
  expect_equal(ratio_phrase(c(0.626, 0.634)), rep("about three-fifths as likely", 2))
  expect_equal(ratio_phrase(0.556), "less than three-fifths as likely")
  # one rounding, to the decimal the words print: 1.547 is 1.5, not 1.55 then 1.6
  expect_equal(ratio_phrase(c(1.547, 1.551)), c("1.5 times as likely", "1.6 times as likely"))
})

test_that("levels read as English phrases, never as pasted labels", {
  src <- cin_code_labels("referral_source")$label
  ph <- vapply(src, function(l) profile_phrase("referral_source", l), "")
  expect_false(any(grepl("recorded as", ph)))
  expect_true(all(grepl("^(a|an) ", ph)))
  expect_equal(unname(ph[c("Other legal agency", "Police", "Individual: self", "Schools")]),
               c("a referral from another legal agency", "a referral from the police",
                 "a self-referral", "a referral from a school"))
  # no label pasted after "from" with its capital (GP and A&E are acronyms)
  expect_false(any(grepl("from [A-Z][a-z]", ph)))
  eth <- cin_code_labels("ethnicity")
  for (l in c(eth$label, unique(eth$group))) {
    p <- profile_phrase(if (l %in% eth$group) "ethnic_group" else "ethnicity", l)
    expect_false(grepl("recorded as", p), label = l)
    expect_match(p, "^(a|an) ")
  }
  expect_equal(profile_phrase("ethnic_group", "Mixed"), "a child of mixed ethnicity")
  expect_equal(profile_phrase("gender", "Unknown"), "a child whose gender is not known")
  expect_equal(profile_phrase("gender", "Female"), "a girl")
  expect_equal(profile_phrase("age_group", "16+"), "a child aged 16 or over")
  expect_equal(profile_phrase("age_group", "16 and over"), "a child aged 16 or over")
  expect_equal(profile_phrase("age_group", "(missing)"), "an episode with no age recorded")
  for (l in cin_thresholds()) expect_false(grepl("recorded as", profile_phrase("threshold_reached", l)))
  expect_equal(profile_phrase("n_factors", "1"), "1 factor")
  expect_equal(profile_phrase("primary_need", "Abuse or neglect"), "a primary need of abuse or neglect")
  # an unknown characteristic or level is quoted, not pasted
  expect_equal(profile_phrase("referral_source", "Faith group"),
               "the source of referral recorded as \"Faith group\"")
  expect_equal(profile_phrase("team", "North"), "team recorded as \"North\"")
})

test_that("rows of the ratio table that show no ratio are left out with a note; p-values and intervals behind every arrow", {
  # a small level that is not a not-known one (those are shown in the total
  # column only, class_crosstab()): all its ratios are hidden
  cnt <- rbind(Female = c(515, 351, 687, 956, 711),
               Male = c(496, 336, 1108, 1068, 713),
               Mixed = c(3, 2, 8, 4, 4))
  ep <- episodes_from_counts(cnt)
  prof <- class_profile(ep, "class", "g")
  expect_true(all(prof$display[prof$level == "Mixed"] == "c"))
  tab <- profile_ratio_table(prof)
  expect_false(any(grepl("Mixed", tab$Characteristic)))
  expect_match(attr(tab, "note"), "Mixed", fixed = TRUE)
  expect_match(attr(tab, "note"), "left out")
  # no row of the table is all "c"
  expect_true(all(apply(tab[-1], 1, function(r) any(!r %in% c("c", "n/a", "")))))
  # a table with nothing to leave out has no note
  expect_null(attr(profile_ratio_table(make_profile()[make_profile()$variable == "age_group", ]), "note"))
  # the adjusted p-value of every published cell, in the same layout; an
  # arrow exactly where it is under alpha
  pt <- profile_ratio_table(prof, what = "p_value")
  expect_equal(dim(pt), dim(tab))
  expect_equal(pt$Characteristic, tab$Characteristic)
  shown <- prof[prof$display != "c" & prof$level != "Mixed", ]
  for (i in seq_len(nrow(shown))) {
    r <- match(paste0("g: ", shown$level[i]), pt$Characteristic)
    cl <- as.character(shown$class[i])
    p_txt <- pt[r, cl]
    # two significant figures (two decimals from 0.1; "< 0.01" from 0.001)
    p_ref <- shown$p_value[i]
    if (p_txt == "< 0.01") {
      expect_true(p_ref >= 0.001 && p_ref < 0.01)
    } else {
      p_num <- if (p_txt == "< 0.001") 0 else if (p_txt == "> 0.99") 1 else as.numeric(p_txt)
      p_ref <- if (p_ref < 0.001) 0 else if (p_ref >= 0.995) 1 else p_ref
      tol <- if (p_ref >= 0.1 || p_ref %in% c(0, 1)) 0.005 else 0.5 * 10^(floor(log10(p_ref)) - 1)
      expect_lte(abs(p_num - p_ref), tol + 1e-12)
    }
    expect_equal(grepl("\u2191|\u2193", tab[r, cl]), shown$p_value[i] < 0.05)
  }
  expect_true(all(pt[tab == "c"] == "c"))
  it <- profile_ratio_table(prof, what = "interval")
  expect_match(it[1, 2], "^[0-9.]+ to [0-9.]+$")
  # the report's one style (format_p()), one more figure where two would round across the level
  expect_equal(format_p_adjusted(c(0.0496, 0.0504, 0.2, 0.0004, 0.702, 0.041), 0.05),
               c("0.0496", "0.050", "0.20", "< 0.001", "0.70", "0.041"))
  expect_identical(format_p_adjusted(c(0.3, 0.041, 0.0123, 0.5)), format_p(c(0.3, 0.041, 0.0123, 0.5)))
  # the ends read as format_p() writes them: never "1.000" (Holm caps many
  # adjusted p-values at 1), "< 0.001" with its space (reader 9, R3)
  expect_equal(format_p_adjusted(c(1, 0.9996, 0.995, 0.9949, 0.994), 0.05), c("> 0.99", "> 0.99", "> 0.99", "0.99", "0.99"))
  expect_identical(format_p_adjusted(1e-9), format_p(1e-9))
  expect_false(any(pt[-1] %in% c("1.000", "1", "<0.001")))
})

test_that("one finding per characteristic in a category: an age split is not said three ways (s6 reader, finding 6)", {
  set.seed(4)
  n <- 3000
  cls <- rep(c("A", "B"), c(1000, 2000))
  # A is young: 0-4 up, 10-15 down, 5-9 up: three significant levels of one variable
  age <- ifelse(cls == "A", sample(c("0-4", "5-9", "10-15"), n, TRUE, c(0.5, 0.35, 0.15)),
                sample(c("0-4", "5-9", "10-15"), n, TRUE, c(0.25, 0.25, 0.5)))
  s47 <- rbinom(n, 1, ifelse(cls == "A", 0.5, 0.3))
  prof <- class_profile(data.frame(class = cls, age_group = age, s47 = s47), "class", c("age_group", "s47"))
  fi <- profile_findings(prof, max_per_class = 4)
  rows <- attr(fi, "rows")
  expect_false(any(duplicated(rows[c("class", "variable")])))
  expect_setequal(rows$variable[rows$class == "A"], c("age_group", "s47"))
  # the old behaviour on request: every level
  all_levels <- attr(profile_findings(prof, max_per_class = 4, distinct = FALSE), "rows")
  expect_gt(sum(all_levels$class == "A" & all_levels$variable == "age_group"), 1)
})
