// A real browser plans with `fleetsizer serve`: Debian's Chromium, headless, driven over the
// DevTools protocol directly (--remote-debugging-pipe: JSON messages on file descriptors 3 and 4,
// no npm package, no websocket). It opens the planner page, waits for the first answer, types a
// new target rate and picks another GPU the way a user does (keyboard input, a select change),
// waits for the new answer, and checks that the page shows the API's headline for exactly those
// settings and that every chart of the answer is drawn with pixels on its canvas. A screenshot is
// left in the screenshot folder.
//
// Usage: node serve_page.mjs FLEETSIZER SCREENSHOT_DIR
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [fleetsizer, shots] = process.argv.slice(2);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetsizer-serve-page-'));
const children = [];
// Ends the test: the children stopped (and waited for, so that Chromium no longer writes its
// profile), the scratch folder removed. Never returns.
const finish = async (code, message) => {
  if (message) console[code ? 'error' : 'log'](message);
  await Promise.all(children.map((c) => new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', resolve);
    c.kill('SIGKILL');
  })));
  try {
    fs.rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  } catch {
    // a leftover scratch folder in /tmp is not a test failure
  }
  process.exit(code);
  return new Promise(() => {});
};
setTimeout(() => finish(1, 'serve_page: timed out after 300 s'), 300000).unref();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The planner on a free loopback port.
const portFile = path.join(work, 'port');
const server = spawn(fleetsizer, ['serve', '--port', '0', '--port-file', portFile,
                                  '--max-seconds', '290'], { stdio: ['ignore', 'ignore', 'pipe'] });
children.push(server);
let port = 0;
for (let i = 0; i < 300 && !port; i++) {
  await sleep(100);
  if (fs.existsSync(portFile)) port = Number(fs.readFileSync(portFile, 'utf8').trim());
}
if (!port) await finish(1, 'serve_page: fleetsizer serve did not start');
const base = `http://127.0.0.1:${port}`;

const browser = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
if (!browser) await finish(1, 'serve_page: chromium is not installed (scripts/bootstrap installs it)');
const chrome = spawn(browser, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
                               '--no-first-run', `--user-data-dir=${work}/profile`,
                               '--remote-debugging-pipe', 'about:blank'],
                     { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
children.push(chrome);

// The DevTools protocol over the pipe: NUL-terminated JSON messages.
const pending = new Map();
let nextId = 1;
let buffer = Buffer.alloc(0);
chrome.stdio[4].on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (let end = buffer.indexOf(0); end >= 0; end = buffer.indexOf(0)) {
    const message = JSON.parse(buffer.subarray(0, end).toString('utf8'));
    buffer = buffer.subarray(end + 1);
    const waiter = pending.get(message.id);
    if (!waiter) continue;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(JSON.stringify(message.error)));
    else waiter.resolve(message.result);
  }
});
const send = (method, params = {}, sessionId = undefined) => new Promise((resolve, reject) => {
  const id = nextId++;
  pending.set(id, { resolve, reject });
  chrome.stdio[3].write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
});

const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
const page = (method, params) => send(method, params, sessionId);
const evaluate = async (expression) => {
  const r = await page('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
  if (r.exceptionDetails) throw new Error(JSON.stringify(r.exceptionDetails));
  return r.result.value;
};
await page('Emulation.setDeviceMetricsOverride',
           { width: 1200, height: 1600, deviceScaleFactor: 1, mobile: false });
await page('Page.navigate', { url: base + '/' });

// Waits for the page to be answered (body[data-state] = done) after the given answer count.
const answered = async (what) => {
  for (let i = 0; i < 1200; i++) {
    const state = await evaluate('document.body && document.body.dataset.state').catch(() => null);
    if (state === 'error')
      await finish(1, `serve_page: ${what}: the page shows an error: ` +
                      await evaluate("document.getElementById('status').textContent"));
    if (state === 'done') return;
    await sleep(100);
  }
  await finish(1, `serve_page: ${what}: no answer within 120 s`);
};
await answered('first answer');

// A user's edits: select the rate field's text and type 40; pick the h200 in the GPU list.
await evaluate("document.body.dataset.state = 'edited'; " +
               "const r = document.getElementById('target_qps'); r.focus(); r.select(); true");
await page('Input.insertText', { text: '40' });
await evaluate("const g = document.getElementById('gpu'); g.value = 'h200'; " +
               "g.dispatchEvent(new Event('change', {bubbles: true})); true");
await sleep(400);  // past the form's debounce: the last edit's question is on its way
await answered('answer after the edits');
// The page may have answered an intermediate edit; wait until it shows the last one.
for (let i = 0; i < 600; i++) {
  const headline = await evaluate("document.getElementById('headline').textContent");
  if (headline.includes('h200') && await evaluate("document.body.dataset.state") === 'done') break;
  await sleep(100);
}

// The same settings straight to the API: the page must show that answer.
const body = { model: 'llama-3.1-70b', gpu: 'h200', target_qps: 40, isl: 1024, osl: 256,
               slo: ['ttft:p99=2000', 'tpot:p99=50'],
               options: { sim_requests: 2000, fleet_sim: false } };
const api = await (await fetch(base + '/api/size', { method: 'POST', body: JSON.stringify(body) })).json();
const shown = await evaluate("document.getElementById('headline').textContent");
const drawn = Number(await evaluate('document.body.dataset.chartsDrawn'));
const painted = await evaluate(
    "[...document.querySelectorAll('#charts canvas')].map(c => Number(c.dataset.paintedPixels || 0))");
const charts = Object.keys(api.charts || {}).length;
const shot = await page('Page.captureScreenshot', { format: 'png' });
fs.mkdirSync(shots, { recursive: true });
fs.writeFileSync(path.join(shots, 'serve.png'), Buffer.from(shot.data, 'base64'));

const problems = [];
if (shown !== api.headline) problems.push(`headline shown "${shown}", the API says "${api.headline}"`);
if (!shown.includes('h200')) problems.push('the answer is not for the GPU picked in the form');
if (charts === 0) problems.push('the answer has no charts');
if (drawn !== charts) problems.push(`${drawn} charts drawn of ${charts}`);
if (painted.length !== charts || painted.some((p) => !(p > 0)))
  problems.push(`painted pixels per canvas: ${JSON.stringify(painted)}`);
if (problems.length) await finish(1, 'FAIL serve page: ' + problems.join('; '));
await finish(0, `ok   serve page: form edited, "${shown}", ${charts} charts drawn and painted; ` +
          `screenshot ${path.join(shots, 'serve.png')}`);
