# Shipped rates and percentages are rounded to three decimal places (data-raw/context.R).
expect_rounded <- function(shipped, exact, digits = 3) {
  expect_equal(length(shipped), length(exact))
  expect_true(all(abs(shipped - exact) <= 0.5 * 10^-digits + 1e-9),
              label = "shipped values equal the exact values to three decimal places")
}
