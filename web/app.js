// The workbench page: draws the region (roads, admin units, facilities) and the current trial's
// coverage, and sends every change to the API. Everything it computes comes from the server.
'use strict';

const TEXT = {
  zh: {
    limits: '服务与标准', urban: '城市', rural: '农村', totals: '覆盖', changes: '方案变更',
    help: '点击地图新增站点（可拖动），点击现有设施关闭或恢复。',
    undo: '撤销', reset: '清空', propose: '推荐新址', maxcover: '最大覆盖', coverall: '全覆盖', proposeBtn: '推荐',
    compare: '方案比较', saveA: '存为方案 A', saveB: '存为方案 B', downloads: '下载', report: '报告 (HTML)',
    mapPng: '地图 (PNG)', byAdmin: '按行政区', population: '人口', covered: '覆盖人口', uncovered: '未覆盖',
    off: '远离路网', na: '不适用', ratio: '覆盖率', elapsed: '计算', ms: '毫秒', name: '行政区', people: '人口',
    units: '需/有', added: '新增站点', closed: '关闭', proposed: '推荐站点', moved: '移动', noChanges: '（现有设施）',
    band1: '≤ 1/3 标准', band2: '≤ 2/3 标准', band3: '≤ 标准', uncov: '未覆盖人口', other: '远离路网 / 不适用',
    facility: '现有设施', closedF: '已关闭设施', newSite: '新增站点', km: '公里', min: '分钟', gain: '新增覆盖',
    loading: '计算中…', saved: '已保存', scenarioA: '方案 A', scenarioB: '方案 B', diff: 'B − A', total: '合计',
    noCandidates: '启动时未给出 --candidates 或 --candidate-spacing', downloading: '正在生成…',
    sites: '站点', noAdmin: '未提供行政区（--admin）', noLimit: '无标准',
  },
  en: {
    limits: 'Service and standard', urban: 'Urban', rural: 'Rural', totals: 'Coverage', changes: 'Scenario changes',
    help: 'Click the map to add a site (drag to move it); click an existing facility to close or reopen it.',
    undo: 'Undo', reset: 'Clear', propose: 'Propose sites', maxcover: 'max-cover', coverall: 'cover-all', proposeBtn: 'Propose',
    compare: 'Compare scenarios', saveA: 'Save as A', saveB: 'Save as B', downloads: 'Downloads', report: 'Report (HTML)',
    mapPng: 'Map (PNG)', byAdmin: 'By admin unit', population: 'Population', covered: 'Covered', uncovered: 'Uncovered',
    off: 'Off network', na: 'Not applicable', ratio: 'Coverage', elapsed: 'Computed in', ms: 'ms', name: 'Unit', people: 'People',
    units: 'req./present', added: 'Added site', closed: 'Closed', proposed: 'Proposed sites', moved: 'Moved', noChanges: '(existing facilities)',
    band1: '≤ 1/3 of the limit', band2: '≤ 2/3 of the limit', band3: '≤ the limit', uncov: 'Uncovered people', other: 'Off network / n/a',
    facility: 'Existing facility', closedF: 'Closed facility', newSite: 'New site', km: 'km', min: 'min', gain: 'gain',
    loading: 'computing…', saved: 'saved', scenarioA: 'A', scenarioB: 'B', diff: 'B − A', total: 'Total',
    noCandidates: 'serve was started without --candidates or --candidate-spacing', downloading: 'preparing…',
    sites: 'sites', noAdmin: 'no admin units given (--admin)', noLimit: 'no limit',
  },
};
const BAND_COLOURS = ['#1a9850', '#91cf60', '#d9ef8b'];
const UNCOVERED = '#d7301f';
const OTHER = '#9e9e9e';
const TYPE_COLOURS = ['#2166ac', '#762a83', '#e08214', '#01665e', '#8c510a', '#c51b7d', '#4d4d4d'];

let region = null;
let t = TEXT.zh;
let map = null;
const state = { added: [], closed: new Set(), history: [], limits: {}, saved: {} };
let facilityLayers = {};
let addedLayer = null;
let gridLayer = null;
let sitesRenderer = null;
let lastCoverage = null;
let requestSeq = 0;
let changedAt = null;  // performance.now() of the last change, until the map and panel show its answer

function fmt(v, digits) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return Number(v).toLocaleString(region && region.lang === 'en' ? 'en-GB' : 'zh-CN',
    { maximumFractionDigits: digits || 0, minimumFractionDigits: digits || 0 });
}
function pct(v) { return v === null || v === undefined ? (region.lang === 'zh' ? '不适用' : 'n/a') : fmt(100 * v, 1) + ' %'; }

function toast(message) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.style.display = 'block';
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.style.display = 'none'; }, 5000);
}

async function api(path, body) {
  const res = await fetch(path, body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const type = res.headers.get('Content-Type') || '';
  if (!res.ok) {
    const msg = type.startsWith('application/json') ? (await res.json()).error : res.statusText;
    throw new Error(msg);
  }
  return type.startsWith('application/json') ? res.json() : res.blob();
}

// The request of the current scenario (the API's body).
function scenarioBody() {
  const body = { service: region.service, add: state.added.map((p) => ({ lon: p.lon, lat: p.lat })), remove: [...state.closed] };
  const limits = {};
  for (const c of ['urban', 'rural']) if (state.limits[c] !== undefined) limits[c] = state.limits[c];
  if (Object.keys(limits).length) body.limits = limits;
  return body;
}

// Limits are metres or seconds in the API, km or minutes on the page.
const toUnit = (v) => (v === null || v === undefined ? '' : region.metric === 'distance' ? v / 1000 : v / 60);
const fromUnit = (v) => (region.metric === 'distance' ? v * 1000 : v * 60);

const CanvasGrid = L.Layer.extend({
  onAdd(m) {
    this._canvas = L.DomUtil.create('canvas', 'leaflet-zoom-hide');
    this._canvas.style.pointerEvents = 'none';
    // Above the roads (a dense street network would hide the coverage), below the markers.
    m.getPane('coverage').appendChild(this._canvas);
    m.on('moveend zoomend resize', this._draw, this);
    this._draw();
  },
  onRemove(m) {
    L.DomUtil.remove(this._canvas);
    m.off('moveend zoomend resize', this._draw, this);
  },
  setData(grid) { this._grid = grid; if (this._map) this._draw(); },
  _draw() {
    const m = this._map;
    const size = m.getSize();
    const c = this._canvas;
    L.DomUtil.setPosition(c, m.containerPointToLayerPoint([0, 0]));
    c.width = size.x;
    c.height = size.y;
    const g = this._grid;
    if (!g) return;
    const ctx = c.getContext('2d');
    ctx.globalAlpha = 0.72;
    for (const cell of g.cells) {
      const [index, people, b1, b2, b3, unc, other] = cell;
      const col = index % g.cols, row = Math.floor(index / g.cols);
      const sw = m.latLngToContainerPoint([g.lat0 + row * g.dlat, g.lon0 + col * g.dlon]);
      const ne = m.latLngToContainerPoint([g.lat0 + (row + 1) * g.dlat, g.lon0 + (col + 1) * g.dlon]);
      if (ne.x < 0 || sw.x > size.x || sw.y < 0 || ne.y > size.y) continue;
      let colour;
      if (unc > 0 && unc >= 0.5 * (people - other)) colour = UNCOVERED;
      else if (other >= people - other) colour = OTHER;
      else colour = BAND_COLOURS[b1 >= b2 && b1 >= b3 ? 0 : b2 >= b3 ? 1 : 2];
      ctx.fillStyle = colour;
      ctx.fillRect(Math.floor(sw.x), Math.floor(ne.y), Math.max(1, Math.ceil(ne.x - sw.x)), Math.max(1, Math.ceil(sw.y - ne.y)));
    }
  },
});

function roadStyle(feature) {
  const rank = feature.properties.rank;
  const major = ['motorway', 'trunk', 'primary', 'secondary'].includes(feature.properties.class);
  return { color: major ? '#8a5a2b' : '#7d7d7d', weight: Math.max(0.6, 3 - 0.45 * rank), opacity: major ? 0.9 : 0.45, interactive: false };
}

function typeColour(type) {
  const types = [...new Set(region.facilities.map((f) => f.type))].sort();
  return TYPE_COLOURS[Math.max(0, types.indexOf(type)) % TYPE_COLOURS.length];
}

function drawFacilities() {
  // Hundreds of facilities (a city's clinics) would hide the coverage under full-size markers.
  const crowded = region.facilities.length > 100;
  for (const f of region.facilities) {
    const marker = L.circleMarker([f.lat, f.lon], {
      renderer: sitesRenderer, radius: crowded ? 3.5 : 6, color: '#222', weight: crowded ? 0.6 : 1.5, fillColor: typeColour(f.type), fillOpacity: 0.95, bubblingMouseEvents: false,
    }).addTo(map);
    marker.bindTooltip(`${f.name || f.id} (${f.type || '—'})${f.on_network ? '' : ' · off network'}`);
    marker.on('click', () => {
      const closing = !state.closed.has(f.id);
      if (closing) state.closed.add(f.id); else state.closed.delete(f.id);
      state.history.push({ kind: closing ? 'close' : 'reopen', id: f.id });
      refresh();
    });
    facilityLayers[f.id] = marker;
  }
}

function styleFacilities() {
  for (const f of region.facilities) {
    const closed = state.closed.has(f.id);
    // A restyle redraws the markers' canvas: only those whose state changed.
    if (facilityLayers[f.id].closed === closed) continue;
    facilityLayers[f.id].closed = closed;
    facilityLayers[f.id].setStyle({ fillColor: closed ? '#ffffff' : typeColour(f.type), color: closed ? '#999' : '#222', dashArray: closed ? '2 2' : null });
  }
}

function drawAdded() {
  addedLayer.clearLayers();
  state.added.forEach((p, i) => {
    const m = L.marker([p.lat, p.lon], { draggable: true, title: `new-${i + 1}` }).addTo(addedLayer);
    m.bindTooltip(`new-${i + 1}`);
    m.on('dragend', () => {
      const ll = m.getLatLng();
      state.history.push({ kind: 'move', index: i, from: { lon: p.lon, lat: p.lat } });
      p.lon = ll.lng;
      p.lat = ll.lat;
      refresh();
    });
    m.on('click', (e) => L.DomEvent.stopPropagation(e));
  });
}

function describe(change) {
  if (change.kind === 'add') return `${t.added} new-${change.index + 1}`;
  if (change.kind === 'propose') return `${t.proposed}: ${change.count}`;
  if (change.kind === 'move') return `${t.moved} new-${change.index + 1}`;
  const f = region.facilities.find((x) => x.id === change.id);
  return `${change.kind === 'close' ? t.closed : '↺'} ${f ? f.name || f.id : change.id}`;
}

function undo() {
  const c = state.history.pop();
  if (!c) return;
  if (c.kind === 'add') state.added.pop();
  else if (c.kind === 'propose') state.added.splice(state.added.length - c.count, c.count);
  else if (c.kind === 'move') Object.assign(state.added[c.index], c.from);
  else if (c.kind === 'close') state.closed.delete(c.id);
  else if (c.kind === 'reopen') state.closed.add(c.id);
  refresh();
}

function drawChanges() {
  const list = document.getElementById('changes');
  list.innerHTML = '';
  if (!state.history.length) {
    const li = document.createElement('li');
    li.className = 'muted';
    li.textContent = t.noChanges;
    list.appendChild(li);
  }
  for (const c of state.history) {
    const li = document.createElement('li');
    li.textContent = describe(c);
    list.appendChild(li);
  }
}

function row(cells, header) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement(header ? 'th' : 'td');
    td.textContent = c;
    tr.appendChild(td);
  }
  return tr;
}

function drawCoverage(cov) {
  lastCoverage = cov;
  const totals = document.getElementById('totals');
  totals.innerHTML = '';
  const lines = [[t.population, cov.population_total], [t.covered, cov.population_covered], [t.uncovered, cov.population_uncovered],
    [t.off, cov.population_off_network], [t.na, cov.population_not_applicable]];
  for (const [label, v] of lines) totals.appendChild(row([label, fmt(v)]));
  totals.appendChild(row([t.ratio, pct(cov.coverage_ratio)]));
  const covered = totals.rows[1].cells[1];
  covered.id = 'covered';
  covered.dataset.value = String(cov.population_covered);
  document.getElementById('status').textContent =
    `${t.elapsed} ${fmt(cov.elapsed_ms, 1)} ${t.ms} · ${t.sites} ${cov.facilities_used} / ${cov.facilities_matching}`;
  const admin = document.getElementById('admin');
  admin.innerHTML = '';
  if (!region.admin.length) {
    admin.appendChild(row([t.noAdmin]));
    return finishCoverage(cov);
  }
  admin.appendChild(row([t.name, t.people, t.covered, t.ratio, t.units], true));
  for (const u of cov.by_admin) {
    const tr = row([u.name, fmt(u.population), fmt(u.covered), pct(u.coverage_ratio),
      u.units_required === null ? fmt(u.units_present) : `${fmt(u.units_required)} / ${fmt(u.units_present)}`]);
    if (u.units_required !== null && u.units_present < u.units_required) tr.className = 'short';
    admin.appendChild(tr);
  }
  finishCoverage(cov);
}

function finishCoverage(cov) {
  if (cov.grid) gridLayer.setData(cov.grid);
  if (changedAt !== null) {
    // From the change (a click) to the redrawn map and panel: what a planner waits for.
    document.getElementById('status').dataset.redrawMs = String(performance.now() - changedAt);
    changedAt = null;
  }
  for (const c of ['urban', 'rural']) {
    const input = document.getElementById(`limit-${c}`);
    if (document.activeElement !== input) input.value = toUnit(cov.limits[c]);
  }
}

async function refresh() {
  if (changedAt === null) changedAt = performance.now();
  styleFacilities();
  drawAdded();
  drawChanges();
  const seq = ++requestSeq;
  document.getElementById('status').textContent = t.loading;
  try {
    const cov = await api('/api/coverage', Object.assign(scenarioBody(), { grid: true }));
    if (seq === requestSeq) drawCoverage(cov);
  } catch (e) {
    if (seq !== requestSeq) return;
    toast(e.message);
    // The change the server refused is taken back.
    const last = state.history[state.history.length - 1];
    if (last && (last.kind === 'add' || last.kind === 'move' || last.kind === 'propose')) undo();
    else if (lastCoverage) drawCoverage(lastCoverage);
  }
}

async function propose() {
  if (!region.candidates) { toast(t.noCandidates); return; }
  const out = document.getElementById('propose-result');
  out.textContent = t.loading;
  const body = Object.assign(scenarioBody(), { objective: document.getElementById('objective').value });
  if (body.objective === 'max-cover') body.sites = Number(document.getElementById('sites').value);
  try {
    const res = await api('/api/optimize', body);
    for (const s of res.selected) state.added.push({ lon: s.lon, lat: s.lat });
    if (res.selected.length) state.history.push({ kind: 'propose', count: res.selected.length });
    out.textContent = `${res.selected.length} · ${t.covered} ${fmt(res.population_covered)} (${t.gain} ` +
      `${fmt(res.population_covered - res.population_covered_existing)}) · ${res.solver} · ${fmt(res.elapsed_ms, 0)} ${t.ms}`;
    refresh();
  } catch (e) {
    out.textContent = '';
    toast(e.message);
  }
}

async function save(which) {
  try {
    const body = scenarioBody();
    const cov = await api('/api/coverage', body);
    state.saved[which] = cov;
    drawCompare();
  } catch (e) {
    toast(e.message);
  }
}

function drawCompare() {
  const table = document.getElementById('compare');
  table.innerHTML = '';
  const a = state.saved.A, b = state.saved.B;
  if (!a && !b) return;
  table.appendChild(row([t.name, t.scenarioA, t.scenarioB, t.diff], true));
  const units = (a || b).by_admin.map((u) => u.name);
  units.forEach((name, i) => {
    const ca = a ? a.by_admin[i].covered : null, cb = b ? b.by_admin[i].covered : null;
    table.appendChild(row([name, a ? fmt(ca) : '—', b ? fmt(cb) : '—', a && b ? fmt(cb - ca) : '—']));
  });
  const ta = a ? a.population_covered : null, tb = b ? b.population_covered : null;
  table.appendChild(row([t.total, a ? fmt(ta) : '—', b ? fmt(tb) : '—', a && b ? fmt(tb - ta) : '—']));
}

async function download(kind) {
  const status = document.getElementById('status');
  const before = status.textContent;
  status.textContent = t.downloading;
  try {
    const blob = await api(`/api/download/${kind}`, scenarioBody());
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `healthreach-${region.service}-scenario.${kind === 'gpkg' ? 'gpkg' : kind === 'report' ? 'html' : 'png'}`;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  } catch (e) {
    toast(e.message);
  }
  status.textContent = before;
}

function legend() {
  const control = L.control({ position: 'bottomleft' });
  control.onAdd = () => {
    const div = L.DomUtil.create('div', 'legend');
    const items = [[BAND_COLOURS[0], t.band1], [BAND_COLOURS[1], t.band2], [BAND_COLOURS[2], t.band3], [UNCOVERED, t.uncov], [OTHER, t.other]];
    div.innerHTML = items.map(([c, label]) => `<div><i style="background:${c}"></i>${label}</div>`).join('');
    const types = [...new Set(region.facilities.map((f) => f.type))].sort();
    div.innerHTML += types.map((ty) => `<div><b class="dot" style="background:${typeColour(ty)}"></b>${ty || t.facility}</div>`).join('');
    div.innerHTML += `<div><b class="dot" style="background:#fff;border-style:dashed"></b>${t.closedF}</div>`;
    return div;
  };
  control.addTo(map);
}

// The page's service: ?service=NAME (another service is loaded by the server on first use).
const serviceQuery = new URLSearchParams(window.location.search).get('service');
const withService = (path) => (serviceQuery ? `${path}?service=${encodeURIComponent(serviceQuery)}` : path);

async function start() {
  region = await api(withService('/api/region'));
  t = TEXT[region.lang] || TEXT.zh;
  document.documentElement.lang = region.lang === 'en' ? 'en' : 'zh-CN';
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t[el.dataset.t];
  document.getElementById('title').textContent = `healthreach · ${region.service}`;
  document.getElementById('subtitle').textContent = `${region.crs} · ${region.metric}`;
  for (const el of document.querySelectorAll('.unit')) el.textContent = region.metric === 'distance' ? t.km : t.min;

  const [w, s, e, n] = region.bbox_wgs84;
  map = L.map('map', { zoomAnimation: false, preferCanvas: true, attributionControl: false });
  // Panes, bottom up: roads and admin borders (their own canvas, redrawn only when the map moves),
  // the coverage grid, the facilities (their own canvas), then Leaflet's markers.
  map.createPane('roads').style.zIndex = 350;
  map.createPane('coverage').style.zIndex = 450;
  map.createPane('sites').style.zIndex = 500;
  const roadsRenderer = L.canvas({ pane: 'roads' });
  sitesRenderer = L.canvas({ pane: 'sites' });
  map.fitBounds([[s, w], [n, e]]);
  L.control.scale({ imperial: false }).addTo(map);
  gridLayer = new CanvasGrid().addTo(map);
  const [roads, admin] = await Promise.all([api(withService('/api/layers/roads')), api(withService('/api/layers/admin'))]);
  L.geoJSON(roads, { style: roadStyle, interactive: false, renderer: roadsRenderer }).addTo(map);
  const units = L.geoJSON(admin, { style: { color: '#333', weight: 1.6, fill: false, interactive: false }, renderer: roadsRenderer }).addTo(map);
  if (admin.features.length <= 60) {
    units.eachLayer((layer) => {
      const c = layer.getBounds().getCenter();
      L.tooltip({ permanent: true, direction: 'center', className: 'admin-label', interactive: false })
        .setLatLng(c).setContent(layer.feature.properties.name).addTo(map);
    });
  }
  addedLayer = L.layerGroup().addTo(map);
  drawFacilities();
  legend();

  map.on('click', (ev) => {
    state.added.push({ lon: ev.latlng.lng, lat: ev.latlng.lat });
    state.history.push({ kind: 'add', index: state.added.length - 1 });
    refresh();
  });
  const select = document.getElementById('service');
  for (const name of region.services) {
    const option = document.createElement('option');
    option.value = option.textContent = name;
    option.selected = name === region.service;
    select.appendChild(option);
  }
  // Another service has other facilities and limits: a fresh page (the server loads it on first use).
  select.onchange = () => { window.location.search = `?service=${encodeURIComponent(select.value)}`; };
  document.getElementById('undo').onclick = undo;
  document.getElementById('reset').onclick = () => {
    state.added = [];
    state.closed.clear();
    state.history = [];
    refresh();
  };
  document.getElementById('propose').onclick = propose;
  document.getElementById('save-a').onclick = () => save('A');
  document.getElementById('save-b').onclick = () => save('B');
  for (const b of document.querySelectorAll('[data-download]')) b.onclick = () => download(b.dataset.download);
  for (const c of ['urban', 'rural']) {
    const input = document.getElementById(`limit-${c}`);
    input.value = toUnit(region.limits[c]);
    input.placeholder = t.noLimit;
    input.onchange = () => {
      const v = Number(input.value);
      if (input.value === '') delete state.limits[c];
      else if (v > 0) state.limits[c] = fromUnit(v);
      else { toast(`${t[c]}: > 0`); return; }
      refresh();
    };
  }
  refresh();
}

start().catch((e) => toast(e.message));
