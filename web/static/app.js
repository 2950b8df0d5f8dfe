// The dashboard page: a scatter explorer for the served CSV and live training
// curves fed by the server-sent events of /api/events.
'use strict';

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
    for (const c of d.classes) {
      if (state.hidden.has(c)) continue;
      const tx = [], ty = [];
      labels.forEach((l, i) => { if (l === c) { tx.push(xs[i]); ty.push(ys[i]); } });
      traces.push({ x: tx, y: ty, name: c, mode: 'markers', type: 'scatter' });
    }
  } else {
    traces.push({ x: xs, y: ys, name: 'rows', mode: 'markers', type: 'scatter' });
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

async function loadDataset() {
  const r = await fetch('/api/dataset');
  const d = await r.json();
  state.data = d;
  if (!d.path) {
    document.getElementById('explorer').hidden = true;
    return;
  }
  document.getElementById('dataset-name').textContent = `${d.path} (${d.rows} rows)`;
  if (d.numeric.length === 0) {
    document.getElementById('scatter').textContent = 'no numeric column to plot';
    return;
  }
  fillSelect('x-select', d.numeric, d.numeric[0]);
  fillSelect('y-select', d.numeric, d.numeric[Math.min(1, d.numeric.length - 1)]);
  const box = document.getElementById('classes');
  for (const c of d.classes) {
    const label = document.createElement('label');
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.checked = true;
    cb.dataset.class = c;
    cb.addEventListener('change', () => {
      if (cb.checked) state.hidden.delete(c); else state.hidden.add(c);
      drawScatter();
    });
    label.appendChild(cb);
    label.appendChild(document.createTextNode(' ' + c));
    box.appendChild(label);
  }
  drawScatter();
}

// Training curves: per-batch loss against a fractional epoch, per-epoch losses and
// metrics as lines that grow while the run goes on.
const train = { batches: { x: [], y: [] }, epochs: {}, started: false };

function setupTraining() {
  Plotly.newPlot('loss', [
    { x: [], y: [], name: 'batch loss', mode: 'lines', line: { width: 1 } },
    { x: [], y: [], name: 'train loss', mode: 'lines+markers' },
    { x: [], y: [], name: 'valid loss', mode: 'lines+markers' },
  ], { xaxis: { title: { text: 'epoch' } }, yaxis: { title: { text: 'loss' } }, margin: { t: 20 } });
  Plotly.newPlot('metrics', [], {
    xaxis: { title: { text: 'epoch' } }, yaxis: { title: { text: 'metric' } }, margin: { t: 20 },
  });
}

function onBatch(e) {
  const m = JSON.parse(e.data);
  const x = m.epoch - 1 + (m.batch + 1) / m.batches;
  Plotly.extendTraces('loss', { x: [[x]], y: [[m.loss]] }, [0]);
  document.getElementById('training-status').textContent =
    `epoch ${m.epoch}/${m.epochs}, batch ${m.batch + 1}/${m.batches}, loss ${m.loss.toPrecision(4)}`;
}

function onEpoch(e) {
  const m = JSON.parse(e.data);
  Plotly.extendTraces('loss', { x: [[m.epoch], [m.epoch]], y: [[m.train_loss], [m.valid_loss]] }, [1, 2]);
  const names = Object.keys(m.metrics || {});
  const div = document.getElementById('metrics');
  for (const n of names) {
    let i = div.data.findIndex((t) => t.name === n);
    if (i < 0) {
      Plotly.addTraces('metrics', { x: [], y: [], name: n, mode: 'lines+markers' });
      i = div.data.length - 1;
    }
    Plotly.extendTraces('metrics', { x: [[m.epoch]], y: [[m.metrics[n]]] }, [i]);
  }
}

function onEnd(e) {
  const m = JSON.parse(e.data);
  document.getElementById('training-status').textContent =
    `finished: ${m.epochs} epochs, final train loss ${Number(m.train_loss).toPrecision(4)}`;
}

function connect() {
  const es = new EventSource('/api/events');
  const status = document.getElementById('status');
  es.onopen = () => { status.textContent = 'live'; };
  es.onerror = () => { status.textContent = 'disconnected, retrying…'; };
  es.addEventListener('batch', onBatch);
  es.addEventListener('epoch', onEpoch);
  es.addEventListener('train_end', onEnd);
}

setupTraining();
loadDataset().then(connect);
