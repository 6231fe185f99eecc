#' English Indices of Deprivation 2025 by LSOA (2021 boundaries)
#'
#' The Index of Multiple Deprivation (IMD) 2025 score, rank and decile of each of the
#' 33,755 lower layer super output areas (LSOAs, 2021 boundaries) in England, with the
#' IoD 2025 population denominators. The current edition: [link_imd()] links 2021 LSOA
#' codes here, and [rates_by_decile()] uses `children_0_15` as denominators. Rank 1 is
#' the most deprived LSOA and decile 1 the most deprived tenth.
#'
#' @format A data frame with 33,755 rows and 7 columns:
#' \describe{
#'   \item{lsoa21}{LSOA code (2021), e.g. `"E01000001"`.}
#'   \item{lad24_code}{Local authority district code (2024).}
#'   \item{imd_score}{IMD 2025 score (higher = more deprived).}
#'   \item{imd_rank}{IMD 2025 rank (1 = most deprived).}
#'   \item{imd_decile}{IMD 2025 decile (1 = most deprived).}
#'   \item{children_0_15}{Children aged 0-15 (IoD 2025 denominators).}
#'   \item{population}{Total population (IoD 2025 denominators).}
#' }
#' @source Ministry of Housing, Communities and Local Government, English Indices of
#'   Deprivation 2025 (published 30 October 2025), LSOA ranks, deciles and scores with
#'   the population denominators. Built by `data-raw/imd.R`. Contains public sector
#'   information licensed under the Open Government Licence v3.0.
#' @family deprivation
#' @examples
#' head(imd2025_lsoa)
#' table(imd2025_lsoa$imd_decile)
"imd2025_lsoa"

#' English Indices of Deprivation by LSOA (2019 and 2015 editions)
#'
#' The Index of Multiple Deprivation (IMD) rank and decile of each of the
#' 32,844 lower layer super output areas (LSOAs, 2011 boundaries) in England,
#' used by [link_imd()] for extracts with 2011 LSOA codes (the current edition, on
#' 2021 boundaries, is [imd2025_lsoa]). Rank 1 is the most deprived LSOA and decile 1
#' the most deprived tenth.
#'
#' @format
#' `imd2019_lsoa`: a data frame with 32,844 rows and 4 columns:
#' \describe{
#'   \item{lsoa11}{LSOA code (2011), e.g. `"E01000001"`.}
#'   \item{lad19_code}{Local authority district code (2019).}
#'   \item{imd_rank}{IMD 2019 rank (1 = most deprived). The published file has
#'     26 tied ranks; they are kept as published.}
#'   \item{imd_decile}{IMD 2019 decile (1 = most deprived).}
#' }
#'
#' `imd2015_lsoa`: a data frame with 32,844 rows and 5 columns: `lsoa11`,
#' `lad13_code` (district code, 2013), `imd_score`, `imd_rank`, `imd_decile`.
#'
#' @source Ministry of Housing, Communities and Local Government, English
#'   Indices of Deprivation 2019 (File 1) and 2015. Built by
#'   `data-raw/imd.R`. Contains public sector information licensed under the
#'   Open Government Licence v3.0.
#' @family deprivation
#' @examples
#' head(imd2019_lsoa)
#' table(imd2019_lsoa$imd_decile)
"imd2019_lsoa"

#' @rdname imd2019_lsoa
"imd2015_lsoa"

#' Child population denominators by LSOA
#'
#' Dependent children aged 0-15 and total population per LSOA (2011
#' boundaries), mid-2015, excluding prisoners: the denominators published with
#' the Indices of Deprivation 2019 (File 6). [rates_by_decile()] uses them for
#' rates per 10,000 children.
#'
#' @format A data frame with 32,844 rows and 3 columns:
#' \describe{
#'   \item{lsoa11}{LSOA code (2011).}
#'   \item{children_0_15}{Dependent children aged 0-15, mid-2015.}
#'   \item{population}{Total population, mid-2015.}
#' }
#' @source Ministry of Housing, Communities and Local Government, English
#'   Indices of Deprivation 2019, File 6 (population denominators). Built by
#'   `data-raw/imd.R`. Contains public sector information licensed under the
#'   Open Government Licence v3.0.
#' @family deprivation
#' @examples
#' sum(lsoa_population$children_0_15)
"lsoa_population"

#' Local authority districts and their children's services authority
#'
#' Maps every lower-tier local authority district code used by the IMD files
#' (2013 and 2019 codes) and by the April 2023 geography to the upper-tier
#' authority that runs children's services (April 2023). Districts abolished by
#' mergers (Bournemouth, Christchurch and Poole and Dorset 2019, Buckinghamshire
#' 2020, Northamptonshire 2021, Cumbria, North Yorkshire and Somerset 2023) and
#' codes replaced in 2014 map to their successor authority.
#'
#' This is the package's one district to authority lookup; [context_districts] is a
#' view of its current rows.
#'
#' @format A data frame with one row per district code and 6 columns:
#' \describe{
#'   \item{district_code, district_name}{Lower-tier district.}
#'   \item{la_code, la_name}{Children's services (upper-tier) authority, April 2023.}
#'   \item{la_number}{DfE local authority number of the authority.}
#'   \item{change}{`"current (April 2023)"` or the merger or recoding that
#'     retired the district code.}
#' }
#' @source Office for National Statistics, Lower Tier Local Authority to Upper
#'   Tier Local Authority (April 2023) Lookup in England and Wales, with the
#'   code changes since 2013 added, and DfE numbers from DfE table B1, by
#'   `data-raw/imd.R`. Contains public sector
#'   information licensed under the Open Government Licence v3.0.
#' @family deprivation
#' @examples
#' la_lookup[la_lookup$la_name == "Cumberland", ]
"la_lookup"

#' Children's services authority deprivation (IMD 2025, 2019 and 2015)
#'
#' Deprivation of each of the 153 children's services authorities (April 2023
#' boundaries): the population-weighted average IMD score (the published
#' district "average score" measure, weighted by district population), its rank
#' among authorities (1 = most deprived) and decile (1 = most deprived).
#' [link_imd()] adds the decile as the council-level deprivation measure.
#'
#' For 2025 the same measure is computed directly from the LSOA scores of
#' [imd2025_lsoa] weighted by the IoD 2025 total population.
#'
#' @format A data frame with 459 rows (153 authorities x 3 editions) and 8
#'   columns: `edition` (2025, 2019 or 2015), `la_code`, `la_name`, `imd_score`,
#'   `imd_rank`, `imd_decile`, `n_lsoa` (LSOAs in the authority) and
#'   `children_0_15` (child population: IoD 2025 for 2025, mid-2015 otherwise).
#' @source Ministry of Housing, Communities and Local Government, English
#'   Indices of Deprivation 2025 (LSOA scores and populations), 2019 and 2015
#'   (local authority district summaries, 2021 districts), aggregated to
#'   authorities by `data-raw/imd.R`. Contains public sector information
#'   licensed under the Open Government Licence v3.0.
#' @family deprivation
#' @examples
#' head(imd_la[imd_la$edition == 2019, ])
"imd_la"
