#!/usr/bin/env bash
# Opens a knitted report in headless Chromium, saves a screenshot, and fails
# if the page does not load. Usage:
#   bash tools/screenshot-report.sh report.html out.png [pages-folder]
# With a pages folder, the whole report is also printed to PDF by Chromium and
# every page saved as a PNG (page-01.png, ...) to read it page by page.
# A Word report (.docx) is converted with LibreOffice instead, page by page.
# PAGES_DPI sets the resolution of the pages (default 60).
set -euo pipefail
html=$(realpath "$1")
png=${2:-report.png}
pages=${3:-}
if [[ "$html" == *.docx ]]; then
  out=${pages:-$(dirname "$png")}
  mkdir -p "$out"
  # a profile of its own, so a LibreOffice already running does not take the job
  # (a second try: a new profile's first start sometimes fails), without the
  # library path R sets for its children, which LibreOffice cannot start with
  pdf="$out/$(basename "${html%.docx}").pdf"
  for try in 1 2; do
    lo_profile=$(mktemp -d)
    env -u LD_LIBRARY_PATH libreoffice -env:UserInstallation="file://$lo_profile" --headless --convert-to pdf \
      --outdir "$out" "$html" >/dev/null 2>&1 || true
    rm -rf "$lo_profile"
    [ -s "$pdf" ] && break
  done
  [ -s "$pdf" ] || { echo "LibreOffice could not convert $html"; exit 1; }
  pdftoppm -png -r "${PAGES_DPI:-60}" "$pdf" "$out/page"
  cp "$(ls "$out"/page-*.png | head -1)" "$png"
  echo "Pages saved to $out"
  exit 0
fi
[ -f "$html" ] || { echo "no such report: $html"; exit 1; }
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
profile=$(mktemp -d)
log=$(mktemp)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1280,1600 \
  --virtual-time-budget=5000 --screenshot="$png" "file://$html" >"$log" 2>&1 || {
    cat "$log"; echo "Chromium failed to load $html"; exit 1; }
# The DOM must hold the report's first section: a load error page would not.
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --dump-dom "file://$html" 2>/dev/null | grep -q "Data and audit" || {
    echo "The report did not load in Chromium"; exit 1; }
[ -s "$png" ] || { echo "no screenshot written"; exit 1; }
if [ -n "$pages" ]; then
  mkdir -p "$pages"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --virtual-time-budget=5000 --no-pdf-header-footer \
    --print-to-pdf="$pages/report.pdf" "file://$html" >/dev/null 2>&1 || {
      echo "Chromium could not print $html"; exit 1; }
  pdftoppm -png -r "${PAGES_DPI:-60}" "$pages/report.pdf" "$pages/page"
  echo "Pages saved to $pages"
fi
rm -rf "$profile" "$log"
echo "Screenshot saved to $png"
