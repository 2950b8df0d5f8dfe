// The dashboard page: one tab per view, shown when it has something to show. The runs,
// explorer, spike raster and embedding draw files the server was given (/api/runs,
// /api/dataset, /api/spikes, /api/embedding); training curves and power readings arrive
// as server-sent events on /api/events.
'use strict';

// matplotlib's tab10, indexed by class, so hiding a class never recolours the others.
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2',
  '#7f7f7f', '#bcbd22', '#17becf'];
const colour = (k) => PALETTE[k % PALETTE.length];

// SVG markers stay exact and testable; past this many points WebGL keeps the page usable.
const WEBGL_FROM = 20000;
const hasWebgl = (() => {
  try { return !!document.createElement('canvas').getContext('webgl'); } catch { return false; }
})();
const scatterType = (n) => (n > WEBGL_FROM && hasWebgl ? 'scattergl' : 'scatter');

// ---- tabs --------------------------------------------------------------------------

const VIEWS = ['runs', 'explorer', 'training', 'power', 'spikes', 'embedding'];

// Plotly's mode bar without its links to the Plotly cloud (an offline tool) or its logo.
const CONFIG = {
  displaylogo: false, showSendToCloud: false, showEditInChartStudio: false,
  modeBarButtonsToRemove: ['sendDataToCloud', 'editInChartStudio'],
};

// A tab is shown once its view has something to show.
function showTab(name) {
  const b = document.querySelector(`#tabs button[data-view="${name}"]`);
  if (b) b.hidden = false;
}

function showView(name) {
  if (!VIEWS.includes(name)) return;
  showTab(name);
  for (const v of VIEWS) document.getElementById(v).hidden = v !== name;
  for (const b of document.querySelectorAll('#tabs button'))
    b.setAttribute('aria-selected', String(b.dataset.view === name));
  if (location.hash !== '#' + name) history.replaceState(null, '', '#' + name);
  // Plots drawn while their tab was hidden took a default size; fit them now.
  for (const div of document.querySelectorAll(`#${name} .js-plotly-plot`)) Plotly.Plots.resize(div);
}

function setupTabs() {
  for (const b of document.querySelectorAll('#tabs button'))
    b.addEventListener('click', () => showView(b.dataset.view));
  window.addEventListener('hashchange', () => showView(location.hash.slice(1)));
}

// ---- explorer ----------------------------------------------------------------------

const state = { data: null, hidden: new Set() };

function numericValues(name) {
  return state.data.values[name];
}

// One trace per class so a checkbox can hide exactly that class's points.
function drawScatter() {
  const d = state.data;
  const x = document.getElementById('x-select').value;
  const y = document.getElementById('y-select').value;
  const xs = numericValues(x), ys = numericValues(y);
  const traces = [];
  if (d.class_column) {
    const labels = d.values[d.class_column];
    d.classes.forEach((c, k) => {
      if (state.hidden.has(c)) return;
      const tx = [], ty = [];
      labels.forEach((l, i) => { if (l === c) { tx.push(xs[i]); ty.push(ys[i]); } });
      traces.push({ x: tx, y: ty, name: c, mode: 'markers', type: scatterType(d.rows),
        marker: { color: colour(k) } });
    });
  } else {
    traces.push({ x: xs, y: ys, name: 'rows', mode: 'markers', type: scatterType(d.rows) });
  }
  Plotly.react('scatter', traces, {
    xaxis: { title: { text: x } },
    yaxis: { title: { text: y } },
    margin: { t: 20 },
    showlegend: true,
  }, CONFIG);
}

function fillSelect(id, names, chosen) {
  const s = document.getElementById(id);
  s.innerHTML = '';
  for (const n of names) {
    const o = document.createElement('option');
    o.value = n;
    o.textContent = n;
    s.appendChild(o);
  }
  s.value = chosen;
  s.addEventListener('change', drawScatter);
}

// A labelled checkbox per class; `attr` names the data attribute tests select it by.
function classBoxes(box, classes, attr, hidden, redraw) {
  box.innerHTML = '';
  for (const c of classes) {
    const label = document.createElement('label');
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.checked = !hidden.has(c);
    cb.dataset[attr] = c;
    cb.addEventListener('change', () => {
      if (cb.checked) hidden.delete(c); else hidden.add(c);
      redraw();
    });
    label.appendChild(cb);
    label.appendChild(document.createTextNode(' ' + c));
    box.appendChild(label);
  }
}

async function loadDataset() {
  const r = await fetch('/api/dataset');
  const d = await r.json();
  state.data = d;
  if (!d.path) {
    document.getElementById('explorer-status').hidden = false;
    document.querySelector('#explorer .controls').hidden = true;
    return false;
  }
  document.getElementById('dataset-name').textContent = `${d.path} (${d.rows} rows)`;
  if (d.numeric.length === 0) {
    document.getElementById('scatter').textContent = 'no numeric column to plot';
    return true;
  }
  fillSelect('x-select', d.numeric, d.numeric[0]);
  fillSelect('y-select', d.numeric, d.numeric[Math.min(1, d.numeric.length - 1)]);
  classBoxes(document.getElementById('classes'), d.classes, 'class', state.hidden, drawScatter);
  drawScatter();
  return true;
}

// ---- curves: smoothing, log y, CSV, aligned stacked plots ---------------------------

// TensorBoard's smoothing: an exponential moving average, debiased so that the first
// points are not pulled towards 0; points that are not numbers stay as they are.
function smooth(ys, weight) {
  if (!(weight > 0)) return ys;
  let last = 0, n = 0;
  return ys.map((v) => {
    if (v === null || !Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    n += 1;
    return last / (1 - weight ** n);
  });
}

// The curve controls of a view (`${view}-smoothing`, `-logy`, `-csv`): each change redraws.
function curveControls(view, redraw) {
  const slider = document.getElementById(`${view}-smoothing`);
  const shown = document.getElementById(`${view}-smoothing-value`);
  const c = { smoothing: 0, logy: false, shown: [] };
  slider.addEventListener('input', () => {
    c.smoothing = Number(slider.value);
    shown.textContent = slider.value;
    redraw();
  });
  document.getElementById(`${view}-logy`).addEventListener('change', (e) => {
    c.logy = e.target.checked;
    redraw();
  });
  document.getElementById(`${view}-csv`).addEventListener('click', () => downloadCsv(view, c.shown));
  return c;
}

const csvField = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

// The series as drawn (smoothed when smoothing is on), one row per point.
function downloadCsv(view, series) {
  const lines = ['series,x,y'];
  for (const s of series)
    s.x.forEach((x, i) => lines.push([s.name, x, s.y[i] ?? ''].map(csvField).join(',')));
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([lines.join('\n') + '\n'], { type: 'text/csv' }));
  a.download = `soma-${view}.csv`;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

// Stacked plots share one x range and fixed side margins (the y tick labels' width must
// not move a plot's area), with their legends above: their x axes line up.
function stackedLayout(ytitle, xtitle, xrange, logy) {
  return {
    xaxis: { title: { text: xtitle }, range: xrange, autorange: xrange ? false : true },
    yaxis: { title: { text: ytitle }, type: logy ? 'log' : 'linear', automargin: false },
    margin: { t: 40, l: 80, r: 20, b: 50 },
    showlegend: true,
    legend: { orientation: 'h', x: 0, y: 1, yanchor: 'bottom' },
    datarevision: dataRevision,
  };
}

// The x range covering every series of both plots: from 0 to the largest x.
function sharedRange(series) {
  let hi = 0;
  for (const s of series) for (const x of s.x) if (x > hi) hi = x;
  return [0, hi > 0 ? hi * 1.02 : 1];
}

// Plotly traces of `series` ({name, x, y, line, mode}): the smoothed curve, and the raw
// one faint behind it as TensorBoard does. Returns the traces and the series as shown.
function curveTraces(series, c) {
  const traces = [], shown = [];
  for (const s of series) {
    const y = smooth(s.y, c.smoothing);
    if (c.smoothing > 0)
      traces.push({ x: s.x, y: s.y, name: s.name, mode: 'lines', showlegend: false,
        hoverinfo: 'skip', opacity: 0.25, line: { ...(s.line || {}), width: 1 } });
    traces.push({ x: s.x, y, name: s.name, mode: s.mode || 'lines', line: s.line });
    shown.push({ name: s.name, x: s.x, y });
  }
  return { traces, shown };
}

// Draws two stacked plots (losses above, metrics below; the metrics plot is hidden when
// there are none) with their x axes aligned.
let dataRevision = 0;
function drawStacked(ids, lossSeries, metricSeries, c, xtitle) {
  const range = sharedRange([...lossSeries, ...metricSeries]);
  // The series grow in place: a new revision tells Plotly.react to redraw their points.
  ++dataRevision;
  const loss = curveTraces(lossSeries, c), metrics = curveTraces(metricSeries, c);
  c.shown = [...loss.shown, ...metrics.shown];
  Plotly.react(ids[0], loss.traces, stackedLayout('loss', xtitle, range, c.logy), CONFIG);
  const div = document.getElementById(ids[1]);
  div.hidden = metricSeries.length === 0;
  if (!div.hidden) Plotly.react(ids[1], metrics.traces, stackedLayout('metric', xtitle, range, c.logy), CONFIG);
}

// "valid_accuracy" -> "valid accuracy": the legends name what each curve is.
const metricName = (n) => n.replace(/_/g, ' ');

// ---- training ----------------------------------------------------------------------

// The loss of every step, the losses of every epoch and the metrics, on one x axis that
// the select switches: steps (a step's index over the run from 0, tutorial 003's axis;
// an epoch's points at its last step, where its validation loss was taken) or epochs (a
// step at epoch - 1 + batch / batches, an epoch at its number). Every point keeps its x
// in both units, so a switch redraws without losing any.
const AXES = { steps: 'steps', epochs: 'epoch' };

// Events are queued and drawn once per frame, as the power samples are: a page that
// connects mid-run receives the whole history at once, and a fast run sends a batch
// event more often than a busy machine can redraw the plot.
const training = {
  queue: [], frame: 0, axis: 'steps', batches: 0, controls: null,
  // Every series with its x in both units: batch loss, train loss, valid loss.
  loss: ['batch loss', 'train loss', 'valid loss'].map((name) =>
    ({ name, steps: [], epochs: [], y: [] })),
  metrics: new Map(),  // metric name -> { name, steps, epochs, y }
};

function setupTraining() {
  training.controls = curveControls('training', drawTraining);
  document.getElementById('training-axis').addEventListener('change', (e) => setTrainingAxis(e.target.value));
  drawTraining();
}

function queueTraining(kind, e) {
  training.queue.push({ kind, m: JSON.parse(e.data) });
  if (!training.frame) training.frame = requestAnimationFrame(flushTraining);
}

function keep(series, steps, epochs, y) {
  series.steps.push(steps);
  series.epochs.push(epochs);
  series.y.push(y);
}

function flushTraining() {
  training.frame = 0;
  const events = training.queue;
  training.queue = [];
  let status = null;
  for (const { kind, m } of events) {
    if (kind === 'batch') {
      training.batches = m.batches;
      const step = m.step ?? (m.epoch - 1) * m.batches + m.batch - 1;  // batch counts from 1
      keep(training.loss[0], step, m.epoch - 1 + m.batch / m.batches, m.loss);
      status = `epoch ${m.epoch}/${m.epochs}, batch ${m.batch}/${m.batches}, step ${step}, ` +
        `loss ${Number(m.loss).toPrecision(4)}`;
    } else if (kind === 'epoch') {
      const step = m.step ?? m.epoch * training.batches - 1;
      keep(training.loss[1], step, m.epoch, m.train_loss);
      keep(training.loss[2], step, m.epoch, m.valid_loss);
      for (const [n, v] of Object.entries(m.metrics || {})) {
        if (!training.metrics.has(n))
          training.metrics.set(n, { name: metricName(n), steps: [], epochs: [], y: [] });
        keep(training.metrics.get(n), step, m.epoch, v);
      }
    } else if (kind === 'end') {
      status = `finished: ${m.epochs} epochs, final train loss ${Number(m.train_loss).toPrecision(4)}`;
    }
  }
  if (events.length) showTab('training');
  if (status) document.getElementById('training-status').textContent = status;
  drawTraining();
}

function drawTraining() {
  const axis = training.axis;
  const asSeries = (s, mode, width) =>
    ({ name: s.name, x: s[axis], y: s.y, mode, line: width ? { width } : undefined });
  const loss = [asSeries(training.loss[0], 'lines', 1),
    ...training.loss.slice(1).map((s) => asSeries(s, 'lines+markers'))];
  const metrics = [...training.metrics.values()].map((s) => asSeries(s, 'lines+markers'));
  drawStacked(['loss', 'metrics'], loss, metrics, training.controls, AXES[axis]);
}

function setTrainingAxis(axis) {
  if (!(axis in AXES) || axis === training.axis) return;
  if (training.frame) cancelAnimationFrame(training.frame);
  flushTraining();  // points still queued get their x in the old unit first
  training.axis = axis;
  drawTraining();
}

// ---- runs --------------------------------------------------------------------------

// `soma dashboard runs/`: every run directory the server lists, a checkbox each; the
// ticked runs' history.csv curves overlaid, a colour per run and a dash per series.
// The list is polled, and a history fetched again when its file changed, so a run still
// training grows on the page.
const RUNS_POLL_MS = 2000;
const runs = {
  list: [], selected: new Set(), histories: new Map(), versions: new Map(), errors: new Map(),
  colours: new Map(), controls: null, seen: new Set(),
};
// Runs appear ticked, as in TensorBoard, up to this many at once.
const RUNS_TICKED = 8;
const DASH = { train_loss: 'solid', valid_loss: 'dash' };
const SKIPPED = new Set(['epoch', 'seconds']);  // the x axis; time is not a curve

function runColour(name) {
  if (!runs.colours.has(name)) runs.colours.set(name, colour(runs.colours.size));
  return runs.colours.get(name);
}

function drawRuns() {
  const loss = [], metrics = [];
  for (const r of runs.list) {
    const h = runs.histories.get(r.name);
    if (!runs.selected.has(r.name) || !h) continue;
    const x = h.values.epoch;
    let k = 0;
    for (const col of h.columns) {
      if (SKIPPED.has(col)) continue;
      const series = { name: `${r.name}: ${metricName(col)}`, x, y: h.values[col], mode: 'lines+markers',
        line: { color: runColour(r.name), dash: DASH[col] || ['dot', 'dashdot', 'longdash'][k++ % 3] } };
      (col in DASH ? loss : metrics).push(series);
    }
  }
  drawStacked(['runs-loss', 'runs-metrics'], loss, metrics, runs.controls, 'epoch');
  const errors = document.getElementById('runs-errors');
  errors.innerHTML = '';
  for (const [name, message] of runs.errors) {
    if (!runs.selected.has(name)) continue;
    const li = document.createElement('li');
    li.textContent = message;
    errors.appendChild(li);
  }
  errors.hidden = errors.children.length === 0;
}

async function fetchHistory(r) {
  const resp = await fetch(`/api/runs/${r.name.split('/').map(encodeURIComponent).join('/')}/history`);
  const j = await resp.json();
  runs.versions.set(r.name, `${r.modified}:${r.history_bytes}`);
  if (!resp.ok) {
    runs.histories.delete(r.name);
    // No history yet is not an error: the run has not finished an epoch.
    if (resp.status === 404 && r.history_bytes === null) runs.errors.delete(r.name);
    else runs.errors.set(r.name, `${r.name}: ${j.error}`);
    return;
  }
  runs.errors.delete(r.name);
  runs.histories.set(r.name, j);
}

function fillRunsTable() {
  const body = document.querySelector('#runs-table tbody');
  // Rebuilt only when something in it changed, so a poll never swaps a box being clicked.
  const key = JSON.stringify(runs.list.map((r) => [r.name, r.status, r.has_model,
    runs.selected.has(r.name), runs.histories.get(r.name)?.values.epoch.length]));
  if (body.dataset.key === key) return;
  body.dataset.key = key;
  body.innerHTML = '';
  for (const r of runs.list) {
    const tr = document.createElement('tr');
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.checked = runs.selected.has(r.name);
    cb.dataset.run = r.name;
    cb.addEventListener('change', () => {
      if (cb.checked) runs.selected.add(r.name); else runs.selected.delete(r.name);
      refreshRuns();
    });
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = runColour(r.name);
    const cells = [cb, [swatch, r.name], r.status || '—', runs.histories.get(r.name)?.values.epoch.length ?? '',
      r.has_model ? 'yes' : ''];
    for (const c of cells) {
      const td = document.createElement('td');
      if (Array.isArray(c)) c.forEach((n) => td.append(n)); else td.append(c);
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
}

async function refreshRuns() {
  try {
    const d = await (await fetch('/api/runs')).json();
    runs.list = d.runs;
    for (const r of d.runs) {
      if (runs.seen.has(r.name)) continue;
      runs.seen.add(r.name);
      if (runs.selected.size < RUNS_TICKED) runs.selected.add(r.name);
    }
    await Promise.all(d.runs.filter((r) => runs.selected.has(r.name) &&
      runs.versions.get(r.name) !== `${r.modified}:${r.history_bytes}`).map(fetchHistory));
    document.getElementById('runs-status').textContent =
      `${d.runs.length} run(s)${d.truncated ? ' (more not listed)' : ''}; ` +
      `${d.runs.filter((r) => r.status === 'running').length} training`;
    fillRunsTable();
    drawRuns();
  } catch (e) {
    document.getElementById('runs-status').textContent = `cannot read the runs: ${e.message}`;
  }
}

async function loadRuns() {
  const d = await (await fetch('/api/runs')).json();
  if (!d.root) return false;
  document.getElementById('runs-root').textContent = d.root;
  runs.controls = curveControls('runs', drawRuns);
  await refreshRuns();
  setInterval(refreshRuns, RUNS_POLL_MS);
  return true;
}

// ---- power -------------------------------------------------------------------------

// Samples are queued and drawn once per frame: a page that connects late receives the
// whole history at once, and one extendTraces per sample would stall it.
const power = { sensors: null, queue: [], frame: 0, count: 0, sum: [], readings: [] };
const POWER_POINTS = 6000;  // kept per sensor: 10 minutes at the default 100 ms

function onPowerSensors(e) {
  const m = JSON.parse(e.data);
  const status = document.getElementById('power-status');
  power.sensors = m.sensors;
  power.queue = [];
  power.count = 0;
  power.sum = m.sensors.map(() => 0);
  power.readings = m.sensors.map(() => 0);
  status.innerHTML = '';
  if (m.sensors.length === 0) {
    // Say so, with what was tried, rather than show an empty plot.
    status.classList.add('warning');
    status.appendChild(document.createTextNode('No power sensor found on this machine. Tried:'));
    const ul = document.createElement('ul');
    for (const a of m.attempts) {
      const li = document.createElement('li');
      li.textContent = a;
      ul.appendChild(li);
    }
    status.appendChild(ul);
    document.getElementById('power-table').hidden = true;
    Plotly.purge('power-plot');
    return;
  }
  status.classList.remove('warning');
  status.textContent = `${m.sensors.length} sensor(s), a sample every ${m.interval_ms} ms`;
  const body = document.querySelector('#power-table tbody');
  body.innerHTML = '';
  for (const s of m.sensors) {
    const tr = document.createElement('tr');
    for (const v of [s.name, s.kind, '', '', '', s.has_energy_counter ? '' : '—']) {
      const td = document.createElement('td');
      td.textContent = v;
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  document.getElementById('power-table').hidden = false;
  Plotly.newPlot('power-plot', m.sensors.map((s, k) => ({
    x: [], y: [], name: s.name, mode: 'lines', line: { color: colour(k) },
  })), {
    xaxis: { title: { text: 'time (s)' } }, yaxis: { title: { text: 'power (W)' }, rangemode: 'tozero' },
    margin: { t: 20 }, showlegend: true,
  }, CONFIG);
}

function onPower(e) {
  if (!power.sensors) return;
  power.queue.push(JSON.parse(e.data));
  if (!power.frame) power.frame = requestAnimationFrame(flushPower);
}

const fixed = (v, digits) => (v === null || v === undefined ? '' : Number(v).toFixed(digits));

function flushPower() {
  power.frame = 0;
  const batch = power.queue;
  power.queue = [];
  if (batch.length === 0 || power.sensors.length === 0) return;
  const n = power.sensors.length;
  const xs = [], ys = [];
  for (let k = 0; k < n; ++k) {
    xs.push(batch.map((s) => s.t));
    ys.push(batch.map((s) => s.watts[k]));
  }
  Plotly.extendTraces('power-plot', { x: xs, y: ys }, [...Array(n).keys()], POWER_POINTS);
  for (const s of batch) {
    ++power.count;
    s.watts.forEach((w, k) => {
      if (w === null) return;  // no reading this time
      power.sum[k] += w;
      power.readings[k] += 1;
    });
  }
  const last = batch[batch.length - 1];
  const rows = document.querySelectorAll('#power-table tbody tr');
  rows.forEach((tr, k) => {
    const cells = tr.children;
    cells[2].textContent = fixed(last.watts[k], 1);
    cells[3].textContent = power.readings[k] ? fixed(power.sum[k] / power.readings[k], 1) : '';
    cells[4].textContent = fixed(last.energy_j[k], 2);
    if (power.sensors[k].has_energy_counter) cells[5].textContent = fixed(last.counter_j[k], 2);
  });
  document.getElementById('power-status').textContent =
    `${n} sensor(s), ${power.count} samples over ${last.t.toFixed(1)} s`;
}

// ---- spike raster ------------------------------------------------------------------

async function loadSpikes() {
  const d = await (await fetch('/api/spikes')).json();
  if (!d.path) return false;
  document.getElementById('spikes-name').textContent = d.path;
  const duration = Math.max(d.t_max, 1e-9);
  const rate = d.rows / Math.max(d.neurons, 1) / duration;
  document.getElementById('spikes-status').textContent =
    `${d.rows} spikes from ${d.neurons} neurons over ${duration.toPrecision(4)} s ` +
    `(${rate.toPrecision(4)} Hz per neuron)`;
  const ms = d.t.map((t) => t * 1e3);
  // A trace per group (COBA's excitatory and inhibitory neurons) in its own colour, or
  // one trace when the file has no group column.
  const groups = d.groups && d.groups.length ? d.groups : [null];
  const traces = groups.map((g, k) => {
    const x = [], y = [];
    for (let r = 0; r < d.rows; ++r) {
      if (g !== null && d.group[r] !== k) continue;
      x.push(ms[r]);
      y.push(d.i[r]);
    }
    return { x, y, name: g ?? 'spikes', mode: 'markers', type: scatterType(d.rows),
      marker: { size: 2, color: g === null ? '#222' : colour(k) },
      hovertemplate: `${g ?? ''} neuron %{y}<br>%{x:.1f} ms<extra></extra>` };
  });
  Plotly.newPlot('raster', traces, {
    xaxis: { title: { text: 't (ms)' }, range: [0, duration * 1e3] },
    yaxis: { title: { text: 'neuron' } },
    margin: { t: 20, l: 60, r: 20 }, showlegend: groups[0] !== null,
    legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom', itemsizing: 'constant' },
  }, CONFIG);
  // Population rate: spikes per neuron per second in 200 bins over the recording.
  const bins = 200, width = duration * 1e3 / bins;
  const counts = new Array(bins).fill(0);
  for (const t of ms) counts[Math.min(bins - 1, Math.floor(t / width))] += 1;
  Plotly.newPlot('rate', [{
    x: counts.map((_, b) => (b + 0.5) * width),
    y: counts.map((c) => c / Math.max(d.neurons, 1) / (width * 1e-3)),
    name: 'rate', mode: 'lines', line: { shape: 'hvh' },
  }], {
    // The raster's x range and side margins, so the two time axes line up.
    xaxis: { title: { text: 't (ms)' }, range: [0, duration * 1e3] },
    yaxis: { title: { text: 'rate (Hz)' } },
    margin: { t: 10, l: 60, r: 20 }, showlegend: false,
  }, CONFIG);
  return true;
}

// ---- embedding ---------------------------------------------------------------------

const embedding = { data: null, hidden: new Set() };

function drawEmbedding() {
  const d = embedding.data;
  const traces = [];
  const classes = d.labels ? d.classes : [null];
  classes.forEach((c, k) => {
    if (c !== null && embedding.hidden.has(c)) return;
    const tx = [], ty = [], rows = [];
    for (let i = 0; i < d.rows; ++i) {
      if (c !== null && d.labels[i] !== c) continue;
      tx.push(d.x[i]);
      ty.push(d.y[i]);
      rows.push(i);
    }
    traces.push({ x: tx, y: ty, customdata: rows, name: c ?? 'points', mode: 'markers',
      type: scatterType(d.rows), marker: { size: 4, color: colour(k) },
      hovertemplate: `${c ?? ''} row %{customdata}<extra></extra>` });
  });
  Plotly.react('embedding-plot', traces, {
    xaxis: { title: { text: 'x' } },
    yaxis: { title: { text: 'y' }, scaleanchor: 'x' },
    margin: { t: 20 },
    showlegend: true,
    legend: { itemsizing: 'constant' },
  }, CONFIG);
}

function setAllEmbeddingClasses(show) {
  for (const c of embedding.data.classes) if (show) embedding.hidden.delete(c); else embedding.hidden.add(c);
  for (const cb of document.querySelectorAll('#embedding-classes input')) cb.checked = show;
  drawEmbedding();
}

async function loadEmbedding() {
  const d = await (await fetch('/api/embedding')).json();
  const controls = document.querySelector('#embedding .controls');
  if (!d.path) {
    controls.hidden = true;
    return false;
  }
  embedding.data = d;
  document.getElementById('embedding-name').textContent = `${d.path} (${d.rows} points)`;
  document.getElementById('embedding-status').hidden = true;
  if (!d.labels) {
    controls.hidden = true;
  } else {
    classBoxes(document.getElementById('embedding-classes'), d.classes, 'embeddingClass',
      embedding.hidden, drawEmbedding);
    document.getElementById('embedding-all').addEventListener('click', () => setAllEmbeddingClasses(true));
    document.getElementById('embedding-none').addEventListener('click', () => setAllEmbeddingClasses(false));
  }
  drawEmbedding();
  return true;
}

// ---- start -------------------------------------------------------------------------

function connect(openPowerTab) {
  const es = new EventSource('/api/events');
  const status = document.getElementById('status');
  es.onopen = () => { status.textContent = 'live'; };
  es.onerror = () => { status.textContent = 'disconnected, retrying…'; };
  es.addEventListener('batch', (e) => queueTraining('batch', e));
  es.addEventListener('epoch', (e) => queueTraining('epoch', e));
  es.addEventListener('train_end', (e) => queueTraining('end', e));
  es.addEventListener('power_sensors', (e) => {
    onPowerSensors(e);
    showTab('power');
    if (openPowerTab) showView('power');
  });
  es.addEventListener('power', onPower);
}

async function start() {
  setupTabs();
  setupTraining();
  const [hasRuns, hasDataset, hasSpikes, hasEmbedding] =
    await Promise.all([loadRuns(), loadDataset(), loadSpikes(), loadEmbedding()]);
  // Tabs with nothing to show stay hidden; training and power appear with their events.
  for (const [view, has] of [['runs', hasRuns], ['explorer', hasDataset], ['spikes', hasSpikes],
    ['embedding', hasEmbedding], ['training', false], ['power', false]]) {
    document.querySelector(`#tabs button[data-view="${view}"]`).hidden = !has;
  }
  // The view asked for in the URL, else the most specific file given, else the explorer.
  const asked = location.hash.slice(1);
  const first = VIEWS.includes(asked) ? asked
    : hasRuns ? 'runs' : hasEmbedding ? 'embedding' : hasSpikes ? 'spikes'
      : hasDataset ? 'explorer' : 'training';
  showView(first);
  // A power monitor with nothing more specific to show: open its tab when it announces.
  connect(!VIEWS.includes(asked) && !hasRuns && !hasEmbedding && !hasSpikes && !hasDataset);
}

start();
