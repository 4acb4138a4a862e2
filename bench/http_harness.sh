#!/usr/bin/env bash
# Load-generator honesty and scale on loopback: `fleetsizer bench` against `fleetsizer emulate`
# (release build, fixed-timing mode, so the true times are known). Prints the figures that
# docs/performance.md records. Usage: bench/http_harness.sh [build/release/fleetsizer]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/release/fleetsizer}
[ -x "$bin" ] || { cmake --preset release >/dev/null && cmake --build --preset release -j"$(nproc)" >/dev/null; }
tmp=$(mktemp -d)
emu_pid=""
cleanup() { [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
start_emulator() {
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null || true
  rm -f "$tmp/port"
  "$bin" emulate --port 0 --port-file "$tmp/port" --max-seconds 600 "$@" >/dev/null 2>&1 &
  emu_pid=$!
  for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
  url="http://127.0.0.1:$(cat "$tmp/port")"
}
field() { python3 -c "import json,sys; j=json.load(open('$1')); print(j$2)"; }

echo "== 1. send-rate fidelity: 5,000 Poisson requests at 500 req/s (TTFT 20 ms, TPOT 5 ms, 4 tokens)"
start_emulator --mode fixed --ttft-ms 20 --tpot-ms 5
"$bin" bench --base-url "$url" --num-prompts 5000 --request-rate 500 --isl 16 --osl 4 --format json > "$tmp/r1.json"
echo "scheduled $(field "$tmp/r1.json" "['scheduled_send_rate']") req/s, achieved $(field "$tmp/r1.json" "['achieved_send_rate']") req/s, max send lag $(field "$tmp/r1.json" "['max_send_lag_ms']") ms"
echo "TTFT median $(field "$tmp/r1.json" "['median_ttft_ms']") ms (true 20), TPOT median $(field "$tmp/r1.json" "['median_tpot_ms']") ms (true 5)"
echo "client timing error vs the emulator's own send time: median $(field "$tmp/r1.json" "['timing_error_ms']['median']") ms, p99 $(field "$tmp/r1.json" "['timing_error_ms']['p99']") ms"

echo "== 2. scale: 2,000 concurrent streams, 300 tokens each at TPOT 30 ms (66,667 tokens/s offered)"
start_emulator --mode fixed --ttft-ms 50 --tpot-ms 30
"$bin" bench --base-url "$url" --num-prompts 2000 --max-concurrency 2000 --isl 16 --osl 300 --timeout 120 --format json > "$tmp/r2.json"
echo "completed $(field "$tmp/r2.json" "['completed']"), failed $(field "$tmp/r2.json" "['failed']"), output $(field "$tmp/r2.json" "['output_throughput']") tok/s over $(field "$tmp/r2.json" "['duration']") s"
echo "TPOT median $(field "$tmp/r2.json" "['median_tpot_ms']") ms (true 30), p99 $(field "$tmp/r2.json" "['p99_tpot_ms']") ms; TTFT median $(field "$tmp/r2.json" "['median_ttft_ms']") ms (true 50)"
echo "client timing error median $(field "$tmp/r2.json" "['timing_error_ms']['median']") ms"
