# Salted hashes of identifiers, so that an episode table can be shared (used
# by the XML, sector and LSOA-lookup readers).

cin_check_salt <- function(hash_ids, salt, call = rlang::caller_env()) {
  if (!hash_ids) return(NULL)
  if (!is.character(salt) || length(salt) != 1L || is.na(salt) || nchar(salt) < 8L) {
    abort_input(c("{.arg hash_ids = TRUE} needs a secret {.arg salt} of at least 8 characters.",
                  i = "Give {.arg salt}, or set {.code options(cscdemand.salt = \"...\")}; keep it secret and use the same salt for every extract you link."),
                call = call)
  }
  rlang::check_installed("openssl", reason = "to hash identifiers.")
  salt
}

# Salted SHA-256 of identifiers (first 20 hex digits), on unique values.
cin_hash_ids <- function(id, salt) {
  u <- unique(id)
  h <- substr(as.character(openssl::sha256(paste0(salt, "\u001f", u))), 1L, 20L)
  h[is.na(u)] <- NA_character_
  h[match(id, u)]
}
