#!/usr/bin/env node
// Benchmark: the inventory with 20,000 devices. Measures the API (median of a filtered,
// sorted page of 100; target < 50 ms) and the inventory page in headless Chromium (time
// until the first 100 rows are on screen, and a search round trip; target < 1 s).
// Not part of the normal test run:
//   node tests/browser/bench_inventory.mjs --otsensor build/release/core/otsensor
//        --pcapgen build/release/pcaps/otsensor-pcapgen [--devices 20000] [--db KEEP.db]
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { request } from 'playwright-core';
import { REPO, findOtsensor, launchBrowser, login, newContext, parseArgs, replay, startServer, tempDir } from './harness.mjs';

const args = parseArgs(process.argv.slice(2), {
  otsensor: process.env.OTS_OTSENSOR || findOtsensor(),
  pcapgen: '',
  uiDir: path.join(REPO, 'web', 'ui', 'dist'),
  devices: '20000',
  db: '',
  runs: '7',
  chromium: process.env.OTS_CHROMIUM || '/usr/bin/chromium',
});
if (!args.pcapgen && args.otsensor) args.pcapgen = path.join(path.dirname(path.dirname(args.otsensor)), 'pcaps', 'otsensor-pcapgen');
const target = Number(args.devices);
const runs = Number(args.runs);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const ms = (x) => `${x.toFixed(1)} ms`;

function countDevices(db) {
  const result = spawnSync(args.otsensor, ['devices', '--db', db, '--json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`otsensor devices failed: ${result.stderr}`);
  const parsed = JSON.parse(result.stdout);
  return Array.isArray(parsed) ? parsed.length : parsed.items.length;
}

// The generator's --devices counts addresses, not all of which become inventory devices,
// so the capture is grown until the DB holds at least the target.
function buildDb(db) {
  const work = tempDir('ots-bench-');
  let requested = Math.ceil(target * 2.2);
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const pcap = path.join(work, 'bench.pcap');
    const gen = spawnSync(
      args.pcapgen,
      ['bench', '--packets', String(requested * 3), '--devices', String(requested), '--flows', String(Math.ceil(requested * 1.5)), pcap],
      { encoding: 'utf8' },
    );
    if (gen.status !== 0) throw new Error(`otsensor-pcapgen failed: ${gen.stderr}`);
    fs.rmSync(db, { force: true });
    replay(args.otsensor, db, [pcap]);
    fs.rmSync(pcap);
    const count = countDevices(db);
    console.log(`# generated ${requested} addresses → ${count} devices`);
    if (!(count < target)) break;
    requested = Math.ceil((requested * target * 1.05) / count);
  }
  fs.rmSync(work, { recursive: true, force: true });
}

const work = tempDir('ots-bench-db-');
const db = args.db || path.join(work, 'bench.db');
const keepDb = Boolean(args.db);
if (!fs.existsSync(db)) buildDb(db);
const server = await startServer({ otsensor: args.otsensor, db, uiDir: args.uiDir });
const base = server.url;
let password = server.adminPassword;
if (!password) {
  // A reused DB: add a benchmark admin.
  password = `bench-${Date.now()}-password`;
  spawnSync(args.otsensor, ['user', 'add', `bench${process.pid}`, '--role', 'admin', '--db', db], { input: `${password}\n` });
}
const user = server.adminPassword ? 'admin' : `bench${process.pid}`;

// --- API -----------------------------------------------------------------------------------
const api = await request.newContext({ baseURL: base, ignoreHTTPSErrors: true });
const loginResponse = await api.post('/api/v1/auth/login', { data: { username: user, password } });
if (!loginResponse.ok()) throw new Error(`login failed: ${loginResponse.status()}`);
const total = (await (await api.get('/api/v1/devices?limit=1')).json()).total;
const overview = await (await api.get('/api/v1/overview')).json();
const protocol = overview.byProtocol[0] ? overview.byProtocol[0].name : '';
const queries = {
  'filtered by protocol, sorted by vendor desc': `/api/v1/devices?limit=100&protocol=${protocol}&sort=vendor&order=desc&offset=200`,
  'full-text search, sorted by last seen': '/api/v1/devices?limit=100&q=10.&sort=lastSeen&order=desc',
  'unfiltered, sorted by IP': '/api/v1/devices?limit=100&sort=ip',
};
// Measured as a browser asks (brotli accepted) and with gzip only: httplib compresses JSON
// with brotli on the fly when the client accepts it, which dominates the time.
const apiResults = {};
for (const [encodingName, encoding] of [['br', 'gzip, deflate, br'], ['gzip', 'gzip, deflate']]) {
  for (const [name, url] of Object.entries(queries)) {
    const headers = { 'Accept-Encoding': encoding };
    for (let i = 0; i < 3; i += 1) await api.get(url, { headers });
    const times = [];
    let matched = 0;
    for (let i = 0; i < 30; i += 1) {
      const start = performance.now();
      const res = await api.get(url, { headers });
      const body = await res.json();
      times.push(performance.now() - start);
      matched = body.total;
    }
    apiResults[`${name}; Accept-Encoding ${encodingName}`] = { median: median(times), p95: p95(times), matched, encodingName };
  }
}
const sampleIps = (await (await api.get(`/api/v1/devices?limit=${runs}&offset=1000&sort=ip`)).json()).items.map((d) => d.ipAddresses[0]);
await api.dispose();

// --- browser -------------------------------------------------------------------------------
const browser = await launchBrowser(args.chromium);
const context = await newContext(browser);
const page = await context.newPage();
await login(page, base, user, password);
const rowsReady = () => document.querySelectorAll('table.devices tbody tr').length === 100;
const loads = [];
const searches = [];
for (let i = 0; i < runs; i += 1) {
  const start = Date.now();
  await page.goto(`${base}/devices`);
  await page.waitForFunction(rowsReady, null, { polling: 'raf' });
  // Time from navigation start (in the page's own clock) to 100 rows in the DOM.
  loads.push(await page.evaluate(() => performance.now()));
  const wall = Date.now() - start;
  if (i === 0) console.log(`# first load (cold cache): ${wall} ms wall clock`);
  // A search for one device's IP: type, then wait for the debounced request and the new rows.
  const term = sampleIps[i % sampleIps.length];
  const t0 = Date.now();
  await page.getByLabel('Search').fill(term);
  await page.waitForFunction(
    (t) => {
      const rows = [...document.querySelectorAll('table.devices tbody tr')];
      return rows.length > 0 && rows.length < 100 && rows.some((r) => r.textContent.includes(t));
    },
    term,
    { polling: 'raf' },
  );
  searches.push(Date.now() - t0);
}
await browser.close();
await server.stop();
fs.rmSync(work, { recursive: true, force: true });

console.log(`devices in the DB: ${total}`);
for (const [name, r] of Object.entries(apiResults))
  console.log(`API page of 100 (${name}; ${r.matched} match): median ${ms(r.median)}, p95 ${ms(r.p95)}`);
console.log(`inventory page: 100 rows on screen after median ${ms(median(loads))} (min ${ms(Math.min(...loads))}, max ${ms(Math.max(...loads))}) over ${runs} loads`);
console.log(`search (250 ms debounce included): median ${median(searches)} ms`);
const apiOk = Object.values(apiResults).filter((r) => r.encodingName === 'br').every((r) => r.median < 50);
const pageOk = median(loads) < 1000;
const enough = total >= target;
console.log(`targets: API < 50 ms ${apiOk ? 'met' : 'MISSED'}; page < 1 s ${pageOk ? 'met' : 'MISSED'}; ≥ ${target} devices ${enough ? 'yes' : 'NO'}`);
process.exit(apiOk && pageOk && enough ? 0 : 1);
