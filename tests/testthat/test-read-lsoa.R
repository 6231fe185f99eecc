# Linking a child-to-LSOA lookup (R/read-lsoa.R). sector_sim() is in helper-cin.R.

test_that("link_lsoa() joins a child-to-LSOA lookup and counts the unmatched", {
  s <- sector_sim()
  tabs <- s[c("CINdetails", "Assessments", "ChildIdentifiers")]
  tabs$Assessments$assessment_id <- NULL
  a <- read_cin_d2i(tabs, la = "314")
  ids <- unique(a$assessments$child_id)
  lk <- data.frame(LAchildID = c(ids[-(1:3)], ids[4]),
                   LSOA11CD = c(rep("e01002925", length(ids) - 3), "E01000001"))
  a2 <- link_lsoa(a, lk)
  miss <- a$assessments$child_id %in% ids[1:3]
  expect_true(all(is.na(a2$assessments$lsoa[miss])))
  expect_true(all(a2$assessments$lsoa[!miss] == "E01002925"))
  au <- audit(a2)
  expect_equal(au$n[au$step == "assessments with no LSOA in the lookup"], sum(miss))
  expect_equal(au$n[au$step == "children with several LSOAs in the lookup"], 1)
  ep <- link_lsoa(episode_factors(a, min_count = 0), lk)
  expect_equal(sum(is.na(ep$lsoa)), sum(ep$child_id %in% ids[1:3]))
  # hashed identifiers: the lookup is hashed with the same salt
  h <- read_cin_d2i(tabs, la = "314", hash_ids = TRUE, salt = "a-long-secret")
  h2 <- link_lsoa(h, lk, salt = "a-long-secret")
  expect_equal(sum(is.na(h2$assessments$lsoa)), sum(miss))
  expect_error(link_lsoa(a, data.frame(x = 1)), class = "cscdemand_error_columns")
})
