# Salted hashes of identifiers (R/read-hash.R).

test_that("cin_check_salt() returns NULL without hashing and refuses a salt that is not a secret", {
  expect_null(cin_check_salt(FALSE, NULL))
  expect_null(cin_check_salt(FALSE, "short"))  # the salt is not looked at
  for (bad in list(NULL, "short", "1234567", NA_character_, c("a-long-secret", "another-one"),
                   12345678)) {
    e <- expect_error(cin_check_salt(TRUE, bad), class = "cscdemand_error_input")
    expect_match(conditionMessage(e), "salt.+at least 8 characters")
    expect_match(conditionMessage(e), "cscdemand.salt", fixed = TRUE)
  }
  skip_if_not_installed("openssl")
  expect_identical(cin_check_salt(TRUE, "12345678"), "12345678")
})

test_that("cin_hash_ids() is SHA-256 of salt and identifier: stable for one salt, different for another", {
  skip_if_not_installed("openssl")
  ids <- c("C1", "C2", "C1", NA)
  h <- cin_hash_ids(ids, "a-long-secret")
  # the first 20 hex digits of sha256("a-long-secret" + U+001F + id), computed
  # outside R (Python's hashlib)
  expect_identical(h, c("3f78ff490f74981b67b9", "3f94d17bceba8dc21912", "3f78ff490f74981b67b9",
                        NA))
  expect_identical(cin_hash_ids(rev(ids), "a-long-secret"), rev(h))
  h2 <- cin_hash_ids(ids, "another-secret")
  expect_identical(h2[1], "1ab23abd5e99cb343c0c")
  expect_false(any(h2[1:3] == h[1:3]))
  expect_identical(cin_hash_ids(character(), "a-long-secret"), character())
})
