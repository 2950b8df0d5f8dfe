// Drives `soma dashboard` in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core): the explorer's axis dropdown and class checkboxes change the plot
// as the CSV says they should, the loss curve grows while a training run streams, the
// power tab plots the readings of a stand-in NVML library (and says so when there is no
// sensor), the spike raster shows a COBA run's spike file and the embedding tab its
// x,y,label file with class toggles. Screenshots go to $SOMA_TEST_ARTIFACTS (default:
// ./test-artifacts).
//
//   SOMA_BIN=build/bin/soma SOMA_FAKE_NVML_LIBRARY=build/lib/libsoma_fake_nvml.so \
//     node --test tests/browser/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = path.resolve(here, '../..');
const require = createRequire(path.join(source, 'web/package.json'));
const { chromium } = require('playwright-core');

const somaBin = process.env.SOMA_BIN || path.join(source, 'build/bin/soma');
const iris = path.resolve(source, '../shared/data/iris/iris_seaborn.csv');
const artifacts = process.env.SOMA_TEST_ARTIFACTS || path.resolve('test-artifacts');
fs.mkdirSync(artifacts, { recursive: true });

// The CSV read independently of soma: the reference the plot is checked against.
function readIris() {
  const [header, ...lines] = fs.readFileSync(iris, 'utf8').trim().split(/\r?\n/);
  const names = header.split(',');
  const rows = lines.map((l) => l.split(','));
  const col = (n) => rows.map((r) => r[names.indexOf(n)]);
  return { col, num: (n) => col(n).map(Number) };
}

// Starts `soma dashboard --port 0 --print-url ...` and resolves with its URL (first stdout line).
function startDashboard(args, env = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(somaBin, ['dashboard', iris, '--port', '0', '--print-url', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '', err = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/^(http:\/\/127\.0\.0\.1:\d+\/)\n/);
      if (m) resolve({ proc, url: m[1] });
    });
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('exit', (code) => reject(new Error(`soma dashboard exited ${code}: ${err}`)));
  });
}

function stop(server) {
  if (server && server.proc.exitCode === null) server.proc.kill('SIGTERM');
}

let browser, userDir, scratch;
before(async () => {
  userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'soma-chromium-'));
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'soma-browser-'));
  // A fresh profile each run (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  if (browser) await browser.close();
  fs.rmSync(userDir, { recursive: true, force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
});

// What Plotly drew: axis titles from the SVG, points per visible trace, trace data.
async function drawn(page) {
  return page.evaluate(() => {
    const gd = document.getElementById('scatter');
    const traces = [...document.querySelectorAll('#scatter .scatterlayer .trace')];
    return {
      xtitle: document.querySelector('#scatter .xtitle')?.textContent,
      ytitle: document.querySelector('#scatter .ytitle')?.textContent,
      points: traces.map((t) => t.querySelectorAll('path.point').length),
      names: gd.data.map((t) => t.name),
      x: gd.data.map((t) => t.x),
      legend: [...document.querySelectorAll('#scatter .legendtext')].map((e) => e.textContent),
    };
  });
}

test('explorer: another x feature changes the axis title and the points', async () => {
  const server = await startDashboard([]);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector('#scatter .scatterlayer path.point');
    const data = readIris();
    const species = data.col('species');
    const before = await drawn(page);
    assert.equal(before.xtitle, 'sepal_length');
    assert.equal(before.ytitle, 'sepal_width');
    assert.deepEqual(before.names, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual(before.points, [50, 50, 50]);
    await page.screenshot({ path: path.join(artifacts, 'explorer-initial.png') });

    await page.selectOption('#x-select', 'petal_length');
    await page.waitForFunction(() =>
      document.querySelector('#scatter .xtitle')?.textContent === 'petal_length');
    const after = await drawn(page);
    assert.equal(after.ytitle, 'sepal_width');
    const expected = data.num('petal_length').filter((_, i) => species[i] === 'virginica');
    assert.deepEqual(after.x[2], expected);
    assert.notDeepEqual(after.x[2], before.x[2]);
    // The points moved on screen too: their transforms differ.
    const moved = await page.evaluate(() =>
      [...document.querySelectorAll('#scatter .scatterlayer .trace')][0]
        .querySelector('path.point').getAttribute('transform'));
    assert.ok(moved);
    await page.screenshot({ path: path.join(artifacts, 'explorer-x-petal_length.png') });
    await page.close();
  } finally {
    stop(server);
  }
});

test('explorer: unticking a class removes its points', async () => {
  const server = await startDashboard([]);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector('#scatter .scatterlayer path.point');
    assert.equal(await page.locator('#scatter path.point').count(), 150);
    await page.uncheck('input[data-class="setosa"]');
    await page.waitForFunction(() => document.querySelectorAll('#scatter path.point').length === 100);
    const d = await drawn(page);
    assert.deepEqual(d.names, ['versicolor', 'virginica']);
    assert.deepEqual(d.legend, ['versicolor', 'virginica']);
    await page.screenshot({ path: path.join(artifacts, 'explorer-setosa-hidden.png') });
    await page.check('input[data-class="setosa"]');
    await page.waitForFunction(() => document.querySelectorAll('#scatter path.point').length === 150);
    await page.close();
  } finally {
    stop(server);
  }
});

test('training: the loss curve grows while the run streams', async () => {
  // Long enough (~30 s) that a slow, shared machine still loads the page mid-run.
  const epochs = 60;
  const server = await startDashboard(['--train', String(epochs), '--batch-delay-ms', '60']);
  try {
    const page = await browser.newPage();
    await page.goto(server.url + '#training');
    const count = () => page.evaluate(() => {
      const gd = document.getElementById('loss');
      return { batches: gd.data[0].x.length, epochs: gd.data[1].x.length,
        status: document.getElementById('training-status').textContent };
    });
    await page.waitForFunction(() => document.getElementById('loss').data[0].x.length > 0);
    const first = await count();
    await page.waitForTimeout(1500);
    const second = await count();
    assert.ok(!first.status.startsWith('finished'), first.status);
    assert.ok(second.batches > first.batches, `${first.batches} -> ${second.batches}`);
    await page.locator('#training').screenshot({ path: path.join(artifacts, 'training-running.png') });
    await page.waitForFunction(
      () => document.getElementById('training-status').textContent.startsWith('finished'),
      null, { timeout: 120000 });
    const done = await count();
    // 120 training rows in batches of 16: 8 per epoch.
    assert.equal(done.epochs, epochs);
    assert.equal(done.batches, epochs * 8);
    // Every epoch's point drawn, not only held: the SVG has a marker per epoch.
    await page.waitForFunction((n) => document.querySelectorAll('#loss .scatterlayer .trace')[1]
      ?.querySelectorAll('path.point').length === n, epochs);
    const losses = await page.evaluate(() => document.getElementById('loss').data[1].y);
    assert.ok(losses[losses.length - 1] < losses[0], `train loss ${losses[0]} -> ${losses.at(-1)}`);
    // One steps axis (tutorial 003's): step k at k, epoch e's losses and metrics at its
    // last step, 8 e - 1; the epochs axis puts a step at e - 1 + b / 8 and epoch e at e.
    const xs = () => page.evaluate(() => ({
      title: document.getElementById('loss').layout.xaxis.title.text,
      step: document.getElementById('loss').data[0].x,
      epoch: document.getElementById('loss').data[2].x,
      metric: document.getElementById('metrics').data[0].x,
    }));
    const steps = await xs();
    assert.equal(steps.title, 'steps');
    assert.deepEqual(steps.step, Array.from({ length: epochs * 8 }, (_, k) => k));
    const ends = Array.from({ length: epochs }, (_, e) => 8 * (e + 1) - 1);
    assert.deepEqual(steps.epoch, ends);
    assert.deepEqual(steps.metric, ends);
    await page.locator('#training').screenshot({ path: path.join(artifacts, 'training-finished.png') });
    await page.selectOption('#training-axis', 'epochs');
    const byEpoch = await xs();
    assert.equal(byEpoch.title, 'epoch');
    assert.equal(byEpoch.step[0], 1 / 8);
    assert.equal(byEpoch.step.at(-1), epochs);
    assert.deepEqual(byEpoch.epoch, Array.from({ length: epochs }, (_, e) => e + 1));
    assert.deepEqual(byEpoch.metric, byEpoch.epoch);

    // The runs view's curve controls, here on the live view (issue 17 item 4): smoothing
    // 0.5 draws TensorBoard's debiased EMA of the train loss over the raw curve, log y
    // switches the axis, and the CSV holds the series as shown.
    const named = (name) => page.evaluate((n) => document.getElementById('loss').data
      .filter((t) => t.name === n).map((t) => t.y), name);
    const [raw] = await named('train loss');
    await page.locator('#training-smoothing').fill('0.5');
    await page.waitForFunction(() => document.getElementById('loss').data
      .filter((t) => t.name === 'train loss').length === 2);
    const [faint, smoothed] = await named('train loss');
    assert.deepEqual(faint, raw);
    const w = 0.5, ema = [];
    let last = 0;
    raw.forEach((v, i) => { last = last * w + (1 - w) * v; ema.push(last / (1 - w ** (i + 1))); });
    smoothed.forEach((v, i) => assert.ok(Math.abs(v - ema[i]) < 1e-12, `${v} vs ${ema[i]}`));
    await page.check('#training-logy');
    await page.waitForFunction(() => document.getElementById('loss').layout.yaxis.type === 'log');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#training-csv')]);
    const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'series,x,y');
    const rows = csv.filter((l) => l.startsWith('train loss,'));
    assert.equal(rows.length, epochs);
    assert.ok(Math.abs(Number(rows.at(-1).split(',')[2]) - ema.at(-1)) < 1e-12, rows.at(-1));
    await page.locator('#training').screenshot({ path: path.join(artifacts, 'training-smoothed-logy.png') });
    await page.close();
  } finally {
    stop(server);
  }
});

// ---- power ------------------------------------------------------------------------

// A power monitor reading no real hardware: RAPL pointed at nothing, NVML at the stand-in
// library tests/power builds (or at nothing, for the no-sensor case).
function powerEnv(nvml, script) {
  return { SOMA_NVML_LIBRARY: nvml, SOMA_POWERCAP_ROOT: path.join(scratch, 'no-powercap'),
    SOMA_FAKE_NVML: script };
}
const fakeNvml = process.env.SOMA_FAKE_NVML_LIBRARY;

test('power: the readings stream into the plot and the table', { skip: !fakeNvml &&
    'SOMA_FAKE_NVML_LIBRARY not set (the stand-in NVML library tests/power builds)' }, async () => {
  // GPU A steps 100 -> 120 -> 140 W and stays; GPU B holds 50 W throughout.
  const server = await startDashboard(['--power', '--power-interval', '50'],
    powerEnv(fakeNvml, 'gpus=2;power_mw=100000,120000,140000|50000'));
  try {
    const page = await browser.newPage();
    await page.goto(server.url + '#power');
    await page.waitForSelector('#power-table tbody tr:nth-child(2)');
    const traces = () => page.evaluate(() =>
      document.getElementById('power-plot').data.map((t) => ({ name: t.name, x: t.x, y: t.y })));
    await page.waitForFunction(() => document.getElementById('power-plot').data?.[0]?.x.length >= 4);
    const first = await traces();
    await page.waitForTimeout(600);
    const later = await traces();
    assert.deepEqual(later.map((t) => t.name), ['gpu0 Fake GPU A', 'gpu1 Fake GPU B']);
    assert.ok(later[0].x.length > first[0].x.length, `${first[0].x.length} -> ${later[0].x.length}`);
    const [a, b] = later;
    assert.ok(a.y.every((w) => [100, 120, 140].includes(w)), String(a.y));
    assert.ok(a.y.every((w, i) => i === 0 || w >= a.y[i - 1]), String(a.y));
    assert.equal(a.y.at(-1), 140);
    assert.ok(b.y.every((w) => w === 50), String(b.y));
    // Samples about 50 ms apart.
    const step = (b.x.at(-1) - b.x[0]) / (b.x.length - 1);
    assert.ok(step > 0.03 && step < 0.2, `mean step ${step} s`);
    // The table: the last reading, and GPU B's energy, 50 W times the time it was watched
    // (its trapezoids are exact for a constant power). Read both once the table caught up.
    const row = await page.evaluate(() => {
      const cells = (k) => [...document.querySelectorAll('#power-table tbody tr')[k].children]
        .map((td) => td.textContent);
      const x = document.getElementById('power-plot').data[1].x;
      return { a: cells(0), b: cells(1), span: x.at(-1) - x[0] };
    });
    assert.equal(row.a[2], '140.0');
    assert.equal(row.b[2], '50.0');
    assert.equal(row.b[3], '50.0');
    assert.ok(Math.abs(Number(row.b[4]) - 50 * row.span) < 0.011, `${row.b[4]} J vs ${50 * row.span}`);
    await page.locator('#power').screenshot({ path: path.join(artifacts, 'power-live.png') });
    await page.close();
  } finally {
    stop(server);
  }
});

test('power: without a sensor the page says what was tried', async () => {
  const missing = path.join(scratch, 'no-such-libnvidia-ml.so');
  const server = await startDashboard(['--power'], powerEnv(missing, ''));
  try {
    const page = await browser.newPage();
    await page.goto(server.url + '#power');
    await page.waitForSelector('#power-status.warning');
    const text = await page.locator('#power-status').textContent();
    assert.match(text, /No power sensor found/);
    assert.ok(text.includes(`NVML (${missing}): not loaded`), text);
    assert.ok(text.includes('RAPL ('), text);
    assert.equal(await page.locator('#power-table').isHidden(), true);
    // Still serving: the explorer answers and the process is alive.
    await page.click('#tabs button[data-view="explorer"]');
    await page.waitForSelector('#scatter .scatterlayer path.point');
    assert.equal(server.proc.exitCode, null);
    await page.click('#tabs button[data-view="power"]');
    await page.locator('#power').screenshot({ path: path.join(artifacts, 'power-no-sensor.png') });
    await page.close();
  } finally {
    stop(server);
  }
});

// ---- spike raster -----------------------------------------------------------------

function run(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(somaBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('exit', (code) => (code === 0 ? resolve(out)
      : reject(new Error(`soma ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

test('spikes: a COBA run\'s spike file becomes the raster', async () => {
  const dir = path.join(scratch, 'coba');
  // The full 4,000 neurons for 50 ms: smaller networks fall silent within a few ms.
  await run(['example', 'coba', '--neurons', '4000', '--duration', '0.05', '--plot', dir]);
  const csv = path.join(dir, 'coba_spikes.csv');
  const [header, ...lines] = fs.readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(header, 'i,t,group');
  const rows = lines.map((l) => l.split(','));
  const i = rows.map((r) => Number(r[0]));
  assert.ok(lines.length > 1000, `${lines.length} spikes`);
  const server = await startDashboard(['--spikes', csv]);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);  // the most specific view opens first
    await page.waitForSelector('#raster .scatterlayer path.point');
    const shown = await page.evaluate(() => {
      const gd = document.getElementById('raster'), rate = document.getElementById('rate');
      return { traces: gd.data.map((d) => ({ name: d.name, x: d.x, y: d.y, color: d.marker.color })),
        points: document.querySelectorAll('#raster path.point').length,
        rx: rate.data[0].x, ry: rate.data[0].y, tab: location.hash,
        xtitle: document.querySelector('#raster .xtitle')?.textContent,
        status: document.getElementById('spikes-status').textContent };
    });
    assert.equal(shown.tab, '#spikes');
    assert.equal(shown.xtitle, 't (ms)');
    // A trace per group, each in its own colour, holding that group's spikes in file order.
    assert.deepEqual(shown.traces.map((tr) => tr.name).sort(), ['excitatory', 'inhibitory']);
    assert.notEqual(shown.traces[0].color, shown.traces[1].color);
    for (const tr of shown.traces) {
      const mine = rows.filter((r) => r[2] === tr.name);
      assert.deepEqual(tr.y, mine.map((r) => Number(r[0])));
      assert.deepEqual(tr.x, mine.map((r) => Number(r[1]) * 1e3));
    }
    assert.equal(shown.points, lines.length);
    // The rate curve accounts for every spike: sum(rate x bin width x neurons) = spikes.
    const neurons = Math.max(...i) + 1, width = (shown.rx[1] - shown.rx[0]) * 1e-3;
    const total = shown.ry.reduce((s, r) => s + r * width * neurons, 0);
    assert.ok(Math.abs(total - lines.length) < 1e-6 * lines.length, `${total} vs ${lines.length}`);
    assert.ok(shown.status.startsWith(`${lines.length} spikes from ${neurons} neurons`), shown.status);
    await page.locator('#spikes').screenshot({ path: path.join(artifacts, 'spikes-raster.png') });
    await page.close();
  } finally {
    stop(server);
  }
});

// ---- embedding --------------------------------------------------------------------

test('embedding: classes coloured apart and toggled by their checkboxes', async () => {
  // An x,y,label file as t-SNE writes one: Iris petals, species numbered 0, 1, 2.
  const data = readIris();
  const species = data.col('species');
  const names = [...new Set(species)];
  const x = data.num('petal_length'), y = data.num('petal_width');
  const csv = path.join(scratch, 'embedding.csv');
  fs.writeFileSync(csv, 'x,y,label\n' +
    x.map((v, k) => `${v},${y[k]},${names.indexOf(species[k])}`).join('\n') + '\n');
  const server = await startDashboard(['--embedding', csv]);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector('#embedding-plot .scatterlayer path.point');
    const drawnEmbedding = () => page.evaluate(() => {
      const gd = document.getElementById('embedding-plot');
      return { names: gd.data.map((t) => t.name), x: gd.data.map((t) => t.x),
        colours: gd.data.map((t) => t.marker.color),
        points: [...document.querySelectorAll('#embedding-plot .scatterlayer .trace')]
          .map((t) => t.querySelectorAll('path.point').length) };
    });
    const all = await drawnEmbedding();
    assert.deepEqual(all.names, ['0', '1', '2']);
    assert.deepEqual(all.points, [50, 50, 50]);
    assert.deepEqual(all.x[1], x.filter((_, k) => species[k] === names[1]));
    assert.equal(new Set(all.colours).size, 3);
    await page.screenshot({ path: path.join(artifacts, 'embedding-all.png') });

    await page.uncheck('input[data-embedding-class="0"]');
    await page.waitForFunction(() => document.querySelectorAll('#embedding-plot path.point').length === 100);
    const without = await drawnEmbedding();
    assert.deepEqual(without.names, ['1', '2']);
    assert.deepEqual(without.colours, all.colours.slice(1));  // the others keep their colours
    await page.screenshot({ path: path.join(artifacts, 'embedding-class0-hidden.png') });

    await page.click('#embedding-none');
    await page.waitForFunction(() => document.querySelectorAll('#embedding-plot path.point').length === 0);
    assert.equal(await page.locator('#embedding-classes input:checked').count(), 0);
    await page.click('#embedding-all');
    await page.waitForFunction(() => document.querySelectorAll('#embedding-plot path.point').length === 150);
    assert.equal(await page.locator('#embedding-classes input:checked').count(), 3);
    await page.close();
  } finally {
    stop(server);
  }
});

test('embedding: text labels are the classes\' names', async () => {
  // As `soma tsne iris.csv --label-column species` writes it: the species by name, so the
  // legend and the checkboxes say what the PNG says (issue 17 item 6), not 0, 1, 2.
  const data = readIris();
  const species = data.col('species');
  const x = data.num('petal_length'), y = data.num('petal_width');
  const csv = path.join(scratch, 'embedding-named.csv');
  fs.writeFileSync(csv, 'x,y,label\n' + x.map((v, k) => `${v},${y[k]},${species[k]}`).join('\n') + '\n');
  const server = await startDashboard(['--embedding', csv]);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector('#embedding-plot .scatterlayer path.point');
    const names = await page.evaluate(() => document.getElementById('embedding-plot').data.map((t) => t.name));
    assert.deepEqual(names, [...new Set(species)].sort());
    assert.equal(await page.locator('#embedding-classes input').count(), 3);
    await page.uncheck(`input[data-embedding-class="${names[0]}"]`);
    await page.waitForFunction(() => document.querySelectorAll('#embedding-plot path.point').length === 100);
    await page.screenshot({ path: path.join(artifacts, 'embedding-named.png') });
    await page.close();
  } finally {
    stop(server);
  }
});

// ---- runs -------------------------------------------------------------------------

// `soma dashboard DIR --port 0 --print-url` (a directory of runs, no CSV) and its URL.
function startRuns(dir) {
  return new Promise((resolve, reject) => {
    const proc = spawn(somaBin, ['dashboard', dir, '--port', '0', '--print-url'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/^(http:\/\/127\.0\.0\.1:\d+\/)\n/);
      if (m) resolve({ proc, url: m[1] });
    });
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('exit', (code) => reject(new Error(`soma dashboard exited ${code}: ${err}`)));
  });
}

// A run directory as `soma train` leaves it: history.csv in History::to_csv's columns.
function writeRun(root, name, rows, status = 'complete') {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  const csv = 'epoch,train_loss,valid_loss,valid_accuracy,seconds\n' +
    rows.map((r, e) => [e + 1, ...r, 0.5].join(',')).join('\n') + '\n';
  // Atomically, as soma does, so the polling page never reads half a file.
  fs.writeFileSync(path.join(dir, 'history.tmp'), csv);
  fs.renameSync(path.join(dir, 'history.tmp'), path.join(dir, 'history.csv'));
  fs.writeFileSync(path.join(dir, 'status.json'), JSON.stringify({ status }));
}

const RUN_A = [[1.2, 1.3, 0.4], [0.8, 0.9, 0.6], [0.5, 0.7, 0.7], [0.4, 0.65, 0.75]];
const RUN_B = [[1.0, 1.1, 0.5], [0.6, 0.8, 0.65]];

// The curves as Plotly holds them, by trace name, and the stacked plots' geometry.
function runsDrawn(page) {
  return page.evaluate(() => {
    const traces = (id) => Object.fromEntries(document.getElementById(id).data
      .filter((t) => t.showlegend !== false).map((t) => [t.name, { x: t.x, y: t.y, colour: t.line?.color }]));
    const geometry = (id) => {
      const l = document.getElementById(id)._fullLayout;
      return { left: l._size.l, width: l._size.w, range: l.xaxis.range };
    };
    return { loss: traces('runs-loss'), metrics: traces('runs-metrics'),
      lossAxis: geometry('runs-loss'), metricAxis: geometry('runs-metrics'),
      ytype: document.getElementById('runs-loss').layout.yaxis.type,
      tabs: [...document.querySelectorAll('#tabs button')].filter((b) => !b.hidden).map((b) => b.dataset.view) };
  });
}

test('runs: a finished run directory opens with its curves, smoothing, log y and CSV', async () => {
  const root = path.join(scratch, 'runs-finished');
  writeRun(root, 'titanic-1', RUN_A);
  // A history.csv broken by hand: an error on the page, not a dead server.
  fs.mkdirSync(path.join(root, 'broken'), { recursive: true });
  fs.writeFileSync(path.join(root, 'broken', 'history.csv'), 'epoch,train_loss,seconds\n1,0.5,1\n2,oops,2\n');
  const server = await startRuns(root);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById('runs-loss').data?.length === 2 &&
      !document.getElementById('runs-errors').hidden);
    const d = await runsDrawn(page);
    // Only the runs tab has something to show.
    assert.deepEqual(d.tabs, ['runs']);
    assert.deepEqual(Object.keys(d.loss), ['titanic-1: train loss', 'titanic-1: valid loss']);
    assert.deepEqual(Object.keys(d.metrics), ['titanic-1: valid accuracy']);  // no seconds
    assert.deepEqual(d.loss['titanic-1: train loss'].x, [1, 2, 3, 4]);
    assert.deepEqual(d.loss['titanic-1: train loss'].y, RUN_A.map((r) => r[0]));
    assert.deepEqual(d.loss['titanic-1: valid loss'].y, RUN_A.map((r) => r[1]));
    assert.deepEqual(d.metrics['titanic-1: valid accuracy'].y, RUN_A.map((r) => r[2]));
    // Stacked plots: the same x range and plot area, so epochs line up.
    assert.deepEqual(d.lossAxis, d.metricAxis);
    // No link to the Plotly cloud in the mode bar of an offline tool, and no logo.
    assert.equal(await page.locator('.modebar-btn[data-title*="Chart Studio"], .modebar-btn[data-title*="Share"], .modebar-btn--logo').count(), 0);
    await page.locator('#runs').screenshot({ path: path.join(artifacts, 'runs-finished.png') });

    // Smoothing 0.5: TensorBoard's debiased EMA of the train loss, computed here.
    await page.locator('#runs-smoothing').fill('0.5');
    await page.waitForFunction(() => document.getElementById('runs-loss').data.length === 4);
    const w = 0.5, ema = [];
    let last = 0;
    RUN_A.forEach((r, i) => { last = last * w + (1 - w) * r[0]; ema.push(last / (1 - w ** (i + 1))); });
    const smoothed = (await runsDrawn(page)).loss['titanic-1: train loss'].y;
    smoothed.forEach((v, i) => assert.ok(Math.abs(v - ema[i]) < 1e-12, `${v} vs ${ema[i]}`));
    assert.notDeepEqual(smoothed, RUN_A.map((r) => r[0]));

    await page.check('#runs-logy');
    await page.waitForFunction(() => document.getElementById('runs-loss').layout.yaxis.type === 'log');
    await page.locator('#runs').screenshot({ path: path.join(artifacts, 'runs-smoothed-logy.png') });

    // The CSV holds the series as shown: smoothed.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#runs-csv')]);
    const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'series,x,y');
    const rows = csv.filter((l) => l.startsWith('titanic-1: train loss,'));
    assert.equal(rows.length, 4);
    assert.ok(Math.abs(Number(rows[3].split(',')[2]) - ema[3]) < 1e-12, rows[3]);

    // The broken run (ticked, as every run is at first): its error, with file, line and
    // field, on the page; unticked, the error goes.
    const error = await page.locator('#runs-errors').textContent();
    assert.match(error, /broken\/history\.csv:3:2: expected a number, found 'oops'/);
    await page.uncheck('input[data-run="broken"]');
    await page.waitForFunction(() => document.getElementById('runs-errors').hidden);
    await page.close();
  } finally {
    stop(server);
  }
});

test('runs: two runs overlaid, and a run still training grows', async () => {
  const root = path.join(scratch, 'runs-compare');
  writeRun(root, 'fashion-1', RUN_A);
  writeRun(root, 'fashion-2', RUN_B, 'running');
  const server = await startRuns(root);
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    // Both runs ticked at first; unticking and ticking one again redraws it.
    await page.waitForFunction(() => document.getElementById('runs-loss').data?.length === 4);
    await page.uncheck('input[data-run="fashion-2"]');
    await page.waitForFunction(() => document.getElementById('runs-loss').data.length === 2);
    await page.check('input[data-run="fashion-2"]');
    await page.waitForFunction(() => document.getElementById('runs-loss').data.length === 4);
    let d = await runsDrawn(page);
    assert.deepEqual(Object.keys(d.loss).sort(), ['fashion-1: train loss', 'fashion-1: valid loss',
      'fashion-2: train loss', 'fashion-2: valid loss']);
    assert.deepEqual(d.loss['fashion-2: train loss'].y, RUN_B.map((r) => r[0]));
    // A colour per run, shared by its curves.
    assert.equal(d.loss['fashion-1: train loss'].colour, d.loss['fashion-1: valid loss'].colour);
    assert.notEqual(d.loss['fashion-1: train loss'].colour, d.loss['fashion-2: train loss'].colour);
    assert.deepEqual(d.lossAxis, d.metricAxis);
    await page.locator('#runs').screenshot({ path: path.join(artifacts, 'runs-compare.png') });

    // fashion-2 finishes another epoch: the page picks it up by itself.
    writeRun(root, 'fashion-2', [...RUN_B, [0.45, 0.7, 0.7]], 'running');
    await page.waitForFunction(() => document.getElementById('runs-loss').data
      .find((t) => t.name === 'fashion-2: train loss').y.length === 3, null, { timeout: 15000 });
    d = await runsDrawn(page);
    assert.deepEqual(d.loss['fashion-2: train loss'].x, [1, 2, 3]);
    assert.equal(d.loss['fashion-2: train loss'].y[2], 0.45);
    // Unticking a run removes its curves.
    await page.uncheck('input[data-run="fashion-1"]');
    await page.waitForFunction(() => document.getElementById('runs-loss').data.length === 2);
    await page.close();
  } finally {
    stop(server);
  }
});
