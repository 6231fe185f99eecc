# The last stages of the reader: the assessment table (identifiers, dates,
# census year), the characteristics, and the finished object with its audit.

cin_stage_assessments <- function(s, call = rlang::caller_env()) {
  fi <- s$fi
  n_as <- length(fi)
  a <- data.frame(.assessment = seq_len(n_as), .episode = s$ep_num[fi],
                  .row = s$rows_k[fi], la = s$ids$la, stringsAsFactors = FALSE)
  for (x in c("child_id", "episode_id", "assessment_id")) {
    if (!is.null(s$ids[[x]])) a[[x]] <- s$ids[[x]]
  }
  if (!is.null(s$ref_k)) a$referral_date <- as_date(s$ref_k[fi])
  if (!is.null(s$ass_k)) a$assessment_date <- as_date(s$ass_k[fi])
  if ("year" %in% names(s$std)) {
    yv <- s$at_keep(s$df[[s$std[["year"]]]])
    yu <- unique(yv)
    yv <- gsub("^([0-9]{4})[-/]([0-9]{2})$", "20\\2", trimws(yu))[match(yv, yu)]
    y <- cin_parse_int(yv, s$std[["year"]], s$rows_k, min = 1990, max = 2100, call = call)
    a$year <- y[fi]
  } else {
    d <- if (!is.null(s$ass_k)) s$ass_k[fi] else if (!is.null(s$ref_k)) s$ref_k[fi]
    if (!is.null(d)) {
      yy <- census_year(as_date(d))
      if (!is.null(s$ass_k) && !is.null(s$ref_k)) {
        yy[is.na(yy)] <- census_year(as_date(s$ref_k[fi][is.na(yy)]))
      }
      a$year <- yy
    }
  }
  # Rows that repeat an assessment already seen, in codes/wide layouts.
  if (s$layout != "long") {
    n_comb <- length(s$as_num) - length(fi)
    if (n_comb) {
      s$audit <- cin_audit_add(s$audit, "read", "rows combined: same assessment on several rows",
                               n_comb, paste0("rows ", format_rows(s$rows_k[-fi], 10L)))
    }
  }
  s$assessments <- a
  s
}

cin_stage_characteristics <- function(s, call = rlang::caller_env()) {
  fi <- s$fi
  n_as <- length(fi)
  for (x in intersect(cin_characteristics(), names(s$std))) {
    col <- s$std[[x]]
    v <- s$at_keep(s$df[[col]])
    plan_type <- cin_plan_columns(type = TRUE)[x]
    if (x == "age") {
      v <- cin_parse_int(v, col, s$rows_k, min = 0, max = 25, call = call)
    } else if (!is.na(plan_type) && plan_type != "code") {
      # plan fields of the episode: missing stays missing (no plan)
      v <- if (plan_type == "flag") cin_parse_flags(v, col, s$rows_k, na = NA_integer_, call = call)
           else cin_parse_int(v, col, s$rows_k, min = 0, max = 36500, call = call)
    } else if (x %in% c(cin_outcomes(), "rereferral")) {
      v <- cin_parse_flags(v, col, s$rows_k, call = call)
      # Outcomes: any row of the assessment says yes.
      out_v <- integer(n_as)
      out_v[unique(s$as_num[v == 1L])] <- 1L
      s$assessments[[x]] <- out_v
      next
    } else {
      v <- trimws(v)
      if (x == "lsoa") v <- toupper(v)
      v[!is.na(v) & v == ""] <- NA
    }
    s$assessments[[x]] <- v[fi]
  }
  s
}

cin_stage_finish <- function(s) {
  # Per-row vectors no longer needed: released before the factor table is made.
  s[c("rows", "rows_k", "ep_num", "ref_k", "ass_k", "keep", "df", "at_keep")] <- NULL
  audit <- s$audit
  n_as <- nrow(s$assessments)
  f_as <- s$as_num[s$pair_row]
  pc <- s$pair_code
  s[c("pair_row", "pair_code")] <- NULL
  # Sorted extracts: only the codes within each assessment need ordering
  # (and often none does).
  ord <- cpp_order_pairs(as.integer(f_as), as.integer(pc)) %||% order(f_as, pc, method = "radix")
  if (is.unsorted(ord)) {
    f_as <- f_as[ord]
    pc <- pc[ord]
  }
  rm(ord)
  # Codes as a factor (levels in cin_factors order): compact, and cheap for
  # R's garbage collector on millions of rows.
  lv <- cin_codes_all()
  factors <- data.frame(assessment = f_as, code = structure(pc, levels = lv, class = "factor"))
  rm(f_as, pc)
  missing <- data.frame(assessment = s$as_num[s$miss_row],
                        code = structure(s$miss_code, levels = lv, class = "factor"))
  if (length(s$unused)) {
    shown <- ifelse(grepl("^\\.\\.[0-9]+$", s$unused),
                    paste0("unnamed column ", sub("^\\.\\.", "", s$unused)), s$unused)
    audit <- cin_audit_add(audit, "read", "columns not used", length(s$unused),
                           paste(utils::head(shown, 20), collapse = ", "), unit = "columns")
  }
  # Rule 8869: 21 must stand alone.
  has21 <- factors$assessment[factors$code == "21"]
  n_codes <- tabulate(factors$assessment, n_as)
  viol <- has21[n_codes[has21] > 1L]
  if (length(viol)) {
    audit <- cin_audit_add(audit, "codes", "assessments with 21 combined with other codes (rule 8869)",
                           length(viol), paste0("rows ", format_rows(s$assessments$.row[viol], 10L),
                                               "; 21 is removed when episodes are built"))
  }
  audit <- cin_audit_add(audit, "read", "assessments", n_as, "")
  audit <- cin_audit_add(audit, "read", "episodes", length(unique(s$assessments$.episode)), "")
  audit <- cin_audit_add(audit, "read", "factor codes kept", nrow(factors),
                         paste0(length(unique(factors$code)), " distinct codes"))
  rownames(s$assessments) <- NULL
  structure(list(assessments = s$assessments, factors = factors, audit = audit,
                 recodes = s$rules, layout = s$layout, source = s$source, missing = missing),
            class = "cin_assessments")
}
