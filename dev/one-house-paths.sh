#!/bin/sh
# Issue 26, step 2 of dev/one-house-plan.md (§6): after dev/one-house-rename.sh
# has committed the renames, rewrite the text that names an old path: the
# `% Please edit documentation in R/...` lines of man/*.Rd, comments in R/
# and tests, ARCHITECTURE.md (paths, and the globs of its two diagrams),
# data-raw (the one `source()` of R/reference-marks.R), bench pointers, and a
# NEWS.md bullet with the table. NEWS.md's older entries keep the old names
# (they are history). Then it lists any old name still left and commits.
#
#   sh dev/one-house-paths.sh             # rewrite, check, commit
#   sh dev/one-house-paths.sh --no-commit
#
# The table is read back from the rename commit itself (git show -M HEAD), so
# it is the one that was applied, and a file added to it later is covered.
set -eu
cd "$(git rev-parse --show-toplevel)"
mode=${1:-commit}

pairs=$(git show -M100% --name-status --format= HEAD | awk '$1 == "R100" { print $2, $3 }')
if [ -z "$pairs" ] || ! git log -1 --format=%s HEAD | grep -q 'step 1: rename only'; then
  echo "one-house-paths: HEAD is not the rename commit of dev/one-house-rename.sh" >&2
  exit 1
fi
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "one-house-paths: the checkout has uncommitted changes" >&2
  exit 1
fi
# old and new basenames of the R files and the test files (snapshots are named by nothing)
names=$(echo "$pairs" | awk '$1 ~ /^R\/|^tests\/testthat\/test-/ { n = split($1, a, "/"); m = split($2, b, "/"); print a[n], b[m] }')

# 1. The globs in ARCHITECTURE.md's two diagrams (before the path pass below).
perl -0pi -e '
  s{R/profile\*\.R, R/imd\*\.R, R/glmm\*\.R, R/context\*\.R, R/cin-national\.R}{R/profile*.R, R/deprivation*.R, R/context*.R};
  s{R/lca\*\.R, R/validate\.R, R/invariance\.R}{R/patterns*.R, R/lca*.R, R/validate*.R};
  s{R/cin-\*\.R, R/suppress\.R}{R/reference*.R, R/read*.R, R/episodes.R, R/suppress*.R};
  s{R/cin-read\*\.R, R/cin-xml\*\.R}{R/read*.R};
  s{R/imd\*\.R, R/glmm\*\.R}{R/deprivation*.R};
  s{`R/cin-xml\*\.R` \(XML return\)}{`R/read-xml.R` (XML return)};
' ARCHITECTURE.md

# 2. Every old name, as a path (R/x.R, tests/testthat/test-x.R) or a bare file
# name, in one pass (so no new name is rewritten again). A bare name counts
# only after a space, a bracket, a quote or a backtick: "data-raw/imd.R" and
# "bench-glmm.R" are other files. In data-raw/README.md, whose bare names are
# data-raw scripts, only the R/ paths are rewritten.
export ONE_HOUSE_NAMES="$names"
rewrite() {  # $1: bare = also bare names; then files
  bare=$1; shift
  ONE_HOUSE_BARE=$bare perl -pi -e '
    BEGIN {
      for (split /\n/, $ENV{ONE_HOUSE_NAMES}) { my ($o, $n) = split / /; $h{$o} = $n; }
      $alt = join "|", map { quotemeta } sort { length($b) <=> length($a) } keys %h;
      $bare = $ENV{ONE_HOUSE_BARE};
    }
    s{(?<![A-Za-z0-9_.\-])((?:R|tests/testthat)/)($alt)(?![A-Za-z0-9_])}{$1$h{$2}}g;
    if ($bare) { s{(?<![A-Za-z0-9_./\-])($alt)(?![A-Za-z0-9_])}{$h{$1}}g; }
  ' "$@"
}
files_bare=$(git ls-files 'R/*.R' 'tests/testthat/*.R' 'tests/testthat/fixtures/*.R' \
  'man/*.Rd' ARCHITECTURE.md 'data-raw/*.R' 'bench/*.R' bench/RESULTS.md 'tools/*' \
  'vignettes/*.Rmd' 'inst/*.Rmd' 'inst/*.R' 'inst/*.md' README.Rmd README.md 2>/dev/null | sort -u)
rewrite 1 $files_bare
rewrite 0 data-raw/README.md
# roxygen2 wraps a man header longer than 79 characters ("%   " after the
# first line); do the same, so that `make document` finds nothing to change.
perl -pi -e '
  if (/^% Please edit documentation in / && length($_) > 80) {
    chomp; my @w = split / /; my $line = shift @w; my @out;
    for my $x (@w) {
      if (length("$line $x") < 80) { $line .= " $x" } else { push @out, $line; $line = "%   $x" }
    }
    $_ = join("\n", @out, $line) . "\n";
  }
' $(git ls-files 'man/*.Rd')

# 3. NEWS.md: a section with the table, above the newest section.
news=$(echo "$pairs" | awk '$1 ~ /^R\// { sub(/^R\//, "", $1); sub(/^R\//, "", $2); printf "%s`%s` -> `%s`", (n++ ? ", " : ""), $1, $2 }')
ONE_HOUSE_NEWS="$news" perl -0pi -e '
  use Text::Wrap qw(wrap $columns $huge); $columns = 79; $huge = "overflow";
  my $b = "## Files named for their layer (issue 26)\n\n"
        . wrap("* ", "  ", "Files renamed so that each file\x27s prefix names its layer, in the"
               . " order data flows (`ARCHITECTURE.md`): $ENV{ONE_HOUSE_NEWS}. Test files"
               . " follow the files they test. No function changed.") . "\n\n";
  s{\A(# [^\n]*\n\n)}{$1$b};
' NEWS.md

# 4. What still names an old file (outside NEWS.md and dev/): should be nothing.
olds=$(echo "$names" | awk '{ print $1 }')
left=0
for o in $olds; do
  hits=$(git grep -n -P "(?<![A-Za-z0-9_./\\-])(R/|tests/testthat/)?\Q$o\E(?![A-Za-z0-9_])" -- . ':!NEWS.md' ':!dev' ':!data-raw/README.md' || true)
  if [ -n "$hits" ]; then echo "$hits"; left=1; fi
done
globs=$(git grep -n -E 'R/(cin-|imd|glmm|invariance|lca-(coding|patterns|db))[A-Za-z-]*[*]' -- . ':!NEWS.md' ':!dev' || true)
if [ -n "$globs" ]; then echo "$globs"; left=1; fi
[ "$left" -eq 0 ] || echo "one-house-paths: the lines above still name an old file: read each one (a data-raw script of the same name is fine)" >&2
git diff --stat | tail -n 1
[ "$mode" = --no-commit ] && exit 0
git commit -q -a -m "One house (issue 26) step 2: the text that names a renamed file follows it

After the rename-only commit: the 'Please edit documentation in' lines of
man/*.Rd, comments in R/ and tests that point at a file, ARCHITECTURE.md's
paths and the globs of its diagrams, data-raw/context.R's source() of
R/reference-marks.R (the data build needs it), data-raw/README.md, bench
pointers to test files, and a NEWS bullet with the table. Older NEWS
entries keep the old names. Made by dev/one-house-paths.sh."
git show --stat --format='%h %s' HEAD | tail -n 1
