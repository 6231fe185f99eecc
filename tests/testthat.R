library(testthat)
library(cscdemand)

test_check("cscdemand")
