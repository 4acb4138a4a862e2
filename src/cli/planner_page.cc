// The planner's one page: a scenario form whose every change asks the JSON API again (the core
// answers in milliseconds to seconds), and the answer drawn as the HTML report draws it: the
// headline, the charts (the report's own chart script on Debian's Chart.js, both inlined, so the
// page needs nothing from the network), the fields, the notes and the formulas.
#include <string>

#include "cli/planner.h"
#include "fleetsizer/report/report.h"

namespace fleetsizer::cli {

extern const std::string_view kEmbeddedChartJs;  // generated at build time (CMakeLists.txt)

namespace {

constexpr const char* kPageStyle = R"css(
form.plan { display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr));
  gap: .6rem 1rem; padding: .8rem; border: 1px solid #dde3ec; border-radius: 6px; }
form.plan label { display: flex; flex-direction: column; font-size: .85rem; color: #374151; }
form.plan input, form.plan select { font: inherit; padding: .25rem; margin-top: .15rem; }
#status { color: #5b6577; margin: .4rem 0; min-height: 1.2rem; }
#status.error { color: #c92a2a; font-weight: 600; }
)css";

constexpr const char* kPageBody = R"html(
<h1>fleetsizer planner</h1>
<form class="plan" id="plan" onsubmit="return false">
  <label>Command<select id="command" name="command">
    <option value="size" selected>size: the fleet for a target rate</option>
    <option value="simulate">simulate: replicas under traffic</option></select></label>
  <label>Model<select id="model" name="model"></select></label>
  <label>GPU<select id="gpu" name="gpu"></select></label>
  <label>Weights dtype<select id="weights_dtype" name="weights_dtype">
    <option value="">default</option><option>bf16</option><option>fp8</option>
    <option>int8</option><option>int4</option><option>fp4</option></select></label>
  <label>KV cache dtype<select id="kv_dtype" name="kv_dtype">
    <option value="">default</option><option>bf16</option><option>fp8</option></select></label>
  <label>TP (blank: smallest that fits)<input id="tp" name="tp" type="number" min="1" step="1"></label>
  <label>Target rate (req/s)<input id="target_qps" name="target_qps" type="number" min="0" step="any" value="100"></label>
  <label>Prompt tokens (isl)<input id="isl" name="isl" type="number" min="1" step="1" value="1024"></label>
  <label>Output tokens (osl)<input id="osl" name="osl" type="number" min="1" step="1" value="256"></label>
  <label>TTFT p99 target (ms)<input id="ttft_p99" name="ttft_p99" type="number" min="0" step="any" value="2000"></label>
  <label>TPOT p99 target (ms)<input id="tpot_p99" name="tpot_p99" type="number" min="0" step="any" value="50"></label>
  <label>Replicas (simulate)<input id="replicas" name="replicas" type="number" min="1" step="1" value="1"></label>
  <label>Requests per run<input id="requests" name="requests" type="number" min="100" step="1" value="2000"></label>
  <label>Trace upload (simulate; Azure CSV or Mooncake JSONL)<input id="trace" name="trace" type="file" accept=".csv,.jsonl"></label>
</form>
<p id="status">Loading the catalog...</p>
<p class="headline" id="headline"></p>
<section class="charts" id="charts"></section>
<table class="fields"><thead><tr><th>quantity</th><th>value</th></tr></thead><tbody id="fields"></tbody></table>
<ul class="notes" id="notes"></ul>
<details><summary><h2 style="display:inline">How each number is computed</h2></summary>
<table class="explain"><tbody id="explain"></tbody></table></details>
)html";

constexpr const char* kPageScript = R"js(
(function () {
  const $ = (id) => document.getElementById(id);
  const setState = (state, text) => {
    document.body.dataset.state = state;
    $('status').textContent = text;
    $('status').className = state === 'error' ? 'error' : '';
  };
  const text = (tag, value, cls) => {
    const el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  };
  // The answer's scalar fields as dotted keys, as the CLI's table and CSV name them.
  const flatten = (obj, prefix, out) => {
    for (const [k, v] of Object.entries(obj)) {
      if (!prefix && ['headline', 'charts', 'explain', 'notes'].includes(k)) continue;
      const key = prefix ? prefix + '.' + k : k;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
      else if (!Array.isArray(v)) out.push([key, v]);
    }
    return out;
  };
  const show = (report) => {
    $('headline').textContent = report.headline || '';
    for (const c of $('charts').querySelectorAll('canvas')) {
      const old = typeof Chart !== 'undefined' && Chart.getChart(c);
      if (old) old.destroy();
    }
    $('charts').replaceChildren();
    for (const [key, chart] of Object.entries(report.charts || {})) {
      const fig = document.createElement('figure');
      fig.appendChild(text('figcaption', chart.title));
      const box = document.createElement('div');
      box.style.height = '20rem';
      const canvas = document.createElement('canvas');
      canvas.dataset.chart = key;
      box.appendChild(canvas);
      fig.appendChild(box);
      $('charts').appendChild(fig);
    }
    document.body.dataset.chartsDrawn = String(fleetsizerDrawCharts(report, $('charts')));
    $('fields').replaceChildren(...flatten(report, '', []).map(([k, v]) => {
      const tr = document.createElement('tr');
      tr.appendChild(text('td', k));
      tr.appendChild(text('td', v === null ? 'n/a' : typeof v === 'number'
          ? String(Math.round(v * 1000) / 1000) : String(v), typeof v === 'number' ? 'num' : ''));
      return tr;
    }));
    $('notes').replaceChildren(...(report.notes || []).map(n => text('li', n)));
    $('explain').replaceChildren(...Object.entries(report.explain || {}).map(([k, v]) => {
      const tr = document.createElement('tr');
      tr.appendChild(text('td', k));
      tr.appendChild(text('td', v));
      return tr;
    }));
  };
  // The request body: scenario keys as in a scenario file, plus the command's options.
  const body = async () => {
    const command = $('command').value;
    const b = {model: $('model').value, gpu: $('gpu').value,
               target_qps: Number($('target_qps').value), isl: Number($('isl').value),
               osl: Number($('osl').value), slo: []};
    for (const key of ['weights_dtype', 'kv_dtype']) if ($(key).value) b[key] = $(key).value;
    if ($('tp').value) b.tp = Number($('tp').value);
    if ($('ttft_p99').value) b.slo.push('ttft:p99=' + $('ttft_p99').value);
    if ($('tpot_p99').value) b.slo.push('tpot:p99=' + $('tpot_p99').value);
    if (command === 'size') {
      b.options = {sim_requests: Number($('requests').value), fleet_sim: false};
    } else {
      b.replicas = Number($('replicas').value);
      b.requests = Number($('requests').value);
      const file = $('trace').files[0];
      if (file) b.trace_upload = {name: file.name, content: await file.text()};
    }
    return [command, b];
  };
  let sequence = 0, timer = null;
  const ask = async () => {
    const mine = ++sequence;
    setState('loading', 'Planning...');
    try {
      const [command, b] = await body();
      const res = await fetch('/api/' + command, {method: 'POST',
          headers: {'Content-Type': 'application/json'}, body: JSON.stringify(b)});
      const answer = await res.json();
      if (mine !== sequence) return;  // a newer question is on its way
      if (!res.ok) { setState('error', answer.error || ('HTTP ' + res.status)); return; }
      show(answer);
      setState('done', 'Answered ' + command + ' (the same JSON as fleetsizer ' + command +
               ' --format json).');
    } catch (e) {
      if (mine === sequence) setState('error', String(e));
    }
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(ask, 300); };
  $('plan').addEventListener('input', later);
  $('plan').addEventListener('change', later);
  const fill = async (what, select, chosen) => {
    const entries = await (await fetch('/api/catalog/' + what)).json();
    select.replaceChildren(...entries.map(e => {
      const o = text('option', e.name);
      o.value = e.name;
      o.selected = e.name === chosen;
      return o;
    }));
  };
  Promise.all([fill('models', $('model'), 'llama-3.1-70b'), fill('gpus', $('gpu'), 'h100-sxm')])
      .then(ask, (e) => setState('error', 'catalog: ' + e));
})();
)js";

}  // namespace

std::string planner_page() {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>fleetsizer planner</title>\n<style>";
  out.append(report::report_css());
  out += kPageStyle;
  out += "</style>\n</head>\n<body data-state=\"starting\">\n";
  out += kPageBody;
  out += "<script>";
  out.append(kEmbeddedChartJs);
  out += "</script>\n<script>";
  out.append(report::chart_driver_js());
  out += kPageScript;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace fleetsizer::cli
