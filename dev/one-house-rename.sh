#!/bin/sh
# Issue 26, step 1 of dev/one-house-plan.md: rename only (git mv), one commit,
# so that history follows every file. Run from anywhere inside a clean
# checkout of the branch that is to receive the commit:
#
#   sh dev/one-house-rename.sh            # check, rename, commit
#   sh dev/one-house-rename.sh --check    # check only: exit 1 and say why if it would fail
#   sh dev/one-house-rename.sh --no-commit
#
# Before moving anything it works out the tree after the renames and refuses
# (exit 1, nothing moved) when: an old name is missing or a new name exists;
# an R file would have no layer prefix and is not cross-cutting; a test file
# would not start with a layer (or a cross-cutting name); a snapshot file
# would have no test file of its name. A file added to main after the table
# was written therefore stops the script with its name, instead of landing
# unlayered: add its line to the table below (plan §1) and run again.
# Then dev/one-house-paths.sh updates the text that names the old paths.
set -eu

mode=commit
case "${1:-}" in
  --check) mode=check ;;
  --no-commit) mode=nocommit ;;
  "") ;;
  *) echo "usage: sh dev/one-house-rename.sh [--check|--no-commit]" >&2; exit 2 ;;
esac

cd "$(git rev-parse --show-toplevel)"
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "one-house-rename: the checkout has uncommitted changes; commit or stash them first" >&2
  exit 1
fi

# Layers, lowest first (reference at the bottom: the lead's decision, plan §0),
# and the cross-cutting files below every layer. Keep in step with
# arch_layers / arch_cross_cutting of tests/testthat/helper-architecture.R.
layers="reference read episodes patterns lca validate profile deprivation context report"
cross="conditions.R suppress.R suppress-audit.R random.R utils.R RcppExports.R reexports.R cscdemand-package.R"
# test files may also be named after a cross-cutting file, or test the architecture
test_extra="conditions suppress random utils architecture"

map=$(cat <<'EOF'
R/cin-codes.R R/reference-codes.R
R/context-data.R R/reference-data.R
R/imd-data.R R/reference-imd-data.R
R/context-marks.R R/reference-marks.R
R/context-reference.R R/reference.R
R/audit.R R/read-audit.R
R/cin-columns.R R/read-columns.R
R/cin-dates.R R/read-dates.R
R/cin-derive.R R/read-derive.R
R/cin-hash.R R/read-hash.R
R/cin-lsoa.R R/read-lsoa.R
R/cin-read.R R/read.R
R/cin-read-assemble.R R/read-assemble.R
R/cin-read-codes.R R/read-codes.R
R/cin-read-files.R R/read-files.R
R/cin-read-parse.R R/read-parse.R
R/cin-read-sniff.R R/read-sniff.R
R/cin-read-stages.R R/read-stages.R
R/cin-sector.R R/read-sector.R
R/cin-sector-layouts.R R/read-sector-layouts.R
R/cin-xml.R R/read-xml.R
R/cin-xml-build.R R/read-census-build.R
R/cin-xml-write.R R/read-simulate-xml.R
R/cin-simulate.R R/read-simulate.R
R/cin-simulate-plans.R R/read-simulate-plans.R
R/cin-simulate-national.R R/read-simulate-national.R
R/cin-episodes.R R/episodes.R
R/lca-coding.R R/patterns-coding.R
R/lca-patterns.R R/patterns.R
R/lca-db.R R/patterns-db.R
R/invariance.R R/validate-invariance.R
R/glmm.R R/deprivation-glmm.R
R/glmm-formula.R R/deprivation-glmm-formula.R
R/glmm-methods.R R/deprivation-glmm-methods.R
R/imd.R R/deprivation.R
R/imd-gradient.R R/deprivation-gradient.R
R/cin-national.R R/context-national.R
R/profile-report.R R/report-data.R
tests/testthat/test-audit.R tests/testthat/test-read-audit.R
tests/testthat/test-cin-codes.R tests/testthat/test-reference-codes.R
tests/testthat/test-cin-dates.R tests/testthat/test-read-dates.R
tests/testthat/test-cin-derive.R tests/testthat/test-read-derive.R
tests/testthat/test-cin-episode-flags.R tests/testthat/test-episodes-flags.R
tests/testthat/test-cin-episodes.R tests/testthat/test-episodes.R
tests/testthat/test-cin-fuzz.R tests/testthat/test-read-fuzz.R
tests/testthat/test-cin-national.R tests/testthat/test-context-national.R
tests/testthat/test-cin-read-engine.R tests/testthat/test-read-files.R
tests/testthat/test-cin-read-formats.R tests/testthat/test-read-sniff.R
tests/testthat/test-cin-read-hostile.R tests/testthat/test-read-hostile.R
tests/testthat/test-cin-read-robust.R tests/testthat/test-read-robust.R
tests/testthat/test-cin-read-stages.R tests/testthat/test-read-stages.R
tests/testthat/test-cin-read.R tests/testthat/test-read.R
tests/testthat/test-cin-sector.R tests/testthat/test-read-sector.R
tests/testthat/test-cin-simulate-national.R tests/testthat/test-read-simulate-national.R
tests/testthat/test-cin-simulate-plans.R tests/testthat/test-read-simulate-plans.R
tests/testthat/test-cin-simulate.R tests/testthat/test-read-simulate.R
tests/testthat/test-cin-xml.R tests/testthat/test-read-xml.R
tests/testthat/test-context-data.R tests/testthat/test-reference-data.R
tests/testthat/test-disclosure-classes.R tests/testthat/test-profile-disclosure.R
tests/testthat/test-glmm.R tests/testthat/test-deprivation-glmm.R
tests/testthat/test-imd-gradient.R tests/testthat/test-deprivation-gradient.R
tests/testthat/test-imd.R tests/testthat/test-deprivation.R
tests/testthat/test-invariance-groups.R tests/testthat/test-lca-groups.R
tests/testthat/test-invariance.R tests/testthat/test-validate-invariance.R
tests/testthat/test-item-prob-bands.R tests/testthat/test-profile-plots-bands.R
tests/testthat/test-lca-db.R tests/testthat/test-patterns-db.R
tests/testthat/test-lca-input.R tests/testthat/test-patterns-coding.R
tests/testthat/test-linked-disclosure.R tests/testthat/test-profile-linked-disclosure.R
tests/testthat/test-linked-rounding.R tests/testthat/test-profile-linked-rounding.R
tests/testthat/test-linked-small.R tests/testthat/test-profile-linked-small.R
tests/testthat/test-linked-outcomes.R tests/testthat/test-profile-linked-outcomes.R
tests/testthat/test-profile-report.R tests/testthat/test-report-data.R
tests/testthat/test-report-layout.R tests/testthat/test-report-docx.R
tests/testthat/_snaps/cin-codes.md tests/testthat/_snaps/reference-codes.md
tests/testthat/_snaps/cin-episodes.md tests/testthat/_snaps/episodes.md
tests/testthat/_snaps/cin-read.md tests/testthat/_snaps/read.md
tests/testthat/_snaps/glmm.md tests/testthat/_snaps/deprivation-glmm.md
tests/testthat/_snaps/imd.md tests/testthat/_snaps/deprivation.md
tests/testthat/_snaps/lca-input.md tests/testthat/_snaps/patterns-coding.md
EOF
)

fail=0
say() { echo "one-house-rename: $*" >&2; fail=1; }

# 1. the table against the tree
problems=$(mktemp)
echo "$map" | while read -r old new; do
  [ -e "$old" ] || echo "missing $old"
  [ -e "$new" ] && echo "exists $new"
  git ls-files --error-unmatch "$old" >/dev/null 2>&1 || echo "untracked $old"
done > "$problems" || true
while read -r line; do say "$line"; done < "$problems"
rm -f "$problems"

# 2. the tree after the renames
after() {  # tracked paths under $1, with the table applied
  git ls-files "$1" | while read -r p; do
    n=$(echo "$map" | awk -v p="$p" '$1 == p { print $2 }')
    echo "${n:-$p}"
  done
}
in_list() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }

for p in $(after 'R/*.R'); do
  f=${p#R/}
  in_list "$f" "$cross" && continue
  stem=${f%.R}; prefix=${stem%%-*}
  in_list "$prefix" "$layers" || say "R/$f would have no layer prefix (add it to the table, plan §1.1)"
done
for p in $(after 'tests/testthat/test-*.R'); do
  f=${p#tests/testthat/}; stem=${f#test-}; stem=${stem%.R}; prefix=${stem%%-*}
  in_list "$prefix" "$layers $test_extra" || say "tests/testthat/$f would not start with a layer (plan §1.2)"
done
tests_after=$(after 'tests/testthat/test-*.R' | tr '\n' ' ')
for p in $(after 'tests/testthat/_snaps/*.md'); do
  s=${p#tests/testthat/_snaps/}; s=${s%.md}
  in_list "tests/testthat/test-$s.R" "$tests_after" || say "snapshot $p would have no test-$s.R (plan §1.3)"
done
# snapshot folders (expect_snapshot_file) move with their tests too
for d in $(git ls-files 'tests/testthat/_snaps/*/*' | cut -d/ -f4 | sort -u); do
  in_list "tests/testthat/test-$d.R" "$tests_after" || say "snapshot folder _snaps/$d would have no test-$d.R"
done

if [ "$fail" -ne 0 ]; then
  echo "one-house-rename: nothing was moved" >&2
  exit 1
fi
n=$(echo "$map" | wc -l | tr -d ' ')
echo "one-house-rename: the table ($n renames) fits the tree; every R file, test file and snapshot is named for its layer"
[ "$mode" = check ] && exit 0

# 3. rename
echo "$map" | while read -r old new; do git mv "$old" "$new"; done

# 4. only renames are staged
if git diff --cached -M100% --name-status | grep -v '^R100' >/dev/null; then
  git diff --cached -M100% --name-status | grep -v '^R100' >&2
  echo "one-house-rename: something other than a 100% rename is staged" >&2
  exit 1
fi
[ "$mode" = nocommit ] && { echo "one-house-rename: renamed, not committed"; exit 0; }

nr=$(echo "$map" | grep -c '^R/')
nt=$(echo "$map" | grep -c '^tests/testthat/test-')
ns=$(echo "$map" | grep -c '^tests/testthat/_snaps/')
git commit -q -m "One house (issue 26) step 1: rename only, so history follows the files

$nr R files, $nt test files and $ns snapshot files renamed so that each file's
prefix names its layer, in the order data flows (reference < read < episodes
< patterns < lca < validate < profile < deprivation < context < report, with
conditions, suppress, suppress-audit, random and utils below every layer).
No content changed (git show -M --stat: 100% renames). The text that names
the old paths (man headers, comments, ARCHITECTURE.md, data-raw, bench) is
the next commit (dev/one-house-paths.sh). Table: dev/one-house-plan.md §1." 
git show -M --stat --format='%h %s' HEAD | tail -n 1
