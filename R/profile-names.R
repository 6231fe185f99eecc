#' Name the classes of a latent class model
#'
#' `suggest_class_names()` proposes a name for each class in the words of the
#' categories-of-demand research ("Neglect", "Domestic abuse", "Parental mental
#' health and substance misuse", "Child mental health and self-harm",
#' "Multiple complex needs", ...), and names only what the numbers support.
#'
#' Factors are grouped into themes ([class_name_themes]: CIN codes 3A and 3B
#' are "Domestic abuse", 1B and 2B "Parental substance misuse", ...). A
#' theme's probability in a class is the model's probability that an episode
#' of the class has at least one of its factors (\eqn{1 - \prod_j (1 -
#' p_j)}, the factors being independent within a class in the model); for a
#' theme of one factor, that factor's probability. Then:
#' * a theme is a *candidate* for a class when it is over-represented there:
#'   its probability is at least `min_presence` and at least `lift` times its
#'   overall prevalence (the class-size-weighted mean over classes);
#' * two or more candidates of one group ([class_name_groups]: going missing,
#'   exploitation, socially unacceptable behaviour and child substance misuse
#'   are "Harm outside the home") become the group, when the group (present if
#'   any of its factors is) is over-represented by the same test;
#' * candidates (themes or groups) are ranked by their excess (class
#'   probability minus overall prevalence);
#' * no candidate: "Low-level concerns" when every factor is below
#'   `min_presence`, else "Mixed concerns"; `complex` or more candidates:
#'   "Multiple complex needs";
#' * otherwise the name is the leading candidate, joined with the second when
#'   its excess is at least half the first's, or when the first is under
#'   `min_named` (a name is never a lone "Some ..." while another candidate
#'   passes the rule below), unless the name would then be longer than
#'   `max_words` words or say "some" twice.
#'
#' Every comparison uses the figures [class_name_table()] prints: whole
#' percentages, their difference in percentage points (the excess), and the
#' ratio to one decimal, which breaks ties in points; so the name follows
#' from the printed table by the rule the table's attribute `rule` states
#' (where the table prints a range to protect a small count, the comparison
#' uses the whole percentage behind it, and the table states its outcome).
#'
#' **A name is earned against the other classes.** A theme stays in a name
#' only if its probability there is at least `min_presence` *and* higher than
#' in every class whose name does not mention it; otherwise it is left out
#' (never merely qualified), so a reader looking for a factor is sent to the
#' class where it is most common. "Multiple complex needs" stands for every
#' candidate of its class that passes the same test (the table lists them),
#' so a class holding fewer of those factors can still be named for them:
#' "Parental mental health and substance misuse" beside "Multiple complex
#' needs", the table giving the complex class's figure. Leaving a theme out
#' of one name can unseat it from another, so this is applied to all names
#' until none changes; a class whose name lost every theme takes its first
#' candidate that passes, else its first candidate that the classes holding
#' more of it can carry in their names too (it is over-represented there,
#' and their names stay within `max_words` with one "some"), else "Mixed
#' concerns". A theme that stays but is under `min_named` (by default 0.5:
#' most of the class's episodes) qualifies the episodes, "Domestic abuse, some
#' with neglect", after the plain one; no name says "some" twice. Two themes
#' each under `min_named` are named "A or B" ("Parental mental health or
#' substance misuse") when at least `min_named` of the class has one or the
#' other (under independence within a class, \eqn{1 - (1 - p_A)(1 - p_B)};
#' [class_name_table()] prints that figure); otherwise only the first, "Some
#' ...". A name that is a lone "Some ..." takes the next candidate that passes
#' in this way.
#'
#' "Multiple complex needs" counts as named for every candidate it lists, so
#' other classes are compared only with classes whose names do not mention a
#' factor; where a class named for a factor (the complex one included) holds
#' as much or more of it, [class_name_table()] says so ("second to the category Multiple
#' complex needs (64%)").
#'
#' Names are always distinct: where two classes would share a name, each is
#' extended by its next candidate that passes ("Neglect with domestic
#' abuse"), and only if nothing tells them apart, by their size order
#' ("Neglect, larger group"). [class_name_table()] gives the evidence for
#' each name.
#'
#' `name_classes()` stores names in the fit (component `class_names`), where
#' the profiling tables and plots pick them up. In [demand_report()], the
#' `class_names` argument overrides the suggestion.
#'
#' A factor's "presence" is its level `"1"` (or `"TRUE"`, `"yes"`); for a
#' polytomous item, its last level. Items are matched to themes by CIN code
#' (the item name, or the code in `labels` when a data frame with `code` and
#' `label` is given); an item with no theme is a theme of its own, named by its
#' label.
#'
#' @param fit A model from [lca()].
#' @param labels Optional factor labels: a named character vector (names the
#'   item columns, values the labels, e.g. `c(domestic_abuse_parent =
#'   "Domestic abuse (parent)")`) or a data frame with columns `item` (or
#'   `code`) and `label`, such as the data layer's factor dictionary. Items
#'   without a label keep their column name.
#' @param lift Smallest ratio of class probability to overall prevalence for a
#'   theme to be a candidate for a class's name (default 1.5).
#' @param min_presence Smallest class probability for a theme to be a
#'   candidate (default 0.3).
#' @param min_named Smallest class probability for a theme to be stated
#'   plainly in the name (default 0.5); a candidate below it is "some ...".
#' @param complex Number of candidate themes from which a class is "Multiple
#'   complex needs" (default 4).
#' @param themes A named list of character vectors: theme name to the CIN
#'   codes (or item names) it covers. Default [class_name_themes].
#' @param max_words Longest name in words (default 7): a second theme that
#'   would make the name longer is left out.
#' @param groups A named list: group name to the themes it covers, used in a
#'   name in place of two or more of them. Default [class_name_groups];
#'   `list()` for none.
#' @return `suggest_class_names()`: a character vector named by class
#'   (`"Class 1"`, ...), with attribute `defining`, a list (one element per
#'   class) of the items of its candidate themes in order, and attribute
#'   `named`, a list of the themes (or groups) each name mentions (`"full"`,
#'   `"some"` for the one qualified, `"or"` for the two of an "A or B" name,
#'   or `"complex"` for those a "Multiple complex needs" name stands for). `name_classes()`: the fit, with `class_names` set.
#' @family profiling
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 3)
#' fit <- lca(d, k = 3, seed = 1, verbose = FALSE)
#' suggest_class_names(fit, labels = c(domestic_abuse = "Domestic abuse",
#'                                     mental_health_parent = "Parental mental health"))
#' fit <- name_classes(fit, suggest_class_names(fit))
#' fit$class_names
#' class_name_table(fit)
suggest_class_names <- function(fit, labels = NULL, lift = 1.5, min_presence = 0.3,
                                min_named = 0.5, complex = 4, themes = class_name_themes,
                                max_words = 7, groups = class_name_groups) {
  nb <- class_naming(fit, labels, lift, min_presence, min_named, complex, themes, max_words, groups)
  cls <- names(fit$class_size)
  named <- lapply(seq_along(cls), function(k) {
    t <- nb$picks[[k]]
    f <- nb$full[[k]]
    either <- length(t) >= 2L && !any(f[1:2])
    st <- ifelse(f, "full", "some")
    if (either) st[1:2] <- "or"
    stats::setNames(if (nb$mcn[k]) rep("complex", length(t)) else st, t)
  })
  structure(stats::setNames(nb$names, cls),
            defining = stats::setNames(lapply(nb$info, `[[`, "defining"), cls),
            named = stats::setNames(named, cls))
}

#' @rdname suggest_class_names
#' @format `class_name_themes`: a named list; each element the CIN codes of one
#'   theme of the research's category names.
#' @export
class_name_themes <- list(
  "Domestic abuse" = c("3A", "3B"),
  "Parental mental health" = "4B",
  "Parental substance misuse" = c("1B", "2B"),
  "Child mental health" = "4A",
  "Self-harm" = "15A",
  "Child substance misuse" = c("1A", "2A"),
  "Disability" = c("5A", "6A"),
  "Parental disability or illness" = c("5B", "6B"),
  "Young carer" = "7A",
  "Neglect" = "16A",
  "Emotional abuse" = "17A",
  "Physical abuse" = c("18A", "18B", "18C"),
  "Sexual abuse" = c("19A", "19B", "19C"),
  "Going missing" = "10A",
  "Exploitation" = c("11A", "12A", "13A", "24A"),
  "Socially unacceptable behaviour" = "14A",
  "Harmful practices" = c("22A", "23A"),
  "Private fostering" = c("8B", "8C", "8D", "8E", "8F"),
  "Unaccompanied asylum seeker" = "9A"
)

# The naming, shared by suggest_class_names() and class_name_table(): theme
# probabilities, candidates per class, the units (themes or groups) each name
# uses, and whether each is common (plain) or only present in some (qualified).
class_naming <- function(fit, labels, lift, min_presence, min_named, complex, themes,
                         max_words = 7, groups = class_name_groups, call = rlang::caller_env()) {
  check_lca_fit(fit, call = call)
  check_number(lift, min = 1, call = call)
  check_number(min_presence, min = 0, max = 1, call = call)
  check_number(min_named, min = 0, max = 1, call = call)
  check_count(complex, call = call)
  check_count(max_words, call = call)
  lab <- item_labels(fit$items, labels, call = call)
  theme_of <- item_themes(fit$items, labels, lab, themes)
  groups <- naming_groups(groups, unique(unname(theme_of)))
  tp <- theme_probs(fit, theme_of, groups)
  K <- nrow(tp$p)
  # every comparison is made on the figures class_name_table() prints (whole
  # percentages, ratios to one decimal), so a reader can check each name
  pr <- printed_theme_figures(tp)
  base <- setdiff(colnames(tp$p), names(groups))
  info <- lapply(seq_len(K), function(k) {
    cand <- base[pr$pct[k, base] >= round(100 * min_presence) & pr$lift[k, base] >= lift]
    # most over-represented first: the percentage-point excess; ties go to
    # the larger ratio, then the larger share
    cand <- cand[order(-pr$points[k, cand], -pr$lift[k, cand], -pr$pct[k, cand])]
    # a group stands for its themes only when it is over-represented itself
    ok <- names(groups)[pr$pct[k, names(groups)] >= round(100 * min_presence) &
                          pr$lift[k, names(groups)] >= lift]
    units <- group_units(cand, groups[ok])
    units <- units[order(-pr$points[k, units], -pr$lift[k, units], -pr$pct[k, units])]
    list(themes = cand, units = units,
         defining = unlist(lapply(cand, function(t) tp$items[[t]]), use.names = FALSE),
         low = all(round(100 * tp$item_p[k, ]) < round(100 * min_presence)))
  })
  plain <- function(k, u) pr$pct[k, u] >= round(100 * min_named)
  # two units each in under min_named of the class are named together, "A or
  # B", only when at least min_named of its episodes have one or the other
  # (the whole percentage class_name_table() prints)
  either <- function(k, a, b) round(100 * (1 - (1 - tp$p[k, a]) * (1 - tp$p[k, b])))
  or_ok <- function(k, a, b) either(k, a, b) >= round(100 * min_named)
  picks <- lapply(seq_len(K), function(k) {
    unit_picks(info[[k]], pr$points[k, ], function(u) plain(k, u), complex, groups, max_words,
               function(a, b) or_ok(k, a, b))
  })
  # a "Multiple complex needs" category is named for every unit over-represented
  # in it (class_name_table() lists them) that it earns by the same rule, so a
  # category that holds fewer of them can still be named for them
  mcn <- vapply(info, function(x) length(x$units) >= complex, logical(1))
  picks[mcn] <- lapply(info[mcn], `[[`, "units")
  mp <- round(100 * min_presence)
  picks <- earned_picks(picks, pr$pct, groups, mp)
  picks <- refill_picks(picks, info, pr$pct, groups, mp, complex, plain)
  picks <- carry_picks(picks, info, pr$pct, groups, mp, complex, plain, max_words)
  picks <- pair_lone_some(picks, info, pr$pct, groups, mp, complex, plain, max_words, or_ok)
  picks <- distinct_picks(picks, info, pr$pct, groups, mp, plain, max_words)
  full <- lapply(seq_len(K), function(k) vapply(picks[[k]], function(u) plain(k, u), logical(1)))
  nm <- vapply(seq_len(K), function(k) render_name(picks[[k]], full[[k]], info[[k]], complex), "")
  nm <- distinct_by_size(nm, fit$class_size)
  list(names = nm, info = info, picks = picks, full = full, tp = tp, lab = lab, groups = groups,
       mcn = mcn, either = either, plain = plain)
}

#' @rdname suggest_class_names
#' @format `class_name_groups`: a named list; each element the themes (names
#'   of `class_name_themes`) that one short name covers when two or more of
#'   them lead a category.
#' @export
class_name_groups <- list(
  "Harm outside the home" = c("Going missing", "Exploitation", "Socially unacceptable behaviour",
                              "Child substance misuse")
)

# The groups whose themes are among the fit's themes (a group of one theme is
# that theme, so it is dropped).
naming_groups <- function(groups, th) {
  groups <- lapply(groups, function(g) intersect(g, th))
  groups[lengths(groups) >= 2L]
}

# A class's candidate themes as naming units: two or more themes of one group
# become the group.
group_units <- function(cand, groups) {
  out <- character()
  for (t in cand) {
    g <- names(groups)[vapply(groups, function(x) t %in% x, logical(1))]
    u <- if (length(g) && sum(cand %in% groups[[g[1]]]) >= 2L) g[1] else t
    if (!u %in% out) out <- c(out, u)
  }
  out
}

# The units a name starts from: none (low-level, mixed, complex), the leading
# unit, and the second when its excess is at least half the first's, unless
# both would be "some" or the name would be longer than max_words.
unit_picks <- function(x, points, plain, complex, groups, max_words, or_ok) {
  u <- x$units
  if (!length(u) || length(u) >= complex) return(character())
  if (length(u) < 2L || points[[u[2]]] < 0.5 * points[[u[1]]]) return(u[1])
  if (!plain(u[1]) && !plain(u[2]) && !or_ok(u[1], u[2])) return(u[1])
  two <- render_name(u[1:2], c(plain(u[1]), plain(u[2])), x, complex)
  if (name_words(two) > max_words) return(u[1])
  u[1:2]
}

name_words <- function(x) lengths(strsplit(trimws(x), "[[:space:]]+"))

# Classes whose name mentions unit u: the unit itself, the group holding it,
# or (for a group) any of its themes. A "Multiple complex needs" category's
# picks are the units its name stands for.
named_for <- function(picks, u, groups) {
  rel <- c(u, names(groups)[vapply(groups, function(g) u %in% g, logical(1))],
           if (u %in% names(groups)) groups[[u]])
  vapply(picks, function(pk) any(pk %in% rel), logical(1))
}

# The rule applied to every name at once: a unit stays in a name only while it
# is recorded in at least min_pct of the class and in more of it than in any
# class whose name does not mention it. Dropping one can unseat another, so
# this repeats until nothing changes (names only shrink, so it ends).
earned_picks <- function(picks, pct, groups, min_pct) {
  repeat {
    drop <- lapply(seq_along(picks), function(k) {
      vapply(picks[[k]], function(u) !unit_earned(k, u, picks, pct, groups, min_pct), logical(1))
    })
    if (!any(unlist(drop))) return(picks)
    picks <- lapply(seq_along(picks), function(k) picks[[k]][!drop[[k]]])
  }
}

unit_earned <- function(k, u, picks, pct, groups, min_pct) {
  others <- which(!named_for(picks, u, groups))
  pct[k, u] >= min_pct && all(pct[k, u] > pct[others, u])
}

# A class whose name lost every unit takes its first candidate unit that is
# earned as the names stand (adding a name never unseats another's).
refill_picks <- function(picks, info, pct, groups, min_pct, complex, plain) {
  for (k in seq_along(picks)) {
    if (length(picks[[k]]) || !length(info[[k]]$units) || length(info[[k]]$units) >= complex) next
    for (u in info[[k]]$units) {
      if (unit_earned(k, u, replace(picks, k, list(u)), pct, groups, min_pct)) {
        picks[[k]] <- u
        break
      }
    }
  }
  picks
}

# A class left with no unit although units are over-represented in it (every
# one more common in a class not named for it) is named for its first unit u
# that the classes holding more of u can carry too: each is a class where u is
# over-represented, and its name with u added stays within max_words and says
# "some" at most once. Then u is named where it is most common and in this
# class, which it distinguishes from every class not named for it; adding a
# unit to names never unseats another's.
carry_picks <- function(picks, info, pct, groups, min_pct, complex, plain, max_words) {
  for (k in seq_along(picks)) {
    if (length(picks[[k]]) || !length(info[[k]]$units) || length(info[[k]]$units) >= complex) next
    for (u in info[[k]]$units) {
      if (pct[k, u] < min_pct) next
      others <- setdiff(which(!named_for(picks, u, groups)), k)
      hold <- others[pct[others, u] >= pct[k, u]]
      try <- picks
      try[[k]] <- u
      for (j in hold) try[[j]] <- c(picks[[j]], u)
      fits <- vapply(hold, function(j) {
        f <- vapply(try[[j]], function(w) plain(j, w), logical(1))
        # (a "Multiple complex needs" name does not change)
        u %in% info[[j]]$units && (length(info[[j]]$units) >= complex ||
          (sum(!f) <= 1L && name_words(render_name(try[[j]], f, info[[j]], complex)) <= max_words))
      }, logical(1))
      if (!all(fits)) next
      if (all(vapply(c(k, hold), function(j) unit_earned(j, u, try, pct, groups, min_pct), logical(1)))) {
        picks <- try
        break
      }
    }
  }
  picks
}

# A name that is one unit in under min_named of its class ("Some neglect")
# takes the next candidate unit that passes the rule as the names stand, when
# at least min_named of the class have one or the other ("Neglect or parental
# substance misuse"), or that unit is common there ("Parental mental health,
# some with neglect"), within max_words. Adding a unit to a name never
# unseats another's.
pair_lone_some <- function(picks, info, pct, groups, min_pct, complex, plain, max_words, or_ok) {
  for (k in seq_along(picks)) {
    u1 <- picks[[k]]
    if (length(u1) != 1L || length(info[[k]]$units) >= complex || plain(k, u1)) next
    for (v in setdiff(info[[k]]$units, u1)) {
      pk <- info[[k]]$units[info[[k]]$units %in% c(u1, v)]
      f <- vapply(pk, function(w) plain(k, w), logical(1))
      if (!any(f) && !or_ok(k, u1, v)) next
      if (!unit_earned(k, v, replace(picks, k, list(pk)), pct, groups, min_pct)) next
      if (name_words(render_name(pk, f, info[[k]], complex)) > max_words) next
      picks[[k]] <- pk
      break
    }
  }
  picks
}

# Where two classes would use the same units, each is extended by its next
# earned candidate unit that the clashing names do not already use, when the
# name stays within max_words and says "some" at most once.
distinct_picks <- function(picks, info, pct, groups, min_pct, plain, max_words) {
  key <- vapply(picks, paste, "", collapse = "|")
  for (v in unique(key[duplicated(key) & nzchar(key)])) {
    for (i in which(key == v)) {
      for (u in setdiff(info[[i]]$units, picks[[i]])) {
        pk <- c(picks[[i]], u)
        f <- vapply(pk, function(w) plain(i, w), logical(1))
        if (sum(!f) > 1L || !unit_earned(i, u, replace(picks, i, list(pk)), pct, groups, min_pct)) next
        if (name_words(render_name(pk, f, info[[i]], Inf)) > max_words) next
        picks[[i]] <- pk
        break
      }
    }
  }
  picks
}

# The theme figures as class_name_table() prints them: whole percentages in
# the class and overall, their difference in points, and the ratio to one
# decimal.
printed_theme_figures <- function(tp) {
  pct <- round(100 * tp$p)
  all_pct <- matrix(round(100 * tp$overall), nrow(pct), ncol(pct), byrow = TRUE,
                    dimnames = dimnames(pct))
  list(pct = pct, overall = round(100 * tp$overall), points = pct - all_pct,
       lift = round(tp$lift, 1))
}

# The naming rule in words, from the same settings the names were made with:
# short, for the report (the table gives each factor's figures and reasons).
class_name_rule <- function(lift, min_presence, min_named, complex, max_words = 7,
                            groups = class_name_groups) {
  # (the groups are defined in their own table of the report; the second
  # factor's half rule and max_words are given, where they apply, in the
  # table's "not in the name" reasons)
  paste0("Each category is named for its factors at least ", formatC(lift, format = "fg"),
         " times as common as in all episodes and in at least ", round(100 * min_presence),
         "% of it, ranked by the difference in percentage points between the category and all episodes. ",
         "A factor is named only where it is more common than in every category whose name does not ",
         "mention it (\u201cMultiple complex needs\u201d, with ", complex, " or more such factors, counts as ",
         "named for each that passes). A factor in under ", round(100 * min_named), "% of the category reads ",
         "\u201csome with\u201d; two such, \u201cA or B\u201d (", round(100 * min_named), "% or more have one).")
}

# Theme-level probabilities: P(at least one factor of the theme, or of the
# group's themes) per class, overall prevalence, lift and excess (K x T).
theme_probs <- function(fit, theme_of, groups = list()) {
  ip <- presence_probs(fit)
  th <- unique(unname(theme_of))
  items <- lapply(stats::setNames(th, th), function(t) names(theme_of)[theme_of == t])
  items <- c(items, lapply(groups, function(g) unlist(items[g], use.names = FALSE)))
  th <- names(items)
  p <- vapply(th, function(t) 1 - apply(1 - ip[, items[[t]], drop = FALSE], 1, prod), numeric(nrow(ip)))
  if (!is.matrix(p)) p <- matrix(p, nrow = nrow(ip), dimnames = list(NULL, th))
  rownames(p) <- rownames(ip)
  w <- as.vector(fit$class_size)
  overall <- as.vector(w %*% p)
  q <- matrix(overall, nrow(p), ncol(p), byrow = TRUE)
  lift <- ifelse(q > 0, p / q, 0)
  dimnames(lift) <- dimnames(p)
  list(p = p, overall = stats::setNames(overall, th), lift = lift, excess = p - q,
       items = items, item_p = ip)
}

render_name <- function(th, full, x, complex) {
  if (length(x$units) >= complex) return("Multiple complex needs")
  if (!length(th)) return(if (x$low) "Low-level concerns" else "Mixed concerns")
  n2 <- seq_len(min(2L, length(th)))
  ord <- order(!full[n2])
  head2 <- th[n2][ord]
  f2 <- full[n2][ord]
  pair <- c("Parental mental health", "Parental substance misuse")
  nm <- if (length(head2) == 2L && all(pair %in% head2) && all(f2)) {
    "Parental mental health and substance misuse"
  } else if (length(head2) == 2L && !any(f2)) {
    # two units each in under half the class: "A or b" (at least one in most
    # of its episodes, checked by the callers)
    if (all(pair %in% head2)) "Parental mental health or substance misuse"
    else paste0(head2[1], " or ", lower_first(head2[2]))
  } else {
    a <- if (f2[1]) head2[1] else paste("some", lower_first(head2[1]))
    if (length(head2) == 2L) name_join(a, head2[2], f2[2]) else a
  }
  if (length(th) > 2L) nm <- name_join(nm, th[3], full[3], sep = " with ")
  upper_first(nm)
}

# A name and one more unit: "A and b" (a second "and" becomes "with"), or, for
# a unit in under half the category, "A, some with b" (the episodes, not the
# factor, are "some": never "some child mental health"); a second "Parental"
# is dropped ("Parental mental health, some with substance misuse").
name_join <- function(a, b, plain, sep = " and ") {
  if (!plain) {
    if (startsWith(a, "Parental ") && startsWith(b, "Parental ")) b <- sub("^Parental ", "", b)
    return(paste0(a, ", some with ", lower_first(b)))
  }
  join_themes(a, b, sep)
}

upper_first <- function(x) paste0(toupper(substr(x, 1, 1)), substring(x, 2))

join_themes <- function(a, b, sep = " and ") {
  # never "A and B and C": a second "and" becomes "with"
  if (sep == " and " && (grepl(" and ", a, fixed = TRUE) || grepl(" and ", b, fixed = TRUE))) {
    sep <- " with "
  }
  paste0(a, sep, lower_first(b))
}

lower_first <- function(x) {
  # keep acronyms (UASC, CSE) and proper nouns as they are
  ifelse(grepl("^[A-Z][a-z]", x), paste0(tolower(substr(x, 1, 1)), substring(x, 2)), x)
}

# Names that still clash (same themes, nothing to tell them apart) are
# told apart by size order.
distinct_by_size <- function(nm, size) {
  for (v in unique(nm[duplicated(nm)])) {
    idx <- which(nm == v)
    idx <- idx[order(-size[idx])]
    tag <- if (length(idx) == 2L) c("larger group", "smaller group") else paste("group", seq_along(idx))
    nm[idx] <- paste0(v, ", ", tag)
  }
  nm
}

# Theme of each item: by CIN code (item name or the code column of a label
# table), else the item's own label.
item_themes <- function(items, labels, lab, themes) {
  code <- items
  if (is.data.frame(labels) && all(c("code", "item") %in% names(labels))) {
    code <- as.character(labels$code)[match(items, labels$item)]
    code[is.na(code)] <- items[is.na(code)]
  }
  code <- sub("^(f_|factor_|X)", "", code)
  th <- rep(NA_character_, length(items))
  for (t in names(themes)) th[code %in% themes[[t]]] <- t
  th[is.na(th)] <- unname(lab[is.na(th)])
  stats::setNames(th, items)
}

# Presence probability, overall prevalence, lift and excess of every item in
# every class (K x J matrices; overall a vector).
class_lift <- function(fit) {
  p <- presence_probs(fit)
  w <- as.vector(fit$class_size)
  overall <- as.vector(w %*% p)
  q <- matrix(overall, nrow(p), ncol(p), byrow = TRUE)
  lift <- p / q
  lift[q <= 0] <- 0
  list(p = p, overall = stats::setNames(overall, colnames(p)), lift = lift, excess = p - q)
}

#' Why each class has its name
#'
#' For each class: its name, its estimated share of episodes, and the
#' evidence for its name (see [suggest_class_names()]): each theme over-
#' represented in it, most over-represented first, with its probability in
#' the class, its overall prevalence, their difference and ratio (lift); then
#' whether it is in the name and why. In the name: any other class named for
#' it that holds as much or more ("second to the category Multiple complex needs (64%)"),
#' and the highest probability in a class whose name does not mention it
#' ("at most 30% in categories not named for it"). Not in the name: the
#' class not named for it that holds as much or more ("more common in
#' Neglect (53%)"), or that the name already gives two factors, or that its
#' difference is under half the first's. An "A or B" name adds the share of
#' the class's episodes with at least one of the two.
#'
#' A share times the number of episodes is an estimated count of episodes, so
#' it is published only where that count is not small: a class whose
#' estimated size is from 0 to `threshold` (exclusive) has its `share` set to
#' `NA`, and so has one more class where the shares adding up to 100% would
#' give a lone hidden share back (the package's suppression engine, see
#' [suppress_small()]). The probabilities in `defining` are proportions within
#' a class, not counts.
#'
#' @inheritParams suggest_class_names
#' @param sizes Optional episodes in each category (in the model's order) to
#'   check the small-number rule of the factor percentages against, as well
#'   as the model's own (share x episodes fitted): a percentage is hidden if
#'   it stands for fewer than `threshold` episodes with or without the factor
#'   in either. A council's report on a model pooled over several councils
#'   passes the council's own episodes per category
#'   (`colSums(class_posterior(fit, own))`), so that no percentage read against
#'   the council's published category sizes stands for a small number.
#' @param max_factors Most themes listed per class (default 4).
#' @param threshold Small-number threshold (default 10): shares of classes
#'   whose estimated size is under it are hidden, with secondary suppression;
#'   so is a percentage that gives back a number of episodes under it, or
#'   that Figure 4 ([plot_item_probs()]) hides for one of the theme's
#'   factors: it is printed as a range that protects it (`"<5%"`, `">90%"`,
#'   `"20-30%"`: column `range` of Figure 4's data, where the chart itself
#'   writes `"c"`; for a theme of several factors, the range their ranges
#'   allow) or `"c"`, without its difference and ratio; 0
#'   turns it off (not for publication).
#' @return A data frame with columns `class`, `name`, `share` (%, `NA` where
#'   suppressed) and `defining` (text such as `"Neglect: 81% v 24% overall
#'   (57 points more, x3.4), in the name, at most 30% in categories not named
#'   for it"`;
#'   a group lists its themes' percentages in brackets), attribute `rule`:
#'   the naming rule in words, with its settings, and attribute `groups`: the
#'   item columns of every theme or group the names and `defining` mention
#'   (for a key such as the report's table of groups of factors).
#' @family profiling
#' @export
#' @examples
#' d <- simulate_lca(n = 1000, seed = 3)
#' fit <- lca(d, k = 3, seed = 1, verbose = FALSE)
#' class_name_table(name_classes(fit, suggest_class_names(fit)))
class_name_table <- function(fit, labels = NULL, lift = 1.5, min_presence = 0.3,
                             max_factors = 4, threshold = 10, min_named = 0.5, max_words = 7,
                             sizes = NULL) {
  check_count(max_factors)
  check_threshold(threshold)
  nb <- class_naming(fit, labels, lift, min_presence, min_named, complex = 4,
                     themes = class_name_themes, max_words = max_words)
  tp <- nb$tp
  cls <- names(fit$class_size)
  # the statuses ("in the name") are those of the suggested names; where the
  # fit carries other names (the analyst's), the table says so
  nb$word <- if (identical(unname(class_labels(fit)), nb$names)) "the name" else "the suggested name"
  nb$names <- unname(class_labels(fit))
  pr <- printed_theme_figures(tp)
  # (a "Multiple complex needs" category lists every unit its name stands for)
  shown <- lapply(seq_along(cls), function(k) {
    u <- nb$info[[k]]$units
    u[u %in% union(nb$picks[[k]], utils::head(u, max_factors))]
  })
  # the "A or B" names, whose figure (at least one of the two) is printed too
  ors <- list()
  for (k in seq_along(cls)) {
    if (!nb$mcn[k] && length(nb$picks[[k]]) >= 2L && !any(nb$full[[k]][1:2])) {
      ors[[or_unit(nb$picks[[k]][1:2])]] <- unlist(tp$items[nb$picks[[k]][1:2]], use.names = FALSE)
    }
  }
  # every percentage as Figure 4 would allow it: exact, a range, or "c"
  disp <- unit_display(fit, c(tp$items, ors), threshold, tp$item_p, sizes = sizes)
  defining <- vapply(seq_along(cls), function(k) {
    if (!length(shown[[k]])) return("no factor over-represented")
    ev <- vapply(shown[[k]], function(t) name_evidence(k, t, nb, pr, disp, max_words), "")
    pk <- nb$picks[[k]]
    if (!nb$mcn[k] && length(pk) >= 2L && !any(nb$full[[k]][1:2])) {
      ou <- or_unit(pk[1:2])
      ev <- c(ev, paste0(ou, " (", nb$word, "): ", disp$text[k, ou], " of the category's episodes have at least one"))
    }
    paste(ev, collapse = "; ")
  }, character(1))
  # every group of factors the names and this table mention, with its items
  # (a group's themes are printed inside its entry)
  used <- unique(unlist(lapply(seq_along(cls), function(k) {
    c(shown[[k]], unlist(lapply(shown[[k]], function(t) intersect(nb$groups[[t]], nb$info[[k]]$themes))))
  })))
  share <- round(100 * unname(fit$class_size), 1)
  share[class_share_hidden(fit, threshold)] <- NA
  structure(data.frame(class = cls, name = unname(class_labels(fit)), share = share, defining = defining,
                       stringsAsFactors = FALSE),
            rule = class_name_rule(lift, min_presence, min_named, complex = 4, max_words = max_words,
                                   groups = nb$groups),
            groups = nb$tp$items[as.character(used)])
}

or_unit <- function(u) {
  if (setequal(u, c("Parental mental health", "Parental substance misuse"))) {
    return("Parental mental health or substance misuse")
  }
  paste0(u[1], " or ", lower_first(u[2]))
}

# One unit's evidence as class_name_table() prints it: its share in the class
# v overall, the points and ratio (only where the share is printed exactly),
# the themes of a group; then whether it is in the name and why, against
# every other category: one named for it that holds as much or more ("second
# to Multiple complex needs (64%)"), and the highest share in a category whose
# name does not mention it ("at most 30% in categories not named for it").
name_evidence <- function(k, t, nb, pr, disp, max_words = 7) {
  d <- function(j, x) disp$text[j, x]
  g <- nb$groups[[t]]
  g <- g[g %in% nb$info[[k]]$themes]
  lead <- if (length(g)) paste0(t, " (", paste0(lower_first(g), " ", d(k, g), collapse = ", "), ")") else t
  txt <- if (!disp$exact[k, t]) paste0(lead, ": ", d(k, t), " v ", pr$overall[[t]], "% overall") else
    paste0(lead, ": ", pr$pct[k, t], "% v ", pr$overall[[t]], "% overall (",
           pr$points[k, t], " points more, x", formatC(pr$lift[k, t], format = "f", digits = 1), ")")
  K <- nrow(pr$pct)
  nf <- named_for(nb$picks, t, nb$groups)
  others <- setdiff(seq_len(K), k)
  not_named <- others[!nf[others]]
  named_o <- others[nf[others]]
  # a category's name is quoted: names hold commas ("Disability, some with
  # child mental health"), which would run into the sentence around them
  cat_fig <- function(js) paste0("\u201c", nb$names[js], "\u201d (", d(js, t), ")")
  if (!t %in% nb$picks[[k]]) {
    beat <- not_named[pr$pct[not_named, t] >= pr$pct[k, t]]
    why <- if (length(beat)) {
      top <- beat[which.max(nb$tp$p[beat, t])]
      paste0(if (pr$pct[top, t] > pr$pct[k, t]) "more common in " else "as common in ", cat_fig(top))
    } else if (nb$mcn[k]) {
      "more common in a category not named for it"
    } else if (length(nb$picks[[k]]) >= 2L) {
      "the name gives two factors"
    } else if (length(nb$picks[[k]]) && pr$points[k, t] < 0.5 * pr$points[k, nb$picks[[k]][1]]) {
      "under half the first's difference"
    } else {
      paste0("the name would be longer than ", max_words, " words or say \u201csome\u201d twice")
    }
    return(paste0(txt, ", not in ", nb$word, ": ", why))
  }
  txt <- paste0(txt, ", in ", nb$word)
  # a category also named for it (such as "Multiple complex needs", which
  # stands for every factor it lists) holding as much or more: said
  held <- named_o[pr$pct[named_o, t] >= pr$pct[k, t]]
  if (length(held)) {
    held <- held[order(-nb$tp$p[held, t])]
    more <- any(pr$pct[held, t] > pr$pct[k, t])
    # "the category": a factor and a category can share a name ("Domestic
    # abuse: ... second to Domestic abuse (97%)" read as the factor)
    txt <- paste0(txt, ", ", if (!more) "as in " else if (length(held) == 1L) "second to " else "after ",
                  if (length(held) == 1L) "the category " else "the categories ", and_list(cat_fig(held)))
  }
  if (!length(not_named)) return(paste0(txt, ", every other category is named for it"))
  # the bound from what is printed: a range's upper end where a share is shown
  # as a range; none where one is "c"
  top <- max(vapply(not_named, function(j) {
    if (disp$exact[j, t]) return(pr$pct[j, t])
    x <- disp$text[j, t]
    if (x == "c") NA_real_ else if (startsWith(x, ">")) 100 else as.numeric(sub("^.*[<-]([0-9]+)%$", "\\1", x))
  }, numeric(1)))
  if (is.na(top) || !disp$exact[k, t] || top >= pr$pct[k, t]) {
    return(paste0(txt, ", more than in any category not named for it"))
  }
  paste0(txt, ", at most ", top, "% in categories not named for it")
}

# Classes whose share must not be published: the estimated size (share times
# the number of episodes, nobs) is a count, so the package's one suppression
# engine hides sizes under the threshold and, because the sizes add up to the
# number of episodes (the shares to 100%), one more where a lone hidden size
# could be recovered by subtraction.
class_share_hidden <- function(fit, threshold) {
  hidden_totals(unname(fit$class_size) * fit$nobs, threshold)
}

#' @rdname suggest_class_names
#' @param names Class names: a character vector with one unique, non-empty
#'   name per class, in class order or named by class (`"Class 1"`, ...).
#' @export
name_classes <- function(fit, names) {
  check_lca_fit(fit)
  cl <- names(fit$class_size)
  if (!is.character(names) || length(names) != length(cl) || anyNA(names) || any(!nzchar(names))) {
    abort_input(c("{.arg names} must be {length(cl)} non-empty name{?s}, one per class.",
                  x = "You supplied {length(names)} value{?s}: {.val {names}}."),
                class = "cscdemand_error_names")
  }
  if (anyDuplicated(names)) {
    abort_input(c("Class names must be unique.",
                  x = "{.val {unique(names[duplicated(names)])}} {?is/are} repeated."),
                class = "cscdemand_error_names")
  }
  if (!is.null(base::names(names)) && all(nzchar(base::names(names)))) {
    bad <- setdiff(base::names(names), cl)
    if (length(bad) || anyDuplicated(base::names(names))) {
      abort_input(c("The names of {.arg names} must be the classes {.val {cl}}.",
                    x = "Unknown: {.val {bad}}."), class = "cscdemand_error_names")
    }
    names <- names[cl]
  }
  fit$class_names <- stats::setNames(unname(names), cl)
  fit
}

# Class labels of a fit: its names if set, else "Class 1", ...
class_labels <- function(fit) {
  cl <- names(fit$class_size)
  nm <- fit$class_names
  if (is.null(nm)) stats::setNames(cl, cl) else nm[cl]
}

item_labels <- function(items, labels, call = rlang::caller_env()) {
  if (is.null(labels)) return(stats::setNames(items, items))
  if (is.data.frame(labels)) {
    key <- intersect(c("item", "code"), names(labels))[1]
    if (is.na(key) || !"label" %in% names(labels)) {
      abort_input(c("A data frame of {.arg labels} needs columns {.field item} (or {.field code}) and {.field label}.",
                    x = "It has {.field {names(labels)}}."), class = "cscdemand_error_labels",
                  call = call)
    }
    labels <- stats::setNames(as.character(labels$label), as.character(labels[[key]]))
  }
  if (!is.character(labels) || is.null(names(labels))) {
    abort_input(c("{.arg labels} must be a named character vector (names are item columns).",
                  i = "For example {.code c(neglect = \"Neglect\")}."),
                class = "cscdemand_error_labels", call = call)
  }
  out <- stats::setNames(items, items)
  hit <- items[items %in% names(labels)]
  out[hit] <- labels[hit]
  out
}

# K x J matrix: probability that each item is "present" in each class.
presence_probs <- function(fit) {
  m <- vapply(fit$items, function(it) {
    p <- fit$probs[[it]]
    lv <- colnames(p)
    yes <- which(tolower(lv) %in% c("1", "true", "yes"))
    col <- if (length(yes)) yes[1] else ncol(p)
    p[, col]
  }, numeric(length(fit$class_size)))
  if (!is.matrix(m)) m <- matrix(m, nrow = 1L, dimnames = list(NULL, fit$items))
  rownames(m) <- names(fit$class_size)
  m
}

# How the probability of each unit in each class may be printed, as Figure 4
# (plot_item_probs()) prints the factors: `units` is a named list of item
# columns (a theme, a group, or the two units of an "A or B" name), a unit's
# probability that of at least one of its items (independent within a class
# in the model). Where nothing is hidden, the whole percentage. Where the
# unit's own expected count (or its complement) would be small, or one of its
# factors is hidden in Figure 4, a range worked out only from what Figure 4
# publishes (a shown percentage is within half a point; a hidden one is its
# range there), so the table tells nothing Figure 4 does not: a unit of one
# factor reads exactly as its tile ("<5%", ">90%", "20-30%"); "c" where a
# factor's tile is "c". Returns K x U matrices `text` and `exact`, and `p`.
unit_display <- function(fit, units, threshold, ip = presence_probs(fit), sizes = NULL) {
  K <- nrow(ip)
  p <- matrix(vapply(units, function(it) 1 - apply(1 - ip[, it, drop = FALSE], 1, prod), numeric(K)),
              K, length(units), dimnames = list(rownames(ip), names(units)))
  text <- matrix(prob_pct_text(p), K, length(units), dimnames = dimnames(p))
  exact <- matrix(TRUE, K, length(units), dimnames = dimnames(p))
  if (threshold <= 0 || !length(units)) return(list(text = text, exact = exact, p = p))
  size <- item_prob_sizes(fit, sizes)
  hid_i <- prob_cells_hidden(ip, size, threshold)
  band <- item_probs_bands(ip, size, threshold, hid_i)
  # what Figure 4 publishes of each item's probability, as an interval
  lo <- pmax(round(100 * ip) - 0.5, 0) / 100
  hi <- pmin(round(100 * ip) + 0.5, 100) / 100
  for (i in which(hid_i)) {
    b <- band[i]
    if (is.na(b)) {
      lo[i] <- hi[i] <- NA
    } else if (startsWith(b, "<")) {
      lo[i] <- 0; hi[i] <- as.numeric(sub("^<([0-9.]+)%$", "\\1", b)) / 100
    } else if (startsWith(b, ">")) {
      lo[i] <- as.numeric(sub("^>([0-9.]+)%$", "\\1", b)) / 100; hi[i] <- 1
    } else {
      ab <- as.numeric(strsplit(sub("%$", "", b), "-", fixed = TRUE)[[1]])
      lo[i] <- ab[1] / 100; hi[i] <- ab[2] / 100
    }
  }
  hid_u <- prob_cells_hidden(p, size, threshold)
  for (u in seq_along(units)) {
    it <- units[[u]]
    for (k in seq_len(K)) {
      if (!any(hid_i[k, it]) && !hid_u[k, u]) next
      if (length(it) == 1L && !hid_i[k, it]) next  # as Figure 4 shows it
      exact[k, u] <- FALSE
      if (length(it) == 1L) {
        text[k, u] <- if (is.na(band[k, it])) "c" else band[k, it]
        next
      }
      if (anyNA(lo[k, it])) {
        text[k, u] <- "c"
        next
      }
      a <- floor(100 * (1 - prod(1 - lo[k, it])))
      b <- ceiling(100 * (1 - prod(1 - hi[k, it])))
      text[k, u] <- if (a <= 0) paste0("<", b, "%") else if (b >= 100) paste0(">", a, "%") else paste0(a, "-", b, "%")
    }
  }
  list(text = text, exact = exact, p = p)
}

# -- What Figure 4 (plot_item_probs()) and the names table may print of a
# hidden item probability: both read these, so they live with the names
# (profile-plots.R calls down to them; nothing here calls the plots). --

# Ranges for the hidden item probabilities (K x J, NA where a tile is shown
# exactly or stays "c"), so a small council's heatmap shows more than "c": a
# probability whose expected count is small is shown as "<u%", u the
# smallest of 1, 2, 5, 10, 20, 30, 50% whose count (u times the category's
# size) is at least the threshold; one whose count without the factor is
# small, as ">v%" likewise; one hidden to protect another, as its ten-point
# band ("20-30%"). A factor's expected counts add up to its published total,
# so a factor's ranges are kept only if, with its other tiles (exact or
# ranges) and that total, no small count can be shown to be under the
# threshold: the largest value a reader can find for it (its range and the
# total minus the others' smallest values) is at least the threshold less a
# half (printed counts are rounded). Otherwise the factor's tiles stay "c".
item_probs_bands <- function(probs, size, threshold, hide) {
  out <- matrix(NA_character_, nrow(probs), ncol(probs), dimnames = dimnames(probs))
  if (threshold <= 0 || !any(hide)) return(out)
  ladder <- c(.01, .02, .05, .1, .2, .3, .5)
  for (j in which(colSums(hide) > 0)) {
    h <- which(hide[, j])
    p <- probs[, j]
    yes <- round(p * size)
    no <- round((1 - p) * size)
    lo <- hi <- p
    lab <- character(length(p))
    # the side a small count is on (prob_cells_small(): a rounded count, or
    # a printed 0%/100% standing for a few episodes)
    sm_yes <- prob_cells_small(matrix(p), size, threshold) & p < 0.5
    sm_no <- prob_cells_small(matrix(p), size, threshold) & p >= 0.5
    side <- ifelse(sm_yes[h], "yes", ifelse(sm_no[h], "no", "mid"))
    for (i in seq_along(h)) {
      k <- h[i]
      u <- ladder[ladder * size[k] >= threshold & ladder > if (side[i] == "yes") p[k] else 1 - p[k]][1]
      if (side[i] == "mid" || is.na(u)) {
        if (side[i] != "mid") { lo[k] <- NA; next }
        lo[k] <- floor(10 * p[k]) / 10
        hi[k] <- min(1, lo[k] + 0.1)
        lab[k] <- paste0(round(100 * lo[k]), "-", round(100 * hi[k]), "%")
      } else if (side[i] == "yes") {
        lo[k] <- 0; hi[k] <- u; lab[k] <- paste0("<", round(100 * u), "%")
      } else {
        lo[k] <- 1 - u; hi[k] <- 1; lab[k] <- paste0(">", round(100 * (1 - u)), "%")
      }
    }
    if (anyNA(lo[h]) || !item_bands_protect(p, size, lo, hi, h, side, threshold)) next
    out[h, j] <- lab[h]
  }
  out
}

# Whether a factor's ranges protect its small counts: the total of its
# expected counts is published, the shown tiles are exact, each hidden one is
# in its range; the largest count a reader can find for a small count (or for
# the count without the factor) must be at least the threshold less a half.
item_bands_protect <- function(p, size, lo, hi, h, side, threshold) {
  total <- sum(p * size)
  shown <- setdiff(seq_along(p), h)
  rest <- total - sum(p[shown] * size[shown])
  for (i in seq_along(h)) {
    if (side[i] == "mid") next
    k <- h[i]
    o <- setdiff(h, k)
    top <- min(hi[k] * size[k], rest - sum(lo[o] * size[o]))
    bottom <- max(lo[k] * size[k], rest - sum(hi[o] * size[o]))
    most <- if (side[i] == "yes") top else size[k] - bottom
    if (most < threshold - 0.5) return(FALSE)
  }
  TRUE
}

# The item probabilities of a fit that can be published (see
# prob_cells_hidden()): TRUE where a category's probability of a factor must
# be hidden.
item_probs_hidden <- function(fit, threshold, probs = presence_probs(fit), sizes = NULL) {
  prob_cells_hidden(probs, item_prob_sizes(fit, sizes), threshold)
}

# The episodes in each category that the small-number rule of the item
# probabilities is checked against: the model's (class share x episodes
# fitted), or, where `sizes` are given (a council's own episodes per category
# when the model pools several councils), the smaller of the two, so that a
# percentage read against either size never stands for fewer than the
# threshold (reader 13: a pooled model's "1%" of Neglect read against the
# council's 612 episodes).
item_prob_sizes <- function(fit, sizes = NULL, call = rlang::caller_env()) {
  model <- unname(fit$class_size) * fit$nobs
  if (is.null(sizes)) return(model)
  if (!is.numeric(sizes) || length(sizes) != length(model) || anyNA(sizes) || any(sizes < 0)) {
    abort_input(c("{.arg sizes} must give the episodes of each of the model's {length(model)} categories, in its order.",
                  x = "You supplied {length(sizes)} value{?s} of class {.cls {class(sizes)}}.",
                  i = "For a council's report on a pooled model: {.code colSums(class_posterior(fit, own_episodes))}."),
                call = call)
  }
  pmin(model, unname(sizes))
}
