#!/usr/bin/env bash
# Opens a knitted report in headless Chromium, saves a screenshot, and fails
# if the page does not load. Usage: bash tools/screenshot-report.sh report.html out.png
set -euo pipefail
html=$(realpath "$1")
png=${2:-report.png}
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
rm -rf "$profile" "$log"
echo "Screenshot saved to $png"
