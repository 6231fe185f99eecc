# A step of the report that fails leaves its section saying so, and the
# rest of the report is still written (the template's section() and
# quietly()).

test_that("the report survives tables of what happens next that cannot be computed, and says so", {
  skip_if_not(rmarkdown::pandoc_available(), "pandoc is needed to knit the report")
  small <- cin_example[cin_example$year == 2023 & cin_example$la %in% c("E09000021", "E08000024"), ]
  small <- small[small$episode_id %in% unique(small$episode_id)[1:400], ]
  small$true_class <- NULL
  ns <- environment(pathway_tables)
  old <- get("pathway_tables", envir = ns)
  unlockBinding("pathway_tables", ns)
  assign("pathway_tables", function(...) stop("a test's failure of the pathway tables"), envir = ns)
  withr::defer({
    assign("pathway_tables", old, envir = ns)
    lockBinding("pathway_tables", ns)
  })
  if ("package:cscdemand" %in% search()) {
    pe <- as.environment("package:cscdemand")
    if (exists("pathway_tables", envir = pe, inherits = FALSE)) {
      locked <- bindingIsLocked("pathway_tables", pe)
      if (locked) unlockBinding("pathway_tables", pe)
      old_pe <- get("pathway_tables", envir = pe)
      assign("pathway_tables", get("pathway_tables", envir = ns), envir = pe)
      withr::defer({
        assign("pathway_tables", old_pe, envir = pe)
        if (locked) lockBinding("pathway_tables", pe)
      })
    }
  }
  out <- withr::local_tempfile(fileext = ".html")
  # on the old template: "names(object) <- nm: attempt to set an attribute on NULL"
  suppressMessages(demand_report(read_cin_assessments(small), council = "Sunderland", output_file = out, k = 1:2,
                                 starts = 2, seed = 1, blrt_reps = 2, boot_reps = 2, cv_folds = 2))
  h <- paste(readLines(out, warn = FALSE), collapse = " ")
  h <- gsub("<script.*?</script>|<style.*?</style>|<img[^>]*>", " ", h, perl = TRUE)
  text <- gsub("\\s+", " ", gsub("<[^>]+>", " ", h))
  expect_match(text, "The tables by category of what happens next could not be computed: a test.s failure of the pathway tables")
  expect_match(text, "Methods and caveats", fixed = TRUE)
  expect_match(text, "Who is in each category", fixed = TRUE)
})
