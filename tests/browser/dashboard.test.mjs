// Drives `soma dashboard` in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core): the explorer's axis dropdown and class checkboxes change the plot
// as the CSV says they should, and the loss curve grows while a training run streams.
// Screenshots go to $SOMA_TEST_ARTIFACTS (default: ./test-artifacts).
//
//   SOMA_BIN=build/bin/soma node --test tests/browser/
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

// Starts `soma dashboard --port 0 --open ...` and resolves with its URL (first stdout line).
function startDashboard(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(somaBin, ['dashboard', iris, '--port', '0', '--open', ...args],
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

function stop(server) {
  if (server && server.proc.exitCode === null) server.proc.kill('SIGTERM');
}

let browser, userDir;
before(async () => {
  userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'soma-chromium-'));
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
    await page.goto(server.url);
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
    const losses = await page.evaluate(() => document.getElementById('loss').data[1].y);
    assert.ok(losses[losses.length - 1] < losses[0], `train loss ${losses[0]} -> ${losses.at(-1)}`);
    await page.locator('#training').screenshot({ path: path.join(artifacts, 'training-finished.png') });
    await page.close();
  } finally {
    stop(server);
  }
});
