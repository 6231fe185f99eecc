# The column dictionary of the reader: the standard column names, the names
# accepted for each (matched ignoring case and punctuation), and which columns
# are characteristics, outcomes or identifiers. A leaf: every reader stage and
# the XML and sector readers use it.

cin_column_aliases <- function() {
  list(
    la = c("la", "lacode", "localauthority", "localauthoritycode", "newlacode", "oldlacode",
           "laname", "council", "lanum"),
    child_id = c("childid", "lachildid", "child", "personid", "childref", "childreference",
                 "clientid", "personref"),
    episode_id = c("episodeid", "episode", "cindetailsid", "cinepisodeid", "referralid",
                   "episoderef", "cinid"),
    assessment_id = c("assessmentid", "assessment", "assessmentref"),
    referral_date = c("referraldate", "cinreferraldate", "dateofreferral", "referralstartdate"),
    assessment_date = c("assessmentdate", "assessmentauthorisationdate", "assessmentauthoriseddate",
                        "dateassessmentauthorised", "assessmentenddate",
                        "assessmentauthoriseddt"),
    factor = c("factor", "factors", "factorcode", "factorcodes", "code", "codes",
               "assessmentfactor", "assessmentfactors", "assessmentfactorslist",
               "assessmentfactorcode", "assessmentfactorcodes"),
    year = c("year", "censusyear", "collectionyear", "timeperiod"),
    age = c("age", "ageatreferral", "agereferral"),
    gender = c("gender", "sex"),
    ethnicity = c("ethnicity", "ethnic", "ethnicitycode"),
    lsoa = c("lsoa", "lsoa11", "lsoacode", "lsoa11cd", "lsoa2011", "lsoa21", "lsoa21cd", "lsoa2021"),
    referral_source = c("referralsource", "source", "sourceofreferral"),
    rereferral = c("rereferral", "repeatreferral", "rereferralwithin12months"),
    nfa = c("nfa", "nofurtheraction", "referralnfa"),
    not_in_need = c("notinneed", "assessednotinneed", "assessednotcin", "notcin"),
    cin_plan = c("cinplan", "cin", "childinneedplan"),
    s47 = c("s47", "section47", "s47enquiry"),
    icpc = c("icpc", "initialcpconference", "initialchildprotectionconference"),
    cp_plan = c("cpplan", "childprotectionplan", "cpp"),
    looked_after = c("lookedafter", "cla", "lac", "lookedafterchild"),
    step_down = c("stepdown", "stepdowntoearlyhelp", "earlyhelp"),
    true_class = c("trueclass", "simulatedclass"),
    ethnic_group = c("ethnicgroup", "majorethnicgroup"), disability = c("disability", "disabled"),
    primary_need = c("primaryneed", "primaryneedcode"), closure_reason = c("closurereason", "reasonforclosure"),
    threshold = c("threshold", "highestthreshold"), cp_category = c("cpcategory", "categoryofabuse"),
    cin_plan_days = c("cinplandays", "cinplanlength", "cinplanlengthdays"),
    cp_plan_days = c("cpplandays", "cpplanlength", "cpplanlengthdays"),
    previous_cp_plans = c("previouscpplans", "numberofpreviouscpp"),
    repeat_cp_plan = c("repeatcpplan", "subsequentcpplan", "secondorsubsequentplan"),
    cp_plan_reviews = c("cpplanreviews", "cppreviews"),
    icpc_working_days = c("icpcworkingdays"), icpc_timely = c("icpctimely", "icpcwithin15days"),
    icpc_not_required = c("icpcnotrequired"), assessment_reviewed = c("assessmentreviewed"),
    pre_proceedings = c("preproceedings"), pp_letter = c("ppletter", "letterbeforeproceedings"),
    fgdm_offered = c("fgdmoffered"), fgdm_held = c("fgdmheld", "fgdmfacilitated"),
    court_application = c("courtapplication"), pp_outcome = c("ppoutcome"),
    pp_days = c("ppdays", "preproceedingsdays"), pp_review_meetings = c("ppreviewmeetings", "reviewmeetingscount")
  )
}

cin_outcomes <- function() {
  c("nfa", "not_in_need", "cin_plan", "s47", "icpc", "cp_plan", "looked_after", "step_down")
}

cin_characteristics <- function() {
  c("age", "gender", "ethnicity", "lsoa", "referral_source", "rereferral", cin_outcomes(),
    "true_class", "ethnic_group", "disability", "primary_need", "closure_reason", "threshold",
    "cp_category", cin_plan_columns())
}

# The plan, conference and pre-proceedings fields of an episode (see
# cin_derive_plans()), with the type each is read as from a table.
cin_plan_columns <- function(type = FALSE) {
  ty <- c(cin_plan_days = "days", cp_plan_days = "days", previous_cp_plans = "count",
          repeat_cp_plan = "flag", cp_plan_reviews = "count", icpc_working_days = "days",
          icpc_timely = "flag", icpc_not_required = "flag", assessment_reviewed = "flag",
          pre_proceedings = "flag", pp_letter = "flag", fgdm_offered = "flag", fgdm_held = "flag",
          court_application = "flag", pp_outcome = "code", pp_days = "days",
          pp_review_meetings = "count")
  if (type) ty else names(ty)
}

# Columns whose values identify a child: never printed or put in a message.
cin_identifier_columns <- function() c("child_id", "episode_id", "assessment_id")

cin_key <- function(x) gsub("[^a-z0-9]", "", tolower(x))
