#!/bin/sh
# Issue 26, step 3 of dev/one-house-plan.md (§2.3): after the rename and
# paths commits, the 8 moves that remove the last up-calls and the two hidden
# cycles, each a cut and paste of a definition with its comments:
#   the council resolver (find_council(), context_resolve() and its three
#   helpers) from context.R to a new reference-councils.R (read-simulate.R and
#   deprivation.R call it, from below context);
#   check_threshold() from profile-utils.R to conditions.R (suppress.R calls it);
#   status_labels from lca.R to lca-groups.R, flag_marks from profile.R to
#   profile-findings.R (objects that closed a cycle between the two files).
# find_council()'s @inheritParams council_context (a documentation link up a
# layer) becomes the two @param entries it inherited, word for word, so its
# help page is unchanged; its man page header names the new file.
#
#   sh dev/one-house-moves.sh [--no-commit]
set -eu
cd "$(git rev-parse --show-toplevel)"
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "one-house-moves: the checkout has uncommitted changes" >&2
  exit 1
fi
[ -f R/context.R ] && [ -f R/read-simulate.R ] && [ ! -e R/reference-councils.R ] || {
  echo "one-house-moves: run after dev/one-house-rename.sh and dev/one-house-paths.sh (and only once)" >&2
  exit 1
}

printf '%s\n' \
  "# The package's one council resolver: DfE numbers, ONS codes (current," \
  "# former, district) and names to one row of \`context_councils\`." > R/reference-councils.R

mv_def() { Rscript --vanilla dev/one-house-move-def.R R "$@"; }
mv_def find_council reference-councils.R
mv_def context_resolve reference-councils.R
mv_def context_normalise reference-councils.R
mv_def context_prefer_current reference-councils.R
mv_def context_closest reference-councils.R
mv_def check_threshold conditions.R --after check_number
mv_def status_labels lca-groups.R --top
mv_def flag_marks profile-findings.R --after format_p_adjusted  # before its user, profile_findings()

# @inheritParams council_context -> the @param la and @param verbose blocks of
# council_context()'s roxygen (context.R), copied as they are.
perl -0pi -e '
  BEGIN { local $/; open my $c, "<", "R/context.R" or die; my $t = <$c>;
          ($la) = $t =~ /^(#\x27 \@param la .*?\n)(?=#\x27 \@)/ms or die "no \@param la";
          ($vb) = $t =~ /^(#\x27 \@param verbose .*?\n)(?=#\x27 \@)/ms or die "no \@param verbose"; }
  s/^#\x27 \@inheritParams council_context\n/$la$vb/m or die "no \@inheritParams in reference-councils.R";
' R/reference-councils.R
sed -i 's|^% Please edit documentation in R/context.R$|% Please edit documentation in R/reference-councils.R|' man/find_council.Rd

git add R/reference-councils.R
git diff --cached --stat | tail -n 1
[ "${1:-}" = --no-commit ] && exit 0
git commit -q -a -m "One house (issue 26) step 3: the council resolver, check_threshold(), status_labels and flag_marks move to the layer that uses them

Cut and paste, each with its comments (dev/one-house-moves.sh):
- find_council(), context_resolve(), context_normalise(),
  context_prefer_current(), context_closest(): context.R -> the new
  reference-councils.R, the package's one council resolver. simulate_cin()
  (read) and resolve_la_codes() (deprivation) called it up a layer.
  find_council()'s @inheritParams council_context is now the two @param
  entries it inherited, so its help page is unchanged.
- check_threshold(): profile-utils.R -> conditions.R, after check_number()
  (publish_table() in suppress.R called it up a layer).
- status_labels: lca.R -> lca-groups.R; flag_marks: profile.R ->
  profile-findings.R (each object closed a cycle between the two files,
  which the old architecture test did not see because it mapped functions
  only).
No code changed."
git show --stat --format='%h %s' HEAD | tail -n 1
