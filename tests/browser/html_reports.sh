#!/usr/bin/env bash
# A real browser opens the HTML reports: Debian's Chromium, headless, loads each report from a
# file (offline: the test machine has no network), runs its scripts and dumps the resulting DOM.
# Every chart must have been drawn (body[data-charts-drawn] = the number of charts in the report's
# JSON) and painted pixels on its canvas. A screenshot of each report is left in the screenshot
# folder for people to look at.
#
# Usage: html_reports.sh FLEETSIZER SCREENSHOT_DIR   (run from the repository root)
set -euo pipefail
fleetsizer=$1
shots=$2
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "html_reports: chromium is not installed (scripts/bootstrap installs it)" >&2
  exit 1
fi
mkdir -p "$shots"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One fresh profile per run: parallel test runs never share a profile lock.
chrome=("$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run
        --user-data-dir="$work/profile")
failures=0
check() {
  local name=$1; shift
  local html="$work/$name.html"
  "$fleetsizer" "$@" --format html -o "$html"
  local charts
  charts=$("$fleetsizer" "$@" --format json | python3 -c \
    'import json, sys; print(len(json.load(sys.stdin).get("charts", {})))')
  local dom
  dom=$(timeout 60 "${chrome[@]}" --dump-dom "file://$html" 2>/dev/null)
  local drawn
  drawn=$(grep -o 'data-charts-drawn="[0-9]*"' <<<"$dom" | grep -o '[0-9]*' || echo none)
  local blank
  blank=$(grep -o 'data-painted-pixels="[0-9]*"' <<<"$dom" | grep -c '"0"' || true)
  local painted
  painted=$(grep -c 'data-painted-pixels="[1-9]' <<<"$dom" || true)
  local headline
  headline=$("$fleetsizer" "$@" --format json | python3 -c \
    'import html, json, sys; print(html.escape(json.load(sys.stdin)["headline"], quote=False))')
  if [ "$drawn" != "$charts" ] || [ "$blank" != 0 ] || [ "$painted" != "$charts" ] ||
     ! grep -qF "$headline" <<<"$dom"; then
    echo "FAIL $name: $charts charts in the JSON, drawn: $drawn, painted: $painted, blank: $blank" >&2
    failures=$((failures + 1))
  else
    echo "ok   $name: $charts charts drawn and painted, headline shown"
  fi
  timeout 60 "${chrome[@]}" --window-size=1200,1500 --screenshot="$shots/$name.png" \
    "file://$html" >/dev/null 2>&1 || true
}
check size size --sim-requests 2000 --no-fleet-sim
check simulate simulate --requests 2000 --rate 2 --replicas 1
check validate validate --measurements data/measurements/splitwise-llama2-70b.csv
check stack stack --scenario examples/seed-stack.yaml --orders
check search search --model llama-3.1-8b --gpus h100-sxm,l40s --target-qps 20 --sim-requests 1000 \
  --verify-top 2 --no-fleet-sim --max-num-seqs-caps 128 --weights-dtypes bf16 --kv-dtypes bf16
check disagg disagg --model llama-3.1-8b --gpus h100-sxm,l40s --target-qps 20 --sweep-isl 256:8192 \
  --sweep-points 6
echo "screenshots: $shots"
[ "$failures" -eq 0 ]
