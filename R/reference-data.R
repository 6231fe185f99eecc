# Documentation of the council context data sets, built by data-raw/context.R.

#' Published children in need, referral and child protection figures per council
#'
#' DfE tables B1 (children in need), C1 (referrals and re-referrals), C4 (section 47
#' enquiries and initial child protection conferences) and D3 (child protection plans,
#' second or subsequent) from "Characteristics of children in need",
#' for England, the nine regions, Inner and Outer London and every children's services
#' authority, reporting years 2013 to 2025 (the year ending 31 March), as one long table.
#'
#' DfE rounds national and regional counts to the nearest 10; council counts are
#' unrounded. Values DfE withheld are `NA` with the DfE mark kept in `count_mark` (see
#' [context_marks]), never zero. Rates per 10,000 children use the ONS mid-year estimate
#' of children aged 0-17 for 30 June inside the reporting year (`population_year = year -
#' 1`; [context_population]), which is also why the population file runs 2012-2024 and
#' these tables 2013-2025. Percentages are recomputed from the counts over the measure's
#' base (`base_measure`); DfE's own rounded percentage is kept in `percent_published`.
#'
#' @format A data frame with one row per year, geography and measure:
#' \describe{
#'   \item{year}{DfE reporting year (year ending 31 March).}
#'   \item{level}{`"National"`, `"Regional"`, `"London sub-region"` (Inner and Outer
#'     London) or `"Local authority"`.}
#'   \item{code}{ONS code of the geography (as published that year).}
#'   \item{la_number}{DfE local authority number ("old LA code"); `NA` above council level.}
#'   \item{name}{Name of the geography.}
#'   \item{region_code}{ONS code of the region (London for Inner and Outer London).}
#'   \item{measure}{Measure name; see [context_dictionary].}
#'   \item{count}{Published count, `NA` where withheld.}
#'   \item{count_mark}{DfE mark where the count was withheld (`"c"`, `"x"`, `"z"`, `"u"`,
#'     `"low"`, ...), else `NA`.}
#'   \item{source}{DfE table: `"B1"`, `"C1"`, `"C4"` or `"D3"`.}
#'   \item{population_year}{Year of the ONS mid-year estimate used for the rate.}
#'   \item{population}{Children aged 0-17 in `population_year`.}
#'   \item{rate_10k}{`count / population * 10000`, to three decimal places.}
#'   \item{rate_mark}{Why `rate_10k` is missing: the count's mark, or the population's
#'     (`"x"` where ONS gives no estimate for the council's boundaries).}
#'   \item{base_measure}{The measure a percentage is of (for example `"referrals"` for
#'     re-referrals), else `NA`.}
#'   \item{percent}{`100 * count / count of base_measure`, to three decimal places.}
#'   \item{percent_mark}{Why `percent` is missing: the mark of the count or of its base.}
#'   \item{percent_published}{DfE's published percentage (one decimal place).}
#'   \item{percent_published_mark}{DfE's mark for the published percentage.}
#' }
#' C4 gives `section47` (enquiries), `section47_children`, `icpc` (initial child
#' protection conferences), `icpc_children`, and the conferences by working days from the
#' strategy discussion in DfE's bands (`icpc_0_10_days`, `icpc_11_15_days`,
#' `icpc_16_20_days`, `icpc_21_days_plus`), as percentages of `icpc`; the first two add
#' up to the conferences held within 15 working days.
#'
#' @source Department for Education, "Characteristics of children in need" (explore
#'   education statistics), tables B1, C1, C4 and D3, reporting years 2013 to 2025
#'   (edition published November 2025); Office for National Statistics mid-year
#'   population estimates 2012 to 2024. Built by `data-raw/context.R`. Contains public
#'   sector information licensed under the Open Government Licence v3.0.
#' @family council context data
#' @examples
#' head(context_published[context_published$measure == "referrals", ])
"context_published"

#' Published factors identified at the end of assessment per council (DfE table C3)
#'
#' DfE table C3: episodes with each factor identified at the end of assessment, for
#' England, regions and councils, reporting years 2018 to 2025, as a long table with the
#' same columns as [context_published] (without the published percentage, which C3 does
#' not give). `measure` is the CIN factor code (`"3A"`, `"16A"`, ...; codes 8B to 8F are
#' published together as `"8B-8F"`), or `"episodes_with_factors"` for the number of
#' episodes with at least one factor, the base of `percent`. Factors not collected in a
#' year (18B/18C and 19B/19C before 2021, 24A before 2022) carry DfE's mark `"x"`.
#'
#' This is the package's one copy of table C3: [national_factor_rates] is a view of it
#' in the layout used for simulating data, built when first used.
#'
#' @format A data frame; see [context_published] for the columns.
#' @source Department for Education, "Characteristics of children in need", table C3,
#'   reporting years 2018 to 2025 (edition published November 2025). Built by
#'   `data-raw/context.R`. Contains public sector information licensed under the Open
#'   Government Licence v3.0.
#' @family council context data
#' @examples
#' x <- context_factors[context_factors$level == "National" & context_factors$year == 2025, ]
#' head(x[order(-x$count), c("measure", "count", "percent")])
"context_factors"

#' Children aged 0 to 17 per council, region and England (ONS mid-year estimates)
#'
#' ONS mid-year population estimates of children aged 0-17, 2012 to 2024, for England,
#' regions and children's services authorities, as published alongside the DfE tables.
#' The estimate for 30 June of `year` is the denominator of rates for the DfE reporting
#' year ending 31 March of `year + 1`. ONS gives no estimate on the old boundaries of
#' Bournemouth, Poole and Dorset before 2019 (mark `"x"`).
#'
#' @format A data frame with columns `year`, `level`, `code`, `la_number`, `name`,
#'   `population` (`NA` where not available) and `population_mark`.
#' @source Office for National Statistics, mid-year population estimates. Contains public
#'   sector information licensed under the Open Government Licence v3.0.
#' @family council context data
#' @examples
#' context_population[context_population$level == "National", c("year", "population")]
"context_population"

#' Children's services authorities in England, with their history
#'
#' One row per council (DfE local authority number) that appears in the DfE tables since
#' 2013, with its current ONS code and any former codes, region, first and last reporting
#' year, and the reorganisations since 2013: Bournemouth, Christchurch and Poole and the
#' new Dorset (2019), North and West Northamptonshire (2021), Cumberland and Westmorland
#' and Furness (2023), and the code changes of Buckinghamshire, North Yorkshire and
#' Somerset when they became unitary.
#'
#' @format A data frame with columns:
#' \describe{
#'   \item{la_number}{DfE local authority number.}
#'   \item{code}{ONS code in the council's latest year.}
#'   \item{name}{Name as DfE publishes it.}
#'   \item{region_code, region_name}{Region (London for Inner and Outer London).}
#'   \item{london}{`"Inner London"` or `"Outer London"` for London councils, else `NA`.}
#'   \item{first_year, last_year}{First and last DfE reporting year with figures.}
#'   \item{current}{`TRUE` if the council is in the latest year's tables.}
#'   \item{former_codes}{Earlier ONS codes of the same council (`;`-separated).}
#'   \item{predecessors}{DfE numbers whose figures stand in for the council's years
#'     before it existed (`;`-separated).}
#'   \item{successors}{DfE numbers of the councils that replaced it.}
#'   \item{note}{What changed, in words.}
#' }
#' @source Built from the DfE tables (see [context_published]) and the public record of
#'   local government reorganisation. Contains public sector information licensed under
#'   the Open Government Licence v3.0.
#' @family council context data
#' @examples
#' context_councils[!is.na(context_councils$note), c("la_number", "name", "note")]
"context_councils"

#' DfE statistical neighbours: the 2025 model and the April 2021 groupings
#'
#' The ten statistical neighbours of each council, closest first, in two editions: DfE's
#' statistical neighbours model 2025 (`edition` 2025, the default everywhere in the
#' package), with DfE's closeness label for each neighbour (`"Extremely close"`, `"Very
#' close"`, `"Close"`, `"Somewhat close"`, `"Not close"`); and DfE's groupings of April
#' 2021 (`edition` 2021), including DfE's groupings for the councils before the 2019 and
#' 2021 reorganisations (`grouping`). Councils created in 2023 (Cumberland, Westmorland
#' and Furness) have neighbours of their own in the 2025 model only; with the 2021
#' groupings [council_context()] uses their predecessor's.
#'
#' @format A data frame with columns `edition` (2025 or 2021), `la_number`, `name`,
#'   `rank` (1 = closest), `neighbour_number`, `neighbour_name`, `closeness` (DfE's band;
#'   trailing spaces in the published file removed) and `grouping`.
#' @source Department for Education, statistical neighbours model 2025 (published by
#'   old three-digit local authority number), and "Children's services statistical
#'   neighbour benchmarking tool", groupings of April 2021; built by `data-raw/context.R`.
#'   Contains public sector information licensed under the Open Government Licence v3.0.
#' @family council context data
#' @examples
#' sn <- context_neighbours[context_neighbours$edition == 2025, ]
#' sn[sn$name == "Warwickshire", c("rank", "neighbour_name", "closeness")]
"context_neighbours"

#' Marks DfE and ONS use in place of a number
#'
#' The marks kept in the `*_mark` columns of the council context data, with their
#' meaning (Government Statistical Service symbols as used by DfE's explore education
#' statistics service). Brackets (`"[c]"`) are read as the bare mark.
#'
#' @format A data frame with columns `mark` and `meaning`.
#' @source Government Statistical Service guidance on symbols in tables; DfE explore
#'   education statistics. Contains public sector information licensed under the Open
#'   Government Licence v3.0.
#' @family council context data
#' @examples
#' context_marks
"context_marks"

#' Measures available for council context
#'
#' One row per measure in [context_published] and [context_factors]: its label, DfE
#' table and column, CIN factor code, the base of its percentage, the unit of the
#' headline value [council_context()] reports, and the first year with published figures.
#'
#' @format A data frame with columns `measure`, `label`, `source`, `dfe_column`,
#'   `factor_code`, `base_measure`, `unit` and `first_year`.
#' @source Built by data-raw/context.R from the DfE tables. Contains public sector
#'   information licensed under the Open Government Licence v3.0.
#' @family council context data
#' @examples
#' context_dictionary[, c("measure", "label", "unit")]
"context_dictionary"
