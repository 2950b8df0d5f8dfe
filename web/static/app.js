// The dashboard page: one tab per view. The explorer, spike raster and embedding draw
// files the server was given (/api/dataset, /api/spikes, /api/embedding); training
// curves and power readings arrive as server-sent events on /api/events.
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

const VIEWS = ['explorer', 'training', 'power', 'spikes', 'embedding'];

function showView(name) {
  if (!VIEWS.includes(name)) return;
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
  });
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

// ---- training ----------------------------------------------------------------------

// The loss of every step, the losses of every epoch and the metrics, on one x axis that
// the select switches: steps (a step's index over the run from 0, tutorial 003's axis;
// an epoch's points at its last step, where its validation loss was taken) or epochs (a
// step at epoch - 1 + batch / batches, an epoch at its number). Every point keeps its x
// in both units, so a switch redraws without losing any.
const AXES = { steps: 'steps', epochs: 'epoch' };

function setupTraining() {
  // Both plots start at 0 and have their legend above, not beside (where its width
  // would change the plot's), so that their x axes line up.
  const layout = (ytitle) => ({
    xaxis: { title: { text: AXES.steps }, rangemode: 'tozero' },
    yaxis: { title: { text: ytitle } },
    margin: { t: 40 },
    showlegend: true,
    legend: { orientation: 'h', x: 0, y: 1, yanchor: 'bottom' },
  });
  Plotly.newPlot('loss', [
    { x: [], y: [], name: 'batch loss', mode: 'lines', line: { width: 1 } },
    { x: [], y: [], name: 'train loss', mode: 'lines+markers' },
    { x: [], y: [], name: 'valid loss', mode: 'lines+markers' },
  ], layout('loss'));
  Plotly.newPlot('metrics', [], layout('metric'));
  document.getElementById('training-axis').addEventListener('change', (e) => setTrainingAxis(e.target.value));
}

// Events are queued and drawn once per frame, as the power samples are: a page that
// connects mid-run receives the whole history at once, and a fast run sends a batch
// event more often than a busy machine can redraw the plot.
const training = {
  queue: [], frame: 0, axis: 'steps', batches: 0,
  lossX: [0, 1, 2].map(() => ({ steps: [], epochs: [] })),  // per trace of #loss
  metricX: new Map(),  // metric name -> { steps, epochs }
};

function queueTraining(kind, e) {
  training.queue.push({ kind, m: JSON.parse(e.data) });
  if (!training.frame) training.frame = requestAnimationFrame(flushTraining);
}

// Keeps both x values of a new point and returns the one the axis shows.
function keepX(store, steps, epochs) {
  store.steps.push(steps);
  store.epochs.push(epochs);
  return training.axis === 'steps' ? steps : epochs;
}

function flushTraining() {
  training.frame = 0;
  const events = training.queue;
  training.queue = [];
  const batches = { x: [], y: [] }, epochs = { x: [], train: [], valid: [] };
  const metrics = new Map();  // name -> {x, y}
  let status = null;
  for (const { kind, m } of events) {
    if (kind === 'batch') {
      training.batches = m.batches;
      const step = m.step ?? (m.epoch - 1) * m.batches + m.batch - 1;  // batch counts from 1
      batches.x.push(keepX(training.lossX[0], step, m.epoch - 1 + m.batch / m.batches));
      batches.y.push(m.loss);
      status = `epoch ${m.epoch}/${m.epochs}, batch ${m.batch}/${m.batches}, step ${step}, ` +
        `loss ${Number(m.loss).toPrecision(4)}`;
    } else if (kind === 'epoch') {
      const step = m.step ?? m.epoch * training.batches - 1;
      const x = keepX(training.lossX[1], step, m.epoch);
      keepX(training.lossX[2], step, m.epoch);
      epochs.x.push(x);
      epochs.train.push(m.train_loss);
      epochs.valid.push(m.valid_loss);
      for (const [n, v] of Object.entries(m.metrics || {})) {
        if (!metrics.has(n)) metrics.set(n, { x: [], y: [] });
        if (!training.metricX.has(n)) training.metricX.set(n, { steps: [], epochs: [] });
        metrics.get(n).x.push(keepX(training.metricX.get(n), step, m.epoch));
        metrics.get(n).y.push(v);
      }
    } else if (kind === 'end') {
      status = `finished: ${m.epochs} epochs, final train loss ${Number(m.train_loss).toPrecision(4)}`;
    }
  }
  if (batches.x.length || epochs.x.length) {
    Plotly.extendTraces('loss', {
      x: [batches.x, epochs.x, epochs.x], y: [batches.y, epochs.train, epochs.valid],
    }, [0, 1, 2]);
  }
  const div = document.getElementById('metrics');
  for (const [n, v] of metrics) {
    let i = div.data.findIndex((t) => t.name === n);
    if (i < 0) {
      Plotly.addTraces('metrics', { x: [], y: [], name: n, mode: 'lines+markers' });
      i = div.data.length - 1;
    }
    Plotly.extendTraces('metrics', { x: [v.x], y: [v.y] }, [i]);
  }
  if (status) document.getElementById('training-status').textContent = status;
}

function setTrainingAxis(axis) {
  if (!(axis in AXES) || axis === training.axis) return;
  if (training.frame) cancelAnimationFrame(training.frame);
  flushTraining();  // points still queued get their x in the old unit first
  training.axis = axis;
  const title = { 'xaxis.title.text': AXES[axis] };
  Plotly.update('loss', { x: training.lossX.map((t) => t[axis].slice()) }, title);
  const div = document.getElementById('metrics');
  const names = div.data.map((t) => t.name);
  if (names.length)
    Plotly.update('metrics', { x: names.map((n) => training.metricX.get(n)[axis].slice()) }, title);
  else Plotly.relayout('metrics', title);
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
  });
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
  Plotly.newPlot('raster', [{
    x: ms, y: d.i, name: 'spikes', mode: 'markers', type: scatterType(d.rows),
    marker: { size: 2, color: '#222' },
    hovertemplate: 'neuron %{y}<br>%{x:.1f} ms<extra></extra>',
  }], {
    xaxis: { title: { text: 't (ms)' } }, yaxis: { title: { text: 'neuron' } },
    margin: { t: 20 }, showlegend: false,
  });
  // Population rate: spikes per neuron per second in 200 bins over the recording.
  const bins = 200, width = duration * 1e3 / bins;
  const counts = new Array(bins).fill(0);
  for (const t of ms) counts[Math.min(bins - 1, Math.floor(t / width))] += 1;
  Plotly.newPlot('rate', [{
    x: counts.map((_, b) => (b + 0.5) * width),
    y: counts.map((c) => c / Math.max(d.neurons, 1) / (width * 1e-3)),
    name: 'rate', mode: 'lines', line: { shape: 'hvh' },
  }], {
    xaxis: { title: { text: 't (ms)' } }, yaxis: { title: { text: 'rate (Hz)' } },
    margin: { t: 10 }, showlegend: false,
  });
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
  });
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
    if (openPowerTab) showView('power');
  });
  es.addEventListener('power', onPower);
}

async function start() {
  setupTabs();
  setupTraining();
  const [hasDataset, hasSpikes, hasEmbedding] =
    await Promise.all([loadDataset(), loadSpikes(), loadEmbedding()]);
  // The view asked for in the URL, else the most specific file given, else the explorer.
  const asked = location.hash.slice(1);
  const first = VIEWS.includes(asked) ? asked
    : hasEmbedding ? 'embedding' : hasSpikes ? 'spikes' : hasDataset ? 'explorer' : 'training';
  showView(first);
  // A power monitor with nothing more specific to show: open its tab when it announces.
  connect(!VIEWS.includes(asked) && !hasEmbedding && !hasSpikes && !hasDataset);
}

start();
