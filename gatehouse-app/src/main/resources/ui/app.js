// gatehouse dashboard: polls the admin API every 2 s and draws listeners -> routes -> backends, per-route
// traffic charts from /metrics (Prometheus text), recent reloads, and an explain box. No framework, no build.
'use strict';

const POLL_MS = 2000;
const HISTORY = 90;                 // chart points kept per series: 3 minutes at 2 s
const TOKEN_KEY = 'gatehouse-admin-token';
const state = { selectedListener: null, routes: null, metrics: { prev: null, series: new Map(), missing: false } };

// ---- small DOM helper: text only, never innerHTML, so config values cannot inject markup ----
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined) e.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) {
    if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}
const $ = (id) => document.getElementById(id);
function replace(id, ...children) { $(id).replaceChildren(...children.flat()); }

// ---- admin API with the optional bearer token, asked for once and kept for the browser session ----
class Unauthorized extends Error {}
async function api(path, asText) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = 'Bearer ' + token;
  const r = await fetch(path, { headers, cache: 'no-store' });
  if (r.status === 401) throw new Unauthorized();
  if (asText) return r;
  const body = await r.json();
  if (!r.ok) throw new Error(path + ': ' + (body.error || r.status));
  return body;
}
$('token-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token-form').hidden = true;
  poll();
});

// ---- header ----
function renderHeader(reloads) {
  $('generation').textContent = reloads.generation;
  const ready = $('ready');
  ready.textContent = reloads.ready ? 'ready' : 'not ready';
  ready.className = 'badge ' + (reloads.ready ? 'ok' : 'bad');
  const last = reloads.reloads[0];
  $('last-reload').textContent = last
    ? 'last reload ' + new Date(last.at).toLocaleTimeString() + (last.applied ? ' ok' : ' FAILED')
    : 'last reload –';
  replace('reloads', reloads.reloads.length === 0 ? el('p', { class: 'muted' }, 'none yet') :
    el('table', {}, reloads.reloads.map((r) => el('tr', { class: r.applied ? '' : 'failed' },
      el('td', {}, new Date(r.at).toLocaleTimeString()),
      el('td', {}, r.applied ? 'applied' : 'rejected'),
      el('td', {}, 'gen ' + r.generation),
      el('td', { class: 'mono' }, r.errors.join('\n'))))));
}

// ---- listeners -> routes ----
function renderRoutes(report) {
  state.routes = report;
  replace('listeners', report.listeners.length === 0 ? el('p', { class: 'muted' }, 'no listeners') :
    report.listeners.map((l) => el('div', {
      class: 'listener' + (state.selectedListener === l.id ? ' selected' : ''), 'data-listener': l.id,
      onclick: () => { state.selectedListener = state.selectedListener === l.id ? null : l.id; renderRoutes(state.routes); },
    },
    el('div', { class: 'id' }, ':' + l.port + ' ' + l.protocol + ' ', el('span', { class: 'mono' }, l.id)),
    el('div', { class: 'muted' }, 'hostname ' + l.hostname + ' · ' + l.routes.length + ' route(s)' + (l.tls ? ' · TLS' : '')),
    l.problems.length ? el('div', { class: 'problems' }, l.problems.join('; ')) : null)));
  replace('unattached', report.unattached.length === 0 ? el('p', { class: 'muted' }, 'every route is attached') :
    report.unattached.map((u) => el('div', { class: 'problems', 'data-unattached': u.route },
      u.route + ' → ' + u.parentRef + ': ' + u.reason + ': ' + u.message)));
  const shown = report.listeners.filter((l) => !state.selectedListener || l.id === state.selectedListener);
  $('route-filter').textContent = state.selectedListener ? 'on ' + state.selectedListener + ' (click again for all)' : '';
  const routes = [];
  for (const l of shown) {
    for (const r of l.routes) {
      routes.push(el('div', { class: 'route' + (r.problems.length ? ' problem' : ''), 'data-route': r.route },
        el('div', {}, el('span', { class: 'name' }, r.route), ' ', el('span', { class: 'muted' }, 'on ' + l.id + ' · hosts ' + r.hostnames.join(', '))),
        r.problems.length ? el('div', { class: 'problems' }, r.problems.join('; ')) : null,
        r.rules.map(renderRule)));
    }
  }
  replace('routes', routes.length ? routes : el('p', { class: 'muted' }, 'no routes attached'));
}

function renderRule(rule) {
  return el('div', { class: 'rule' },
    el('div', {}, el('span', { class: 'tag' }, 'rule ' + rule.index + (rule.name ? ' ' + rule.name : '')),
      rule.matches.map((m) => el('code', { class: 'tag' }, m))),
    rule.filters.length ? el('div', {}, 'filters: ', rule.filters.map((f) => el('span', { class: 'tag' }, f.type))) : null,
    // which SecurityPolicy / BackendTrafficPolicy applies and why: the most specific target wins, whole
    (rule.policies || []).length ? el('div', {}, 'policies: ', rule.policies.map((p) => el('span', {
      class: 'tag', title: 'via ' + p.target + (p.displaced.length ? '; overrides ' + p.displaced.join(', ') : ''),
    }, p.kind + ' ' + p.policy + ' via ' + p.target + (p.displaced.length ? ' (overrides ' + p.displaced.length + ')' : '')))) : null,
    el('div', {}, '→ ', rule.backends.length === 0 ? el('span', { class: 'muted' }, answeredBy(rule) || 'no backends (500)') :
      rule.backends.map((b) => b.cluster
        ? el('a', { class: 'tag', href: '#', onclick: (ev) => { ev.preventDefault(); reveal('#backends', b.cluster); } },
          b.cluster + ' ×' + b.weight)
        : el('span', { class: 'tag failed' }, 'invalid: ' + b.invalidReason + ' ×' + b.weight))));
}

// a rule without backends is fine when a filter answers it (redirect, direct response)
function answeredBy(rule) {
  const f = rule.filters.find((x) => x.type === 'RequestRedirect' || x.type === 'DirectResponse');
  return f ? 'answered by ' + f.type : null;
}

// navigation between panes: scroll to the route or cluster and flash it
function reveal(pane, name) {
  const attr = pane === '#routes' ? 'data-route' : 'data-cluster';
  const target = [...document.querySelectorAll(pane + ' [' + attr + ']')].find((e) => e.getAttribute(attr) === name);
  if (!target) return;
  target.scrollIntoView({ block: 'nearest' });
  target.classList.remove('flash');
  void target.offsetWidth;   // restart the animation
  target.classList.add('flash');
}

// ---- backends ----
function renderBackends(report) {
  replace('backends', report.clusters.length === 0 ? el('p', { class: 'muted' }, 'no backends') :
    report.clusters.map((c) => el('div', { class: 'cluster', 'data-cluster': c.name },
      el('div', {}, el('span', { class: 'name' }, c.name), ' ',
        el('span', { class: 'muted' }, c.ready + ' ready, ' + c.healthy + ' healthy, ' + c.unhealthy + ' unhealthy')),
      el('div', { class: 'muted' }, 'used by ', c.usedBy.length === 0 ? 'nothing' : c.usedBy.map((r, i) => [i ? ', ' : '',
        el('a', { href: '#', onclick: (ev) => { ev.preventDefault(); state.selectedListener = null; renderRoutes(state.routes); reveal('#routes', r); } }, r)])),
      c.endpoints.length === 0 ? el('div', { class: 'problems' }, 'no ready endpoints: requests get 503') :
        c.endpoints.map((e) => {
          const ejected = e.passive && e.passive.ejected;
          return el('span', {
            class: 'chip endpoint health-' + (ejected ? 'UNHEALTHY' : e.health), 'data-endpoint': e.address,
            'data-health': e.health,
            title: e.health + (e.since ? ' since ' + e.since : '') + (e.lastError ? ': ' + e.lastError : '')
              + (e.check ? ' (check: ' + e.check + ')' : '')
              + (!e.passive ? '' : (ejected ? '; ejected, ' + Math.ceil(e.passive.remainingMillis / 1000) + ' s left: '
                : '; last ejected: ') + e.passive.reason + ' (' + e.passive.ejections + ' ejections)'),
          }, e.address);
        }))));
}

// ---- metrics: Prometheus text -> per-route series of rate, 5xx share, p50, p99 ----
function parseProm(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/);
    if (!m) continue;
    const labels = {};
    if (m[3]) for (const lm of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2].replace(/\\(.)/g, '$1');
    samples.push({ name: m[1], labels, value: parseFloat(m[4]) });
  }
  return samples;
}

function summarize(samples) {
  const routes = new Map();
  const get = (r) => { if (!routes.has(r)) routes.set(r, { total: 0, errors: 0, buckets: new Map() }); return routes.get(r); };
  for (const s of samples) {
    if (s.name === 'gatehouse_http_requests_total' && s.labels.route) {
      const r = get(s.labels.route);
      r.total += s.value;
      if (s.labels.status_class === '5xx') r.errors += s.value;
    } else if (s.name === 'gatehouse_http_request_duration_seconds_bucket' && s.labels.route) {
      const b = get(s.labels.route).buckets;
      const le = s.labels.le === '+Inf' ? Infinity : parseFloat(s.labels.le);
      b.set(le, (b.get(le) || 0) + s.value);
    }
  }
  return routes;
}

// histogram_quantile over the bucket deltas of one poll interval, interpolating inside the bucket
function quantile(q, buckets) {
  const les = [...buckets.keys()].sort((a, b) => a - b);
  const total = buckets.get(Infinity) ?? (les.length ? buckets.get(les[les.length - 1]) : 0);
  if (!total) return null;
  const rank = q * total;
  let prevLe = 0, prevCount = 0;
  for (const le of les) {
    const c = buckets.get(le);
    if (c >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + (le - prevLe) * ((rank - prevCount) / Math.max(c - prevCount, 1e-9));
    }
    prevLe = le; prevCount = c;
  }
  return prevLe;
}

function updateMetrics(text, now) {
  const m = state.metrics;
  const cur = summarize(parseProm(text));
  if (m.prev) {
    const dt = (now - m.prev.at) / 1000;
    for (const [route, c] of cur) {
      const p = m.prev.routes.get(route) || { total: 0, errors: 0, buckets: new Map() };
      const dReq = Math.max(c.total - p.total, 0);   // a counter reset (restart) reads as 0, not negative
      const dErr = Math.max(c.errors - p.errors, 0);
      const delta = new Map();
      for (const [le, v] of c.buckets) delta.set(le, Math.max(v - (p.buckets.get(le) || 0), 0));
      const s = m.series.get(route) || { rate: [], err: [], p50: [], p99: [] };
      push(s.rate, dReq / dt);
      push(s.err, dReq > 0 ? 100 * dErr / dReq : 0);
      push(s.p50, quantile(0.5, delta));
      push(s.p99, quantile(0.99, delta));
      m.series.set(route, s);
    }
  }
  m.prev = { at: now, routes: cur };
}
function push(arr, v) { arr.push(v); if (arr.length > HISTORY) arr.shift(); }

function renderCharts() {
  const m = state.metrics;
  if (m.missing) { replace('charts', el('p', { class: 'muted', id: 'no-metrics' }, 'no metrics: this gateway does not serve /metrics yet')); return; }
  if (m.series.size === 0) { replace('charts', el('p', { class: 'muted' }, m.prev ? 'no requests yet' : 'waiting for metrics…')); return; }
  const charts = [];
  for (const [route, s] of [...m.series].sort()) {
    const last = (a) => { const v = a[a.length - 1]; return v === null || v === undefined ? '–' : v; };
    const ms = (v) => v === '–' ? v : (v * 1000).toFixed(1) + ' ms';
    const c1 = el('canvas', { width: 330, height: 70 });
    const c2 = el('canvas', { width: 330, height: 70 });
    const c3 = el('canvas', { width: 330, height: 70 });
    charts.push(el('div', { class: 'chart', 'data-route': route }, el('h4', {}, route),
      c1, el('div', { class: 'legend' }, 'requests/s ' + Number(last(s.rate)).toFixed(2)),
      c2, el('div', { class: 'legend' }, '5xx ' + Number(last(s.err)).toFixed(1) + ' %'),
      c3, el('div', { class: 'legend' }, 'p50 ' + ms(last(s.p50)) + ' · p99 ' + ms(last(s.p99)))));
    requestAnimationFrame(() => {
      draw(c1, [[s.rate, '#0969da']], 0, (v) => v.toFixed(v < 10 ? 2 : 0) + '/s');
      draw(c2, [[s.err, '#cf222e']], 100, (v) => v + ' %');
      draw(c3, [[s.p50, '#1a7f37'], [s.p99, '#9a6700']], 0, (v) => (v * 1000).toFixed(1) + ' ms');
    });
  }
  replace('charts', charts);
}

function draw(canvas, series, fixedMax, format) {
  const g = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  g.clearRect(0, 0, w, h);
  let max = fixedMax || 0;
  if (!fixedMax) for (const [data] of series) for (const v of data) if (v !== null && v > max) max = v;
  if (max === 0) max = 1;
  for (const [data, color] of series) {
    g.strokeStyle = color; g.lineWidth = 1.5; g.beginPath();
    let started = false;
    const points = data.map((v, i) => v === null ? null :
      [w - 3 - (data.length - 1 - i) * ((w - 6) / (HISTORY - 1)), h - 3 - (v / max) * (h - 16)]);
    points.forEach((p, i) => {
      if (!p) { started = false; return; }
      if (started) g.lineTo(p[0], p[1]); else { g.moveTo(p[0], p[1]); started = true; }
    });
    g.stroke();
    // a point with no neighbour draws no line: mark it, or a fresh chart looks empty
    g.fillStyle = color;
    points.forEach((p, i) => {
      if (p && !points[i - 1] && !points[i + 1]) { g.beginPath(); g.arc(p[0], p[1], 2.5, 0, 2 * Math.PI); g.fill(); }
    });
  }
  g.fillStyle = '#57606a'; g.font = '10px sans-serif'; g.fillText('max ' + format(max), 4, 11);
}

// ---- explain ----
$('explain-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const params = new URLSearchParams({ method: $('explain-method').value, url: $('explain-url').value.trim() });
  for (const line of $('explain-headers').value.split('\n')) if (line.trim()) params.append('header', line.trim());
  const out = $('explain-outcome');
  try {
    const a = await api('/explain?' + params);
    out.textContent = a.explanation.outcome.summary;
    out.className = a.explanation.matchedRule ? 'routed' : 'unrouted';
    out.dataset.kind = a.explanation.outcome.kind;
    $('explain-output').textContent = a.text;
  } catch (e) {
    if (e instanceof Unauthorized) { $('token-form').hidden = false; return; }
    out.textContent = String(e.message);
    out.className = 'unrouted';
    out.dataset.kind = 'ERROR';
    $('explain-output').textContent = '';
  }
});

// ---- where the config comes from: the files, or the cluster (leader, watched kinds) ----
function renderSource(s) {
  const el = $('source');
  if (s.mode !== 'kubernetes') { el.textContent = 'standalone: ' + s.config; el.title = ''; return; }
  const watched = s.kinds.filter(k => k.watched);
  const missing = s.kinds.filter(k => !k.watched).map(k => k.kind);
  el.textContent = 'kubernetes: ' + (s.leading ? 'leader (writes status)' : 'follower, leader ' + (s.leader || 'unknown'))
    + ' · ' + watched.length + ' kinds watched' + (missing.length ? ', ' + missing.length + ' missing' : '')
    + (s.lastChange ? ' · last change ' + new Date(s.lastChange).toLocaleTimeString() : '');
  el.title = s.apiServer + '\n' + watched.map(k => k.kind + ': ' + k.count).join('\n')
    + (missing.length ? '\nnot installed: ' + missing.join(', ') : '');
}

// ---- the poll loop ----
async function poll() {
  try {
    const [reloads, routes, backends, source] = await Promise.all([api('/reloads'), api('/routes').catch(noConfig),
      api('/backends').catch(noConfig), api('/source').catch(noConfig)]);
    renderHeader(reloads);
    if (source) renderSource(source);
    if (routes) renderRoutes(routes);
    if (backends) renderBackends(backends);
    const r = await api('/metrics', true);
    if (r.ok) { state.metrics.missing = false; updateMetrics(await r.text(), Date.now()); } else { state.metrics.missing = true; }
    renderCharts();
    $('poll-error').hidden = true;
  } catch (e) {
    if (e instanceof Unauthorized) { $('token-form').hidden = false; return; }
    $('poll-error').hidden = false;
    $('poll-error').textContent = 'admin API unreachable: ' + e.message;
  }
}
function noConfig(e) { if (e instanceof Unauthorized) throw e; return null; }

poll();
setInterval(() => { if ($('token-form').hidden) poll(); }, POLL_MS);
