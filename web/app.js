/*
 * aigov's web UI (docs/web.md): a single page over the JSON API of
 * `aigov serve` (docs/serve.md).  No framework, no build step, no inline
 * script or style (the page's CSP is default-src 'self'): the DOM is built
 * with createElement and textContent only, so no data is ever parsed as
 * HTML.  The server is the authority on who may do what; the UI hides what
 * a role cannot do and shows the server's answer when it refuses.
 */
'use strict';

const state = {
  me: null,          /* {name, actor, role, unit, csrf} once logged in */
  seq: 0,            /* the render in progress; older ones are dropped */
  filters: { q: '', tier: '', stage: '', unit: '' },
  ledgerSince: null,
  ledgerSubject: ''
};

const SVG_NS = 'http://www.w3.org/2000/svg';
const TIERS = ['low', 'medium', 'high'];
const STAGES = ['planning', 'data', 'modelling', 'deployment', 'retired'];
const BUSINESS_LINES = ['bank', 'insurance', 'securities', 'other'];
const USE_CASES = ['credit_scoring', 'aml_kyc', 'fraud', 'customer_service_chatbot', 'internal_admin',
  'investment_advice', 'underwriting', 'claims', 'marketing', 'market_surveillance', 'other'];
const AI_TYPES = ['machine_learning', 'deep_learning', 'generative', 'rule_assisted'];
const FACTORS = {
  customer_facing: ['no', 'internal_material', 'yes'],
  personal_data: ['none', 'limited', 'extensive', 'sensitive'],
  autonomy: ['human_in_the_loop', 'human_on_the_loop', 'fully_automated'],
  complexity: ['low', 'medium', 'high'],
  stakeholder_impact: ['low', 'medium', 'high'],
  remedy: ['complete', 'partial', 'none']
};
const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const OUTCOMES = ['upheld', 'overturned', 'amended'];
const REVIEW_RESULTS = ['pass', 'conditional', 'fail'];
const OVERSIGHT_KINDS = ['drill', 'shutdown', 'resume'];
const WRITERS = ['owner', 'risk'];
const LEDGER_READERS = ['risk', 'auditor', 'admin'];
const LEDGER_PAGE = 50;

/* ---- DOM helpers ---- */

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
  return el;
}

/* h('a', {href: '#/x', class: 'y', onclick: fn}, 'text', child, ...) */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'disabled' || k === 'hidden' || k === 'required' || k === 'selected')
      el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  return append(el, children);
}

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {}))
    if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  return append(el, children);
}

function $(sel) { return document.querySelector(sel); }

let idCounter = 0;
function uid(prefix) { idCounter += 1; return prefix + '-' + idCounter; }

/* A labelled form field: input, select or textarea. */
function field(label, control, hint) {
  if (!control.id) control.id = uid('f');
  const hintEl = hint ? h('span', { class: 'hint', id: control.id + '-hint' }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

function select(attrs, options, current) {
  const el = h('select', attrs);
  for (const o of options) {
    const opt = h('option', { value: o.value }, o.label);
    if (o.value === current) opt.selected = true;
    el.appendChild(opt);
  }
  return el;
}

function badge(kind, value, text) {
  return h('span', { class: 'badge ' + kind + '-' + (value || 'none') }, text);
}

function tierBadge(tier) {
  return badge('tier', tier, tier ? tEnum('tier', tier) : t('tier.none'));
}

function fmtTime(iso) {
  if (!iso) return t('dash');
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? m[1] + ' ' + m[2] + ' UTC' : iso;
}

function fmtNum(v, digits) {
  if (typeof v !== 'number') return v === null || v === undefined ? t('dash') : String(v);
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(digits === undefined ? 3 : digits);
}

function sysName(s) {
  const n = (s && s.name) || {};
  return n[I18N.lang] || n.en || (s && s.id) || '';
}

function table(caption, headers, rows, cls) {
  const thead = h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x))));
  const tbody = h('tbody', null, rows);
  /* Each cell names its column, for the stacked layout of narrow screens. */
  for (const tr of tbody.rows)
    Array.from(tr.cells).forEach((cell, i) => { if (headers[i]) cell.setAttribute('data-label', headers[i]); });
  return h('div', { class: 'table-wrap' },
    h('table', { class: cls || null }, h('caption', null, caption), thead, tbody));
}

/* A row whose first cell is its header (th scope=row). */
function row(first, ...cells) {
  return h('tr', null, h('th', { scope: 'row' }, h('div', { class: 'cell' }, first)),
    cells.map((c) => h('td', null, h('div', { class: 'cell' }, c))));
}

/* ---- messages (the aria-live region) ---- */

function flash(text, kind) {
  const box = $('#messages');
  box.replaceChildren(h('p', { class: 'msg ' + (kind || 'info') },
    h('span', null, text),
    h('button', { type: 'button', class: 'close', 'aria-label': t('close'), onclick: () => box.replaceChildren() }, '×')));
}

function clearMessages() { $('#messages').replaceChildren(); }

/* Go to a route keeping the message just shown. */
function navigate(hash) {
  if (location.hash === hash) { render(); return; }
  state.keepMessage = true;
  location.hash = hash;
}

/* ---- the API ---- */

class ApiError extends Error {
  constructor(status, title, detail, retryAfter) {
    super(detail || title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.retryAfter = retryAfter;
  }
}

async function api(method, path, body, raw) {
  const headers = { Accept: 'application/json' };
  let payload;
  if (raw !== undefined) {
    payload = raw;
    headers['Content-Type'] = 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  if (method !== 'GET' && state.me && state.me.csrf) headers['X-CSRF-Token'] = state.me.csrf;
  let res;
  try {
    res = await fetch('/api/v1' + path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'Network', e.message, 0);
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!res.ok) {
    const p = data && typeof data === 'object' ? data : {};
    const err = new ApiError(res.status, p.title || res.statusText, p.detail || p.title || text,
      parseInt(res.headers.get('Retry-After') || '0', 10) || 0);
    if (res.status === 401 && path !== '/session' && path !== '/me' && state.me) {
      state.me = null;
      flash(t('login.ended'), 'error');
      render();
    }
    throw err;
  }
  return data;
}

function errorText(e) {
  if (!(e instanceof ApiError)) return t('err.generic', { status: '?', detail: String(e && e.message) });
  if (e.status === 0) return t('err.network', { detail: e.detail });
  if (e.status === 403) return t('err.forbidden', { detail: e.detail });
  if (e.status === 404) return t('err.notfound', { detail: e.detail });
  return t('err.generic', { status: e.status + ' ' + e.title, detail: e.detail });
}

function showError(e) { flash(errorText(e), 'error'); }

/* The control catalog (GET /catalog), fetched once: a Map of id → control,
 * or null when the server has none to give (then the ids are shown). */
async function loadCatalog() {
  if (state.catalog !== undefined) return state.catalog;
  try {
    const c = await api('GET', '/catalog');
    state.catalog = new Map(((c && c.controls) || []).map((x) => [x.id, x]));
  } catch (e) {
    if (e.status === 401) throw e;
    state.catalog = null;
  }
  return state.catalog;
}

/* A control's title (or description) in the UI's language; null if unknown. */
function controlText(id, what) {
  const c = state.catalog && state.catalog.get(id);
  const v = c && c[what || 'title'];
  if (!v) return null;
  return typeof v === 'string' ? v : v[I18N.lang] || v.en || null;
}

/* A control as a cell: its title with the id under it, or the bare id. */
function controlCell(id) {
  const title = controlText(id);
  if (!title) return h('span', { class: 'mono' }, id);
  return h('span', { title: controlText(id, 'description') || null }, title, h('br'),
    h('span', { class: 'mono small' }, id));
}

/* The answer to a write: a message, then the page drawn again. */
async function write(form, call, done, again) {
  submitting(form, true);
  try {
    const r = await call();
    flash(done(r), 'ok');
    again('page-title');
    return r;
  } catch (e) {
    showError(e);
    submitting(form, false);
    return null;
  }
}

/* ---- charts (inline SVG built with the DOM) ---- */

/* Horizontal bars: entries [{label, value, cls}]; a figure with a caption. */
function barChart(caption, entries, opts) {
  const o = opts || {};
  const labelW = o.labelWidth || 220, barW = o.barWidth || 300, rowH = 26, valueW = 70;
  const width = labelW + barW + valueW, height = entries.length * rowH + 8;
  const max = Math.max(1, ...entries.map((e) => e.value));
  const summary = entries.map((e) => t('dash.chart_count', { label: e.label, value: fmtNum(e.value, 2) })).join('; ');
  const chart = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, class: 'chart', role: 'img',
    'aria-label': caption + ': ' + summary, preserveAspectRatio: 'xMinYMin meet' });
  entries.forEach((e, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(e.value > 0 ? 2 : 0, Math.round((e.value / max) * barW));
    const g = svg('g', null, svg('title', null, t('dash.chart_count', { label: e.label, value: fmtNum(e.value, 2) })));
    g.appendChild(svg('text', { x: labelW - 8, y: y + 17, class: 'chart-label', 'text-anchor': 'end' }, e.label));
    g.appendChild(svg('rect', { x: labelW, y: y + 4, width: barW, height: rowH - 10, class: 'chart-track' }));
    g.appendChild(svg('rect', { x: labelW, y: y + 4, width: w, height: rowH - 10, class: 'chart-bar ' + (e.cls || '') }));
    g.appendChild(svg('text', { x: labelW + barW + 8, y: y + 17, class: 'chart-value' }, fmtNum(e.value, 2)));
    chart.appendChild(g);
  });
  return h('figure', { class: 'chart-figure' }, o.noCaption ? null : h('figcaption', null, caption), chart);
}

/* Each evaluation check: its value on a scale with the warn and fail
 * thresholds marked (higher-is-better and lower-is-better alike). */
function checksChart(caption, checks) {
  const labelW = 300, barW = 300, rowH = 26, valueW = 80;
  const width = labelW + barW + valueW, height = checks.length * rowH + 8;
  const chart = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, class: 'chart', role: 'img',
    'aria-label': caption, preserveAspectRatio: 'xMinYMin meet' });
  checks.forEach((c, i) => {
    const y = 4 + i * rowH;
    const vals = [Math.abs(c.value || 0), Math.abs(c.warn || 0), Math.abs(c.fail || 0)];
    const max = Math.max(...vals) * 1.15 || 1;
    const x = (v) => labelW + Math.round((Math.abs(v || 0) / max) * barW);
    const label = c.metric + (c.subject ? ' · ' + c.subject : '');
    const g = svg('g', null, svg('title', null, label + ': ' + fmtNum(c.value) + ' (' +
      t('eval.warn') + ' ' + fmtNum(c.warn) + ', ' + t('eval.fail') + ' ' + fmtNum(c.fail) + ')'));
    g.appendChild(svg('text', { x: labelW - 8, y: y + 17, class: 'chart-label', 'text-anchor': 'end' }, label));
    g.appendChild(svg('rect', { x: labelW, y: y + 4, width: barW, height: rowH - 10, class: 'chart-track' }));
    g.appendChild(svg('rect', { x: labelW, y: y + 4, width: Math.max(2, x(c.value) - labelW), height: rowH - 10,
      class: 'chart-bar status-' + c.status }));
    if (typeof c.warn === 'number')
      g.appendChild(svg('line', { x1: x(c.warn), x2: x(c.warn), y1: y + 1, y2: y + rowH - 3, class: 'mark-warn' }));
    if (typeof c.fail === 'number')
      g.appendChild(svg('line', { x1: x(c.fail), x2: x(c.fail), y1: y + 1, y2: y + rowH - 3, class: 'mark-fail' }));
    g.appendChild(svg('text', { x: labelW + barW + 8, y: y + 17, class: 'chart-value' }, fmtNum(c.value)));
    chart.appendChild(g);
  });
  return h('figure', { class: 'chart-figure' }, h('figcaption', null, caption), chart,
    h('p', { class: 'legend' }, h('span', { class: 'key key-warn' }), t('eval.warn'), ' ',
      h('span', { class: 'key key-fail' }), t('eval.fail')));
}

/* ---- page furniture ---- */

function renderChrome() {
  document.title = t('app.title');
  $('#skip').textContent = t('skip');
  $('#brand').textContent = t('app.brand');
  $('#tagline').textContent = t('app.tagline');
  $('#lang-label').textContent = t('lang.label');
  const lang = $('#lang');
  lang.replaceChildren(...I18N.langs.map((l) => {
    const o = h('option', { value: l, lang: l }, I18N.names[l]);
    o.selected = l === I18N.lang;
    return o;
  }));
  const nav = $('#nav');
  nav.setAttribute('aria-label', t('nav.label'));
  const logout = $('#logout');
  const who = $('#who');
  if (!state.me) {
    nav.hidden = true;
    logout.hidden = true;
    who.textContent = '';
    return;
  }
  who.textContent = t('user.signed_in', { name: state.me.name, role: tEnum('role', state.me.role) });
  logout.hidden = false;
  logout.textContent = t('user.logout');
  const items = [['#/dashboard', 'nav.dashboard'], ['#/systems', 'nav.systems']];
  if (WRITERS.includes(state.me.role)) items.push(['#/register', 'nav.register']);
  items.push(['#/vendors', 'nav.vendors'], ['#/cases', 'nav.cases'], ['#/ledger', 'nav.ledger']);
  const here = currentPath();
  $('#nav-list').replaceChildren(...items.map(([href, key]) => {
    const active = here === href.slice(1) || (href === '#/systems' && here.startsWith('/systems/'));
    return h('li', null, h('a', { href, 'aria-current': active ? 'page' : null }, t(key)));
  }));
  nav.hidden = false;
}

function currentPath() {
  const hash = location.hash || '#/dashboard';
  return hash.slice(1).split('?')[0] || '/dashboard';
}

function heading(text, extra) {
  return h('div', { class: 'page-head' }, h('h1', { tabindex: '-1', id: 'page-title' }, text), extra || null);
}

function section(title, ...children) {
  const id = uid('s');
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), children);
}

/* ---- routing ---- */

const ROUTES = [
  [/^\/dashboard$/, viewDashboard],
  [/^\/systems$/, viewSystems],
  [/^\/systems\/([^/]+)$/, viewSystem],
  [/^\/systems\/([^/]+)\/edit$/, viewEdit],
  [/^\/register$/, viewRegister],
  [/^\/vendors$/, viewVendors],
  [/^\/cases$/, viewCases],
  [/^\/ledger$/, viewLedger]
];

async function render(opts) {
  const o = opts || {};
  const seq = ++state.seq;
  renderChrome();
  const main = $('#main');
  let nodes;
  if (!state.me) {
    nodes = viewLogin();
  } else {
    const path = currentPath();
    let view = null, args = [];
    for (const [re, fn] of ROUTES) {
      const m = re.exec(path);
      if (m) { view = fn; args = m.slice(1).map(decodeURIComponent); break; }
    }
    if (!o.keepFocus) main.replaceChildren(h('p', { class: 'loading' }, t('loading')));
    try {
      nodes = view ? await view(...args) : [heading(t('notfound.title')),
        h('p', null, t('notfound.text', { hash: location.hash }))];
    } catch (e) {
      if (seq !== state.seq) return;
      if (e instanceof ApiError && e.status === 401) return;
      nodes = [heading(t('err.generic', { status: e.status || '?', detail: '' }).replace(/[:：]\s*$/, '')),
        h('p', { class: 'msg error' }, errorText(e))];
    }
  }
  if (seq !== state.seq) return;
  main.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined && n !== false));
  main.setAttribute('aria-busy', 'false');
  if (o.focus) {
    const el = document.getElementById(o.focus);
    if (el) { el.focus(); return; }
  }
  if (!o.keepFocus) {
    const title = document.getElementById('page-title');
    if (title) title.focus();
  }
}

/* ---- log-in ---- */

function viewLogin() {
  const name = h('input', { type: 'text', id: 'login-name', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', id: 'login-password', name: 'password',
    autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', id: 'login-submit' }, t('login.submit'));
  const form = h('form', { id: 'login', class: 'card narrow', novalidate: true }, field(t('login.name'), name),
    field(t('login.password'), password), h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!name.value || !password.value) {
      (name.value ? password : name).focus();
      return;
    }
    submit.disabled = true;
    try {
      const me = await api('POST', '/session', { name: name.value, password: password.value });
      state.me = me;
      flash(t('login.done', { name: me.name }), 'ok');
      if (!location.hash || location.hash === '#/' || location.hash === '#') navigate('#/dashboard');
      else render();
    } catch (e) {
      submit.disabled = false;
      password.value = '';
      if (e.status === 429) flash(t('login.throttled', { seconds: e.retryAfter || '?' }), 'error');
      else flash(t('login.failed', { detail: e.detail || e.title }), 'error');
      password.focus();
    }
  });
  return [heading(t('login.title')), h('p', { class: 'intro' }, t('login.intro')), form];
}

async function logout() {
  try {
    await api('DELETE', '/session');
  } catch (e) {
    if (e.status !== 401) { showError(e); return; }
  }
  state.me = null;
  flash(t('logout.done'), 'ok');
  render();
}

/* ---- dashboard ---- */

const DASH_CHART = { labelWidth: 200, barWidth: 220, noCaption: true };

function statCard(label, value, cls, href) {
  const v = h('span', { class: 'stat-value' }, String(value));
  const l = h('span', { class: 'stat-label' }, label);
  return h('li', { class: 'stat ' + (cls || '') }, href ? h('a', { href }, v, l) : [v, l]);
}

async function viewDashboard() {
  const [stats, systems, gaps, verify, incidents] = await Promise.all([
    api('GET', '/stats'), api('GET', '/systems'), api('GET', '/gaps'), api('GET', '/ledger/verify'),
    api('GET', '/incidents')]);
  const missing = gaps.reduce((n, g) => n + (g.missing || 0), 0);
  const overdue = gaps.reduce((n, g) => n + (g.overdue || 0), 0);
  const byTier = stats.by_tier || {};
  const cards = h('ul', { class: 'stats' },
    statCard(t('dash.systems'), stats.systems, '', '#/systems'),
    statCard(t('dash.high'), byTier.high || 0, byTier.high ? 'warn' : ''),
    statCard(t('dash.not_assessed'), stats.not_assessed || 0, stats.not_assessed ? 'warn' : ''),
    statCard(t('dash.gaps'), missing, missing ? 'warn' : ''),
    statCard(t('dash.overdue'), overdue, overdue ? 'bad' : ''),
    statCard(t('dash.incidents'), stats.open_incidents || 0, stats.open_incidents ? 'bad' : '', '#/cases'),
    statCard(t('dash.appeals'), stats.open_appeals || 0, stats.open_appeals ? 'warn' : '', '#/cases'),
    statCard(t('dash.genai'), stats.generative_ai || 0),
    statCard(t('dash.vendor_share'), Math.round((stats.vendor_supplied_share || 0) * 100) + '%', '', '#/vendors'));

  const tierEntries = TIERS.map((x) => ({ label: tEnum('tier', x), value: byTier[x] || 0, cls: 'tier-' + x }))
    .reverse();
  if (stats.not_assessed) tierEntries.push({ label: t('tier.none'), value: stats.not_assessed, cls: 'tier-none' });
  const stageEntries = STAGES.map((x) => ({ label: tEnum('stage', x), value: (stats.by_stage || {})[x] || 0 }));
  const ucEntries = USE_CASES.map((x) => ({ label: tEnum('uc', x), value: (stats.by_use_case || {})[x] || 0 }))
    .filter((e) => e.value > 0);
  const blEntries = BUSINESS_LINES.map((x) => ({ label: tEnum('bl', x), value: (stats.by_business_line || {})[x] || 0 }));

  /* Re-assessments, soonest first: overdue ones and those within 180 days flagged. */
  const horizon = new Date(Date.now() + 180 * 86400e3).toISOString().slice(0, 10);
  const overdueIds = new Set(gaps.filter((g) => g.assessment_overdue).map((g) => g.system));
  const dueKey = (s) => (s.assessment && s.assessment.next_due) || '0000';
  const due = systems.slice().sort((a, b) => dueKey(a).localeCompare(dueKey(b))).slice(0, 8);
  const soon = due.filter((s) => overdueIds.has(s.id) || !s.assessment || dueKey(s) <= horizon).length;
  const dueBlock = [soon ? null : h('p', null, t('dash.due_none')),
    table(t('dash.due_next'), [t('col.name'), t('col.tier'), t('col.next_due')],
      due.map((s) => row(h('a', { href: '#/systems/' + encodeURIComponent(s.id) }, sysName(s)),
        tierBadge(s.assessment && s.assessment.tier),
        [s.assessment ? s.assessment.next_due : t('tier.none'), overdueIds.has(s.id)
          ? [' ', badge('gap', 'overdue', t('dash.due_overdue'))]
          : dueKey(s) <= horizon ? [' ', badge('gap', 'missing', t('dash.due_soon'))] : null])))];

  const findings = gaps.flatMap((g) => (g.vendor_findings || []).map((f) => ({ system: g.system, f })));
  const openInc = incidents.filter((i) => i.status === 'open');

  return [
    heading(t('dash.title')),
    cards,
    h('div', { class: 'grid charts' },
      section(t('dash.by_tier'), barChart(t('dash.by_tier'), tierEntries, DASH_CHART)),
      section(t('dash.by_stage'), barChart(t('dash.by_stage'), stageEntries, DASH_CHART)),
      section(t('dash.by_use_case'), barChart(t('dash.by_use_case'), ucEntries, DASH_CHART)),
      section(t('dash.by_business_line'), barChart(t('dash.by_business_line'), blEntries, DASH_CHART))),
    h('div', { class: 'grid' },
      section(t('dash.due'), dueBlock),
      section(t('dash.ledger'), verifySummary(verify), h('p', null, h('a', { href: '#/ledger' }, t('nav.ledger'))))),
    openInc.length ? section(t('dash.incidents'), incidentsTable(openInc)) : null,
    findings.length ? section(t('dash.vendor_findings'), h('ul', null, findings.map((x) =>
      h('li', null, h('a', { href: '#/systems/' + encodeURIComponent(x.system) }, x.system), ': ', x.f)))) : null
  ];
}

function verifySummary(v) {
  if (v.intact) {
    return h('div', { class: 'verify ok', id: 'verify-summary' },
      h('p', { class: 'verify-head' }, '✓ ', t('led.intact', { entries: v.entries, checkpoints: v.checkpoints,
        signed: v.signed_entries })),
      v.signed_root ? h('p', { class: 'mono small' }, t('led.root', { root: v.signed_root, key: v.key_id })) : null);
  }
  return h('div', { class: 'verify bad', id: 'verify-summary' },
    h('p', { class: 'verify-head' }, '✗ ', t('led.broken', { count: v.problem_count })),
    h('ul', null, (v.problems || []).map((p) => h('li', { class: 'mono' }, typeof p === 'string' ? p : JSON.stringify(p)))));
}

/* ---- inventory ---- */

async function viewSystems() {
  const [systems, gaps] = await Promise.all([api('GET', '/systems'), api('GET', '/gaps')]);
  const gapOf = new Map(gaps.map((g) => [g.system, g]));
  const f = state.filters;
  const units = [...new Set(systems.map((s) => s.owner_unit))].sort();
  const q = h('input', { type: 'search', id: 'filter-q', value: f.q });
  const tier = select({ id: 'filter-tier' }, [{ value: '', label: t('sys.all') },
    ...TIERS.map((x) => ({ value: x, label: tEnum('tier', x) })), { value: 'none', label: t('tier.none') }], f.tier);
  const stage = select({ id: 'filter-stage' }, [{ value: '', label: t('sys.all') },
    ...STAGES.map((x) => ({ value: x, label: tEnum('stage', x) }))], f.stage);
  const unit = select({ id: 'filter-unit' }, [{ value: '', label: t('sys.all') },
    ...units.map((x) => ({ value: x, label: x }))], f.unit);
  const count = h('p', { class: 'count', id: 'systems-count', 'aria-live': 'polite' });
  const holder = h('div');

  function update() {
    f.q = q.value; f.tier = tier.value; f.stage = stage.value; f.unit = unit.value;
    const needle = f.q.trim().toLowerCase();
    const shown = systems.filter((s) => {
      const st = s.assessment ? s.assessment.tier : 'none';
      if (f.tier && st !== f.tier) return false;
      if (f.stage && s.stage !== f.stage) return false;
      if (f.unit && s.owner_unit !== f.unit) return false;
      if (needle) {
        const hay = [s.id, s.name.en, s.name['zh-TW'], s.owner_unit, s.use_case, tEnum('uc', s.use_case)]
          .join(' ').toLowerCase();
        if (!hay.includes(needle)) return false;
      }
      return true;
    });
    count.textContent = t('sys.count', { shown: shown.length, total: systems.length });
    holder.replaceChildren(table(t('sys.caption'),
      [t('col.name'), t('col.business_line'), t('col.use_case'), t('col.stage'), t('col.tier'), t('col.next_due'),
        t('col.gaps'), t('col.unit')],
      shown.map((s) => {
        const g = gapOf.get(s.id);
        return row([h('a', { href: '#/systems/' + encodeURIComponent(s.id) }, sysName(s)), h('br'),
          h('span', { class: 'mono small' }, s.id)],
        tEnum('bl', s.business_line), tEnum('uc', s.use_case), tEnum('stage', s.stage),
        tierBadge(s.assessment && s.assessment.tier), s.assessment ? s.assessment.next_due : t('dash'),
        g ? [String(g.missing), ' / ', h('span', { class: g.overdue ? 'bad-text' : '' }, String(g.overdue))] : t('dash'),
        s.owner_unit);
      }), 'inventory'));
  }
  for (const el of [q, tier, stage, unit]) el.addEventListener(el === q ? 'input' : 'change', update);
  update();
  const filters = h('form', { class: 'filters', role: 'search', id: 'filters', onsubmit: (e) => e.preventDefault() },
    h('fieldset', null, h('legend', null, t('sys.filter')),
      field(t('sys.search'), q), field(t('sys.tier'), tier), field(t('sys.stage'), stage), field(t('sys.unit'), unit)));
  return [heading(t('sys.title'), WRITERS.includes(state.me.role)
    ? h('a', { href: '#/register', class: 'button' }, t('nav.register')) : null), filters, count, holder];
}

/* ---- one system ---- */

function dl(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter((p) => p).map(([k, v]) =>
    [h('dt', null, k), h('dd', null, v === null || v === undefined || v === '' ? t('dash') : v)]));
}

function summarize(e) {
  const p = e.payload || {};
  const bits = [];
  if (p.control) bits.push(p.control);
  if (p.url) bits.push(h('a', { href: p.url, rel: 'noopener noreferrer', target: '_blank' }, p.url));
  if (p.file) bits.push(String(p.file).replace(/^upload:/, '').split('/').pop());
  if (p.tier) bits.push(tEnum('tier', p.tier));
  if (p.override && p.override.tier) bits.push('→ ' + tEnum('tier', p.override.tier));
  if (p.stage) bits.push(tEnum('stage', p.stage));
  if (p.from && p.to) bits.push(tEnum('stage', p.from) + ' → ' + tEnum('stage', p.to));
  if (p.decision) bits.push(p.decision);
  if (p.outcome) bits.push(tEnum('out', p.outcome));
  if (p.result) bits.push(tEnum('rev', p.result));
  for (const k of ['root_cause', 'remediation', 'resolution']) if (p[k]) bits.push(p[k]);
  if (p.maker) bits.push(t('hist.maker', { actor: p.maker }));
  if (p.note) bits.push('“' + p.note + '”');
  if (p.title) bits.push(p.title);
  if (p.checks) bits.push(t('hist.checks', { n: p.checks.length }));
  if (p.reason) bits.push(p.reason);
  const out = [];
  bits.forEach((b, i) => { if (i) out.push(' · '); out.push(b); });
  return out;
}

/* Every ledger entry a path gives, 1,000 (the API's most) at a time. */
async function allEntries(path) {
  const out = [];
  for (let since = 0; ;) {
    const page = await api('GET', path + '?limit=1000&since=' + since);
    out.push(...page);
    if (page.length < 1000) return out;
    since = page[page.length - 1].seq;
  }
}

async function viewSystem(id) {
  const enc = encodeURIComponent(id);
  const [sys, gapsList, history] = await Promise.all([
    api('GET', '/systems/' + enc), api('GET', '/gaps?system=' + enc), allEntries('/systems/' + enc + '/history'),
    loadCatalog()]);
  const d = sys.descriptor || {};
  const gaps = gapsList[0] || { controls: [], missing: 0, overdue: 0 };
  const last = (pred) => { for (let i = history.length - 1; i >= 0; i--) if (pred(history[i])) return history[i]; return null; };
  const assess = last((e) => e.action === 'assess.record' || e.action === 'assess.override');
  const evaluations = history.filter((e) => e.action === 'evaluation.record');
  const explanations = history.filter((e) => e.action === 'explanation.record');
  const role = state.me.role;
  const ownUnit = role === 'risk' || (role === 'owner' && state.me.unit === sys.owner_unit);

  const head = heading(sysName(sys), h('div', { class: 'head-tools' }, tierBadge(sys.assessment && sys.assessment.tier),
    h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, t('print'))));
  const sub = h('p', { class: 'subtitle' }, h('span', { class: 'mono' }, sys.id), ' · ',
    (sys.name || {})[I18N.lang === 'en' ? 'zh-TW' : 'en'] || '');

  /* fact sheet */
  const ov = d.oversight;
  const facts = section(t('fact.title'), dl([
    [t('fact.purpose'), d.purpose],
    [t('col.business_line'), tEnum('bl', sys.business_line)],
    [t('col.use_case'), tEnum('uc', sys.use_case)],
    [t('fact.ai_type'), tEnum('ai', d.ai_type)],
    [t('col.unit'), sys.owner_unit],
    [t('col.stage'), tEnum('stage', sys.stage)],
    [t('fact.jurisdictions'), (d.jurisdictions || []).join(', ')],
    [t('fact.vendor'), d.vendor ? h('a', { href: '#/vendors' }, d.vendor) : null],
    [t('fact.critical'), d.critical ? t('yes') : t('no')],
    d.models && d.models.length ? [t('fact.models'), h('ul', null, d.models.map((m) =>
      h('li', null, m.version, m.artifact ? ' — ' + m.artifact : '', h('br'),
        h('span', { class: 'mono small' }, t('fact.sha256', { sha: m.sha256 })), m.signature ? ' ✓' : '')))] : null,
    d.data_sources && d.data_sources.length ? [t('fact.data_sources'), h('ul', null, d.data_sources.map((s) =>
      h('li', null, s.name, s.personal_data && s.personal_data.length
        ? h('span', { class: 'small' }, ' (' + t('fact.personal_data', { list: s.personal_data.join(', ') }) + ')') : '')))] : null
  ]), ov ? [h('h3', null, t('fact.oversight')), dl([
    [t('fact.human_override'), ov.human_override], [t('fact.shutdown'), ov.shutdown],
    [t('fact.authorized'), ov.authorized && ov.authorized.length ? h('ul', null, ov.authorized.map((a) => h('li', null, a))) : null],
    [t('fact.fallback'), ov.fallback], ov.drill_frequency ? [t('fact.drill_frequency'), ov.drill_frequency] : null])] : null);

  /* risk */
  let riskBody;
  if (!sys.assessment) {
    riskBody = [h('p', null, t('risk.none'))];
  } else {
    const a = sys.assessment;
    const p = (assess && assess.payload) || {};
    const fp = p.factor_points || {};
    const inputs = p.inputs || d.risk_factors || {};
    riskBody = [dl([
      [t('risk.tier'), tierBadge(a.tier)],
      [t('risk.assessed_at'), fmtTime(a.assessed_at) + (assess ? ' · ' + assess.actor : '')],
      [t('risk.revision'), String(a.revision)],
      [t('risk.next_due'), a.next_due],
      a.overridden ? [t('risk.overridden'), p.override && p.override.justification
        ? t('risk.override_justification', { text: p.override.justification }) : t('yes')] : null,
      p.points !== undefined ? [t('risk.points'), t('risk.computed', { computed: tEnum('tier', p.computed_tier),
        points: p.points, points_tier: tEnum('tier', p.points_tier) })] : null,
      p.rules && p.rules.length ? [t('risk.rules'), h('ul', null, p.rules.map((r) =>
        h('li', null, typeof r === 'string' ? r : (r.id || '') + (r.basis ? ': ' + r.basis : '') + (r.tier ? ' → ' + tEnum('tier', r.tier) : ''))))] : null,
      p.bankers_rule && p.bankers_rule.in_scope ? [t('risk.fsc_label'), t('risk.bankers_rule', { basis: p.bankers_rule.basis })] : null,
      p.eu_ai_act ? [t('risk.eu_label'), t('risk.eu', { cls: p.eu_ai_act.class, basis: p.eu_ai_act.basis }) +
        (p.eu_ai_act.applies ? '' : t('risk.eu_na'))] : null
    ])];
    const names = Object.keys(FACTORS);
    riskBody.push(h('div', { class: 'grid' },
      table(t('risk.caption'), [t('risk.factor'), t('risk.level'), t('risk.points')],
        names.map((k) => row(t('factor.' + k), tEnum('lv', inputs[k]), fp[k] !== undefined ? String(fp[k]) : t('dash')))),
      Object.keys(fp).length ? barChart(t('risk.chart'), names.map((k) => ({ label: t('factor.' + k), value: fp[k] || 0,
        cls: 'points' })), { labelWidth: 260, barWidth: 200 }) : null));
  }
  const risk = section(t('risk.title'), riskBody);

  /* controls, with the evidence and approvals the history names */
  const evidenceBy = new Map();
  for (const e of history) {
    if (e.action !== 'evidence.add' && e.action !== 'approval.grant') continue;
    const c = (e.payload || {}).control;
    if (!c) continue;
    if (!evidenceBy.has(c)) evidenceBy.set(c, []);
    evidenceBy.get(c).push(e);
  }
  const evidenceCell = (c) => {
    const list = evidenceBy.get(c) || [];
    if (!list.length) return t('dash');
    return h('ul', { class: 'evidence' }, list.map((e) => {
      const p = e.payload || {};
      const what = e.action === 'approval.grant' ? '✔ ' + t('ctl.approved')
        : p.url ? h('a', { href: p.url, rel: 'noopener noreferrer', target: '_blank' }, p.url)
          : evidenceFileLink(id, p);
      return h('li', null, what, h('span', { class: 'small' }, ' — ' + e.actor + ', ' + fmtTime(e.time) +
        (p.note ? ' — “' + p.note + '”' : '')));
    }));
  };
  const order = { overdue: 0, missing: 1, met: 2, later: 3, not_applicable: 4 };
  const byStatus = gaps.controls.slice().sort((a, b) => (order[a.status] ?? 5) - (order[b.status] ?? 5));
  const controlRows = (list) => list.map((c) => row(controlCell(c.id),
    badge('gap', c.status, tEnum('gap', c.status)), c.due || t('dash'), fmtTime(c.last), evidenceCell(c.id)));
  const heads = [t('ctl.control'), t('ctl.status'), t('ctl.due'), t('ctl.last'), t('ctl.evidence')];
  const applicable = byStatus.filter((c) => c.status !== 'not_applicable');
  const na = byStatus.filter((c) => c.status === 'not_applicable');
  const controls = section(t('ctl.title'),
    h('p', null, t('ctl.summary', { missing: gaps.missing, overdue: gaps.overdue }),
      gaps.assessment_overdue ? [' ', h('strong', { class: 'bad-text' }, t('ctl.assessment_overdue'))] : null),
    (gaps.vendor_findings || []).length ? h('ul', { class: 'findings' }, gaps.vendor_findings.map((f) => h('li', null, f))) : null,
    table(t('ctl.caption'), heads, controlRows(applicable), 'controls'),
    na.length ? h('details', { class: 'na' }, h('summary', null, t('ctl.not_applicable', { n: na.length })),
      table(t('ctl.not_applicable', { n: na.length }), heads, controlRows(na), 'controls-na')) : null);

  /* evaluations */
  let evalBody = [h('p', null, t('eval.none'))];
  if (evaluations.length) {
    const e = evaluations[evaluations.length - 1];
    const p = e.payload || {};
    const checks = p.checks || [];
    const tier = p.thresholds ? p.thresholds.tier : '';
    evalBody = [h('p', null, t('eval.at', { time: fmtTime(e.time), actor: e.actor })),
      checksChart(t('eval.chart'), checks),
      table(t('eval.caption', { tier: tEnum('tier', tier) }), [t('eval.metric'), t('eval.subject'), t('eval.value'),
        t('eval.warn'), t('eval.fail'), t('eval.status')],
      checks.map((c) => row(c.metric, c.subject || t('dash'), fmtNum(c.value), fmtNum(c.warn), fmtNum(c.fail),
        badge('status', c.status, t(c.status === 'ok' ? 'eval.ok' : c.status === 'warn' ? 'eval.warn_s' : 'eval.fail_s')))))];
  }
  const evalSec = section(t('eval.title'), evalBody);

  let explSec = null;
  if (explanations.length) {
    const e = explanations[explanations.length - 1];
    const g = (e.payload || {}).global || {};
    const feats = (g.features || []).slice(0, 15);
    explSec = section(t('expl.title'), h('p', null, t('expl.at', { time: fmtTime(e.time), actor: e.actor, rows: g.rows })),
      barChart(t('expl.chart'), feats.map((f) => ({ label: f.feature, value: f.mean_abs_contribution || 0,
        cls: f.violation ? 'status-fail' : 'points' }))),
      table(t('expl.chart'), [t('expl.feature'), t('expl.mean_abs'), t('expl.direction'), t('expl.violation')],
        feats.map((f) => row(f.feature, fmtNum(f.mean_abs_contribution, 4), tEnum('dir', f.direction),
          f.violation ? t('yes') : t('no')))));
  }

  /* actions by role */
  const actions = [];
  const controlOptions = byStatus.map((c) => ({ value: c.id,
    label: (controlText(c.id) ? controlText(c.id) + ' — ' + c.id : c.id) + ' (' + tEnum('gap', c.status) + ')' }));
  const firstMissing = (gaps.controls.find((c) => c.status === 'missing' || c.status === 'overdue') || {}).id;
  const again = (focus) => render({ keepFocus: true, focus });
  if (WRITERS.includes(role) && ownUnit) {
    actions.push(stageForm(sys, again), oversightForm(id, sys.shut_down, again),
      evidenceForm(id, controlOptions, firstMissing, again), evidenceFileForm(id, controlOptions, firstMissing, again));
  }
  if (role === 'risk') {
    actions.push(assessForm(id, again), approveForm(id, controlOptions, history, again));
  }
  let actSec;
  if (actions.length) actSec = section(t('act.title'), WRITERS.includes(role) && ownUnit
    ? h('p', { class: 'actions' }, h('a', { href: '#/systems/' + enc + '/edit', class: 'button', id: 'edit-link' }, t('edit.link')))
    : null, h('div', { class: 'grid forms' }, actions));
  else if (role === 'owner') actSec = section(t('act.title'), h('p', null, t('act.not_your_unit', { unit: state.me.unit })));
  else actSec = section(t('act.title'), h('p', null, t('act.none', { role: tEnum('role', role) })));

  const hist = section(t('hist.title'), table(t('hist.caption'),
    [t('hist.seq'), t('hist.time'), t('hist.actor'), t('hist.action'), t('hist.detail')],
    history.slice().reverse().map((e) => row(String(e.seq), fmtTime(e.time), e.actor, h('span', { class: 'mono' }, e.action),
      summarize(e))), 'history'));

  return [head, sub, facts, risk, controls, evalSec, explSec, actSec, hist];
}

/* An uploaded file's name (location upload:NAME), a link to its bytes
 * (GET .../evidence/files/SHA256, sent as an attachment). */
function evidenceFileLink(id, p) {
  const loc = String(p.file || '');
  const uploaded = loc.startsWith('upload:');
  const name = uploaded ? loc.slice(7) : loc.split('/').pop();
  /* Files the CLI recorded from a path are hashed, not kept: no link. */
  if (!uploaded || !/^[0-9a-f]{64}$/.test(String(p.sha256 || ''))) return name;
  return h('a', { href: '/api/v1/systems/' + encodeURIComponent(id) + '/evidence/files/' + p.sha256,
    download: name, class: 'evidence-file', title: t('evf.download', { sha: p.sha256 }) }, name);
}

/* The lifecycle gate: the next stage, or retirement; a refusal keeps the
 * server's reason in the card. */
function stageForm(sys, again) {
  const i = STAGES.indexOf(sys.stage);
  const next = i >= 0 && i < STAGES.indexOf('deployment') ? STAGES[i + 1] : null;
  const refused = h('div', { id: 'stage-refused' });
  const form = h('form', { id: 'stage-form', class: 'card' }, h('h3', null, t('stage.title')),
    h('p', null, t('stage.current', { stage: tEnum('stage', sys.stage) })), refused);
  if (sys.stage === 'retired') {
    form.appendChild(h('p', { class: 'small' }, t('stage.retired')));
    return form;
  }
  form.appendChild(h('p', { class: 'small' }, t('stage.intro')));
  const move = async (to) => {
    refused.replaceChildren();
    submitting(form, true);
    try {
      await api('POST', '/systems/' + encodeURIComponent(sys.id) + '/stage', { to });
      flash(t('stage.done', { stage: tEnum('stage', to) }), 'ok');
      again('page-title');
    } catch (e) {
      showError(e);
      refused.replaceChildren(h('p', { class: 'msg error' }, h('span', null, t('stage.refused', { detail: e.detail || e.title }))));
      submitting(form, false);
    }
  };
  form.appendChild(h('div', { class: 'actions' },
    next ? h('button', { type: 'button', id: 'stage-next', onclick: () => move(next) }, t('stage.next', { stage: tEnum('stage', next) })) : null,
    h('button', { type: 'button', id: 'stage-retire', class: 'secondary', onclick: () => move('retired') }, t('stage.retire'))));
  form.addEventListener('submit', (ev) => ev.preventDefault());
  return form;
}

/* Human oversight events: a drill or an emergency shutdown while the
 * system runs, the resumption while it is shut down. */
function oversightForm(id, down, again) {
  const kinds = OVERSIGHT_KINDS.filter((x) => (x === 'resume') === !!down);
  const kind = select({ id: 'ov-kind', name: 'kind' }, kinds.map((x) => ({ value: x, label: tEnum('ovk', x) })), kinds[0]);
  const reason = h('textarea', { id: 'ov-reason', name: 'reason', rows: '2', required: true, minlength: '5' });
  const form = h('form', { id: 'oversight-form', class: 'card' }, h('h3', null, t('ov.title')),
    h('p', { class: 'small' }, t('ov.intro')), h('p', { id: 'ov-state' }, t(down ? 'ov.state_down' : 'ov.state_up')),
    field(t('ov.kind'), kind), field(t('ov.reason'), reason, t('ov.reason_hint')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'ov-submit' }, t('ov.submit'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (reason.value.trim().length < 5) { flash(t('ov.short'), 'error'); reason.focus(); return; }
    write(form, () => api('POST', '/systems/' + encodeURIComponent(id) + '/oversight', { kind: kind.value, reason: reason.value.trim() }),
      () => t('ov.done', { kind: tEnum('ovk', kind.value) }), again);
  });
  return form;
}

function submitting(form, busy) {
  for (const b of form.querySelectorAll('button')) b.disabled = busy;
  form.setAttribute('aria-busy', busy ? 'true' : 'false');
}

function evidenceForm(id, options, preferred, again) {
  const control = select({ id: 'ev-control', name: 'control' }, options, preferred);
  const url = h('input', { type: 'url', id: 'ev-url', name: 'url', required: true, placeholder: 'https://' });
  const note = h('input', { type: 'text', id: 'ev-note', name: 'note' });
  const form = h('form', { id: 'evidence-form', class: 'card' }, h('h3', null, t('ev.title')),
    field(t('ev.control'), control), field(t('ev.url'), url), field(t('ev.note'), note),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('ev.submit'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { control: control.value, url: url.value.trim() };
    if (note.value.trim()) body.note = note.value.trim();
    submitting(form, true);
    try {
      await api('POST', '/systems/' + encodeURIComponent(id) + '/evidence', body);
      flash(t('ev.done', { control: body.control }), 'ok');
      again('page-title');
    } catch (e) { showError(e); submitting(form, false); }
  });
  return form;
}

function evidenceFileForm(id, options, preferred, again) {
  const control = select({ id: 'evf-control', name: 'control' }, options, preferred);
  const file = h('input', { type: 'file', id: 'evf-file', name: 'file', required: true });
  const note = h('input', { type: 'text', id: 'evf-note', name: 'note' });
  const form = h('form', { id: 'evidence-file-form', class: 'card' }, h('h3', null, t('evf.title')),
    field(t('ev.control'), control), field(t('evf.file'), file), field(t('ev.note'), note),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('evf.submit'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = file.files && file.files[0];
    if (!f) { flash(t('evf.nofile'), 'error'); file.focus(); return; }
    const q = new URLSearchParams({ control: control.value, name: f.name });
    if (note.value.trim()) q.set('note', note.value.trim());
    submitting(form, true);
    try {
      const r = await api('POST', '/systems/' + encodeURIComponent(id) + '/evidence/files?' + q.toString(), undefined, f);
      flash(t('evf.done', { name: r.file, size: r.size, sha: String(r.sha256).slice(0, 16) + '…', control: r.control }), 'ok');
      again('page-title');
    } catch (e) { showError(e); submitting(form, false); }
  });
  return form;
}

function assessForm(id, again) {
  const tier = select({ id: 'as-tier', name: 'tier' }, [{ value: '', label: t('as.tier_none') },
    ...TIERS.map((x) => ({ value: x, label: tEnum('tier', x) }))], '');
  const just = h('textarea', { id: 'as-justification', name: 'justification', rows: '3' });
  const form = h('form', { id: 'assess-form', class: 'card' }, h('h3', null, t('as.title')),
    h('p', { class: 'small' }, t('as.intro')), field(t('as.tier'), tier), field(t('as.justification'), just),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'assess-submit' }, t('as.submit'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {};
    if (tier.value) {
      if (!just.value.trim()) { flash(t('as.need_justification'), 'error'); just.focus(); return; }
      body.tier = tier.value;
      body.justification = just.value.trim();
    }
    submitting(form, true);
    try {
      const r = await api('POST', '/systems/' + encodeURIComponent(id) + '/assessments', body);
      flash(t('as.done', { tier: tEnum('tier', r && r.tier) }), 'ok');
      again('page-title');
    } catch (e) { showError(e); submitting(form, false); }
  });
  return form;
}

function approveForm(id, options, history, again) {
  /* Prefer the newest evidence someone else made. */
  let preferred = null;
  for (let i = history.length - 1; i >= 0 && !preferred; i--) {
    const e = history[i];
    if (e.action === 'evidence.add' && e.actor !== state.me.actor) preferred = (e.payload || {}).control;
  }
  const control = select({ id: 'ap-control', name: 'control' }, options, preferred);
  const note = h('input', { type: 'text', id: 'ap-note', name: 'note' });
  const form = h('form', { id: 'approve-form', class: 'card' }, h('h3', null, t('ap.title')),
    h('p', { class: 'small' }, t('ap.intro')), field(t('ap.control'), control), field(t('ap.note'), note),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'approve-submit' }, t('ap.submit'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { control: control.value };
    if (note.value.trim()) body.note = note.value.trim();
    submitting(form, true);
    try {
      await api('POST', '/systems/' + encodeURIComponent(id) + '/approvals', body);
      flash(t('ap.done', { control: body.control }), 'ok');
      again('page-title');
    } catch (e) { showError(e); submitting(form, false); }
  });
  return form;
}

/* ---- registration ---- */

/* The units already in the inventory, offered to the 2nd line. */
async function knownUnits() {
  if (state.me.role === 'owner') return [];
  return [...new Set((await api('GET', '/systems')).map((x) => x.owner_unit))].sort();
}

/* The descriptor form, for registering (orig null) and for editing (orig:
 * the descriptor as GET /systems/{id} gives it).  Fields the form does not
 * show (models, data sources, a drill frequency) are kept as they were.
 * save(desc) sends it; opts: {submitId, submitLabel}. */
function descriptorForm(orig, units, save, opts) {
  const o = orig || {};
  const role = state.me.role;
  const editing = Boolean(orig);
  const inp = (id, attrs) => h('input', Object.assign({ type: 'text', id, name: id }, attrs || {}));
  const names = o.name || {};
  const id = inp('reg-id', { required: true, pattern: '[a-z0-9][a-z0-9_.\\-]*', autocomplete: 'off', value: o.id || '',
    readonly: editing || null });
  const nameEn = inp('reg-name-en', { required: true, value: names.en || '' });
  const nameZh = inp('reg-name-zh', { required: true, lang: 'zh-TW', value: names['zh-TW'] || '' });
  const purpose = h('textarea', { id: 'reg-purpose', name: 'purpose', rows: '3', required: true, value: o.purpose || '' });
  const bl = select({ id: 'reg-business-line' }, BUSINESS_LINES.map((x) => ({ value: x, label: tEnum('bl', x) })), o.business_line || 'bank');
  const uc = select({ id: 'reg-use-case' }, USE_CASES.map((x) => ({ value: x, label: tEnum('uc', x) })), o.use_case || 'other');
  const ai = select({ id: 'reg-ai-type' }, AI_TYPES.map((x) => ({ value: x, label: tEnum('ai', x) })), o.ai_type || 'machine_learning');
  const unit = inp('reg-owner-unit', { required: true, value: o.owner_unit || state.me.unit || '',
    readonly: role === 'owner' ? true : null, list: role === 'owner' ? null : 'reg-units' });
  const stages = editing ? STAGES : STAGES.filter((x) => x !== 'retired');
  const stage = select({ id: 'reg-stage', disabled: editing || null },
    stages.map((x) => ({ value: x, label: tEnum('stage', x) })), o.stage || 'planning');
  const jur = inp('reg-jurisdictions', { value: (o.jurisdictions || ['TW']).join(', ') });
  const vendor = inp('reg-vendor', { value: o.vendor || '' });
  const critical = h('input', { type: 'checkbox', id: 'reg-critical', checked: Boolean(o.critical) });
  const factorSel = {};
  const rf = o.risk_factors || {};
  for (const [k, levels] of Object.entries(FACTORS))
    factorSel[k] = select({ id: 'reg-f-' + k }, levels.map((x) => ({ value: x, label: tEnum('lv', x) })), rf[k] || levels[0]);
  const ov0 = o.oversight || {};
  const ho = h('textarea', { id: 'reg-human-override', rows: '2', value: ov0.human_override || '' });
  const sd = h('textarea', { id: 'reg-shutdown', rows: '2', value: ov0.shutdown || '' });
  const auth = h('textarea', { id: 'reg-authorized', rows: '2', value: (ov0.authorized || []).join('\n') });
  const fb = h('textarea', { id: 'reg-fallback', rows: '2', value: ov0.fallback || '' });
  const oversight = h('fieldset', { id: 'reg-oversight' }, h('legend', null, t('reg.oversight')),
    field(t('fact.human_override'), ho), field(t('fact.shutdown'), sd), field(t('reg.authorized'), auth),
    field(t('fact.fallback'), fb));
  const syncOversight = () => { oversight.disabled = !critical.checked; };
  critical.addEventListener('change', syncOversight);
  syncOversight();

  const form = h('form', { id: editing ? 'edit-form' : 'register-form', class: 'card wide', novalidate: true },
    h('fieldset', null, h('legend', null, t('reg.basics')),
      h('div', { class: 'grid' }, field(t('reg.id'), id, editing ? t('edit.id_fixed') : null),
        field(t('reg.stage'), stage, editing ? t('edit.stage_fixed') : null),
        field(t('reg.name_en'), nameEn), field(t('reg.name_zh'), nameZh)),
      field(t('reg.purpose'), purpose),
      h('div', { class: 'grid' }, field(t('reg.business_line'), bl), field(t('reg.use_case'), uc),
        field(t('reg.ai_type'), ai), field(t('reg.owner_unit'), unit, role === 'owner' ? t('reg.owner_unit_fixed') : null),
        field(t('reg.jurisdictions'), jur), field(t('reg.vendor'), vendor)),
      h('div', { class: 'field check' }, critical, h('label', { for: 'reg-critical' }, t('reg.critical')))),
    h('fieldset', null, h('legend', null, t('reg.factors')),
      h('div', { class: 'grid' }, Object.keys(FACTORS).map((k) => field(t('factor.' + k), factorSel[k])))),
    oversight,
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: opts.submitId }, opts.submitLabel),
      editing ? h('a', { href: '#/systems/' + encodeURIComponent(o.id), class: 'button secondary', id: 'edit-cancel' }, t('edit.cancel')) : null));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    for (const el of [id, nameEn, nameZh, purpose, unit]) {
      if (!el.value.trim() || !el.checkValidity()) { el.focus(); el.reportValidity(); return; }
    }
    const desc = Object.assign({}, o, {
      id: id.value.trim(),
      name: Object.assign({}, o.name || {}, { en: nameEn.value.trim(), 'zh-TW': nameZh.value.trim() }),
      purpose: purpose.value.trim(),
      business_line: bl.value, use_case: uc.value, ai_type: ai.value,
      owner_unit: unit.value.trim(), stage: editing ? o.stage : stage.value,
      jurisdictions: jur.value.split(/[\s,]+/).filter(Boolean).map((x) => x.toUpperCase()),
      critical: critical.checked,
      risk_factors: Object.assign({}, rf, Object.fromEntries(Object.entries(factorSel).map(([k, s]) => [k, s.value])))
    });
    if (vendor.value.trim()) desc.vendor = vendor.value.trim();
    else delete desc.vendor;
    if (critical.checked) {
      desc.oversight = Object.assign({}, ov0, { human_override: ho.value.trim(), shutdown: sd.value.trim(),
        authorized: auth.value.split('\n').map((x) => x.trim()).filter(Boolean), fallback: fb.value.trim() });
    }
    submitting(form, true);
    try {
      await save(desc);
    } catch (e) { showError(e); submitting(form, false); }
  });
  return form;
}

function unitList(units) {
  return h('datalist', { id: 'reg-units' }, units.map((u) => h('option', { value: u })));
}

async function viewRegister() {
  const role = state.me.role;
  if (!WRITERS.includes(role))
    return [heading(t('reg.title')), h('p', null, t('reg.not_allowed', { role: tEnum('role', role) }))];
  const units = await knownUnits();
  const form = descriptorForm(null, units, async (desc) => {
    const r = await api('POST', '/systems', desc);
    flash(t('reg.done', { id: r.id }), 'ok');
    navigate('#/systems/' + encodeURIComponent(r.id));
  }, { submitId: 'register-submit', submitLabel: t('reg.submit') });
  return [heading(t('reg.title')), h('p', { class: 'intro' }, t('reg.intro')), form, unitList(units)];
}

/* #/systems/ID/edit: the descriptor, prefilled, as a new revision (PUT). */
async function viewEdit(id) {
  const enc = encodeURIComponent(id);
  const [sys, units] = await Promise.all([api('GET', '/systems/' + enc), knownUnits()]);
  const role = state.me.role;
  const title = heading(t('edit.title', { name: sysName(sys) }));
  const back = h('p', null, h('a', { href: '#/systems/' + enc }, '← ', t('edit.back')));
  if (!WRITERS.includes(role) || (role === 'owner' && state.me.unit !== sys.owner_unit))
    return [title, back, h('p', null, t('edit.not_allowed', { role: tEnum('role', role) }))];
  const form = descriptorForm(sys.descriptor || {}, units, async (desc) => {
    await api('PUT', '/systems/' + enc, desc);
    flash(t('edit.done', { id }), 'ok');
    navigate('#/systems/' + enc);
  }, { submitId: 'edit-submit', submitLabel: t('edit.submit') });
  return [title, back, h('p', { class: 'intro' }, t('edit.intro')), form, unitList(units)];
}

/* ---- vendors, cases ---- */

/* Each vendor as GET /vendors/{id} gives it (its reviews and the next
 * review's due date, which the list does not carry): a Map of id → it. */
async function vendorDetails(vendors) {
  const out = new Map();
  await Promise.all(vendors.map(async (v) => {
    out.set(v.id, await api('GET', '/vendors/' + encodeURIComponent(v.id)));
  }));
  return out;
}

function reviewCell(d) {
  const list = (d && d.reviews) || [];
  const due = d && d.next_review_due ? h('div', { class: 'small' }, t('ven.next_due', { date: d.next_review_due })) : null;
  if (!list.length) return [t('ven.no_review'), due];
  const r = list[list.length - 1];
  return [fmtTime(r.at), ' ', badge('dd', r.result, tEnum('rev', r.result)), h('br'),
    h('span', { class: 'small' }, (r.by || '') + (r.note ? ' — “' + r.note + '”' : '')),
    list.length > 1 ? h('span', { class: 'small' }, ' ' + t('ven.reviews_n', { n: list.length })) : null, due];
}

function vendorReviewForm(vendors, again) {
  const vendor = select({ id: 'rev-vendor', name: 'vendor' }, vendors.map((v) => ({ value: v.id, label: sysName(v) + ' (' + v.id + ')' })));
  const result = select({ id: 'rev-result', name: 'result' }, REVIEW_RESULTS.map((x) => ({ value: x, label: tEnum('rev', x) })), 'pass');
  const note = h('input', { type: 'text', id: 'rev-note', name: 'note' });
  const form = h('form', { id: 'review-form', class: 'card' }, h('h3', null, t('rev.title')),
    h('p', { class: 'small' }, t('rev.intro')), field(t('rev.vendor'), vendor), field(t('rev.result'), result),
    field(t('rev.note'), note), h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'rev-submit' }, t('rev.submit'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = { result: result.value };
    if (note.value.trim()) body.note = note.value.trim();
    write(form, () => api('POST', '/vendors/' + encodeURIComponent(vendor.value) + '/reviews', body),
      (r) => t('rev.done', { vendor: sysName(r && r.descriptor) || vendor.value, result: tEnum('rev', body.result),
        due: (r && r.next_review_due) || t('dash') }), again);
  });
  return form;
}

const CLAUSES = ['liability', 'data_protection', 'subcontracting_consent', 'audit_rights', 'exit_plan'];
const FREQUENCIES = ['once', 'annual', 'semiannual', 'quarterly', 'monthly', 'continuous'];

/* Register a third party (risk): POST /vendors with its descriptor. */
function vendorRegisterForm(again) {
  const input = (id, attrs) => h('input', Object.assign({ type: 'text', id, name: id }, attrs || {}));
  const id = input('ven-id', { required: true, pattern: '[a-z0-9][a-z0-9._\\-]*' });
  const en = input('ven-name-en', { required: true });
  const zh = input('ven-name-zh', { required: true });
  const services = input('ven-services', { required: true });
  const competence = h('textarea', { id: 'ven-competence', name: 'competence', rows: '2', required: true });
  const ddDate = h('input', { type: 'date', id: 'ven-dd-date', name: 'dd_date', required: true });
  const ddResult = select({ id: 'ven-dd-result', name: 'dd_result' }, REVIEW_RESULTS.map((x) => ({ value: x, label: tEnum('rev', x) })), 'pass');
  const freq = select({ id: 'ven-frequency', name: 'review_frequency' }, FREQUENCIES.map((x) => ({ value: x, label: x })), 'annual');
  const clauses = CLAUSES.map((c) => h('input', { type: 'checkbox', id: 'ven-clause-' + c, value: c }));
  const apis = h('textarea', { id: 'ven-apis', name: 'api_integrations', rows: '2' });
  const form = h('form', { id: 'vendor-form', class: 'card' }, h('h3', null, t('venf.title')),
    h('p', { class: 'small' }, t('venf.intro')), field(t('venf.id'), id, t('venf.id_hint')), field(t('venf.name_en'), en),
    field(t('venf.name_zh'), zh), field(t('ven.services'), services), field(t('venf.competence'), competence),
    field(t('venf.dd_date'), ddDate), field(t('venf.dd_result'), ddResult), field(t('ven.review'), freq),
    h('fieldset', { id: 'ven-clauses' }, h('legend', null, t('ven.clauses')),
      clauses.map((c) => h('div', { class: 'field check' }, c, h('label', { for: c.id }, c.value)))),
    field(t('ven.apis'), apis, t('venf.apis_hint')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'ven-submit' }, t('venf.submit'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    const body = { id: id.value.trim(), name: { en: en.value.trim(), 'zh-TW': zh.value.trim() },
      services: services.value.trim(), competence: competence.value.trim(),
      due_diligence: { date: ddDate.value, result: ddResult.value },
      contract_clauses: clauses.filter((c) => c.checked).map((c) => c.value), review_frequency: freq.value };
    const lines = apis.value.split('\n').map((x) => x.trim()).filter(Boolean);
    if (lines.length) body.api_integrations = lines;
    write(form, () => api('POST', '/vendors', body), (r) => t('venf.done', { vendor: sysName(r && r.descriptor) || body.id }), again);
  });
  return form;
}

async function viewVendors() {
  const vendors = await api('GET', '/vendors');
  const details = await vendorDetails(vendors);
  const again = (focus) => render({ keepFocus: true, focus });
  const heads = [t('col.name'), t('ven.services'), t('ven.due_diligence'), t('ven.review'), t('ven.clauses'), t('ven.apis'),
    t('ven.last_review')];
  const body = vendors.length ? table(t('ven.caption'), heads,
    vendors.map((v) => row([sysName(v), h('br'), h('span', { class: 'mono small' }, v.id)], v.services,
      v.due_diligence ? [v.due_diligence.date || '', ' ', badge('dd', v.due_diligence.result, v.due_diligence.result || '')] : t('dash'),
      v.review_frequency || t('dash'),
      h('ul', { class: 'plain' }, (v.contract_clauses || []).map((c) => h('li', null, c))),
      h('ul', { class: 'plain' }, (v.api_integrations || []).map((c) => h('li', null, c))),
      reviewCell(details.get(v.id)))), 'vendors')
    : h('p', null, t('ven.none'));
  const form = state.me.role === 'risk' ? section(t('act.title'), h('div', { class: 'grid forms' },
    vendors.length ? vendorReviewForm(vendors, again) : null, vendorRegisterForm(again))) : null;
  return [heading(t('ven.title')), body, form, h('p', { class: 'note' }, t('ven.cli'))];
}

function incidentFollowUp(i) {
  const bits = [];
  if (i.root_cause) bits.push(h('div', null, h('strong', null, t('inc.root_cause_s')), ' ', i.root_cause));
  if (i.remediation) bits.push(h('div', null, h('strong', null, t('inc.remediation_s')), ' ', i.remediation));
  if (i.notified_at) bits.push(h('div', null, h('strong', null, t('inc.notified_s')), ' ', fmtTime(i.notified_at)));
  if (i.closed_at) bits.push(h('div', null, h('strong', null, t('inc.closed_s')), ' ', fmtTime(i.closed_at)));
  return bits.length ? bits : t('dash');
}

function incidentsTable(list) {
  return table(t('cases.inc_caption'), ['#', t('cases.system'), t('cases.title_col'), t('cases.severity'),
    t('cases.status'), t('cases.opened'), t('cases.breach'), t('cases.notify_by'), t('inc.follow_up')],
  list.slice().reverse().map((i) => row(String(i.id), h('a', { href: '#/systems/' + encodeURIComponent(i.system) }, i.system),
    i.title, badge('sev', i.severity, tEnum('sev', i.severity)), tEnum('st', i.status), fmtTime(i.opened_at),
    i.personal_data_breach ? t('yes') : t('no'),
    [i.notify_by ? fmtTime(i.notify_by) : t('dash'), i.notification_overdue ? [' ', badge('gap', 'overdue', t('cases.overdue'))] : null],
    incidentFollowUp(i))), 'incidents');
}

function appealsTable(list) {
  return table(t('cases.app_caption'), ['#', t('cases.system'), t('cases.decision'),
    t('cases.reason'), t('cases.status'), t('cases.opened'), t('cases.outcome')],
  list.slice().reverse().map((a) => row(String(a.id), h('a', { href: '#/systems/' + encodeURIComponent(a.system) }, a.system),
    a.decision, a.reason, tEnum('st', a.status), fmtTime(a.opened_at),
    a.outcome ? [tEnum('out', a.outcome), a.note ? ' — ' + a.note : '', a.resolved_by ? h('span', { class: 'small' }, ' (' + a.resolved_by + ')') : '']
      : t('dash'))), 'appeals');
}

function systemOptions(systems) {
  return systems.map((s) => ({ value: s.id, label: sysName(s) + ' (' + s.id + ')' }));
}

function caseOptions(list, text) {
  return list.map((c) => ({ value: String(c.id), label: '#' + c.id + ' — ' + c.system + ': ' + text(c) }));
}

function incidentOpenForm(systems, again) {
  const system = select({ id: 'inc-system', name: 'system' }, systemOptions(systems));
  const title = h('input', { type: 'text', id: 'inc-title', name: 'title', required: true });
  const severity = select({ id: 'inc-severity', name: 'severity' }, SEVERITIES.map((x) => ({ value: x, label: tEnum('sev', x) })), 'medium');
  const breach = h('input', { type: 'checkbox', id: 'inc-breach', name: 'breach' });
  const form = h('form', { id: 'incident-form', class: 'card' }, h('h3', null, t('inc.open_title')),
    field(t('cases.system'), system), field(t('inc.title'), title), field(t('cases.severity'), severity),
    h('div', { class: 'field check' }, breach, h('label', { for: 'inc-breach' }, t('inc.breach'))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'inc-submit' }, t('inc.open_submit'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!title.value.trim()) { title.focus(); title.reportValidity(); return; }
    write(form, () => api('POST', '/incidents', { system: system.value, title: title.value.trim(), severity: severity.value,
      breach: breach.checked }), (r) => t('inc.opened', { id: r.id, system: r.system }), again);
  });
  return form;
}

function incidentUpdateForm(open, again) {
  const which = select({ id: 'incu-id', name: 'incident' }, caseOptions(open, (c) => c.title));
  const cause = h('textarea', { id: 'incu-root-cause', name: 'root_cause', rows: '2' });
  const remedy = h('textarea', { id: 'incu-remediation', name: 'remediation', rows: '2' });
  const notified = h('input', { type: 'checkbox', id: 'incu-notified', name: 'notified' });
  const form = h('form', { id: 'incident-update-form', class: 'card' }, h('h3', null, t('inc.update_title')),
    field(t('inc.which'), which), field(t('inc.root_cause'), cause), field(t('inc.remediation'), remedy),
    h('div', { class: 'field check' }, notified, h('label', { for: 'incu-notified' }, t('inc.notified'))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'incu-submit' }, t('inc.update_submit'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = {};
    if (cause.value.trim()) body.root_cause = cause.value.trim();
    if (remedy.value.trim()) body.remediation = remedy.value.trim();
    if (notified.checked) body.notified = true;
    if (!Object.keys(body).length) { flash(t('inc.update_empty'), 'error'); cause.focus(); return; }
    write(form, () => api('POST', '/incidents/' + which.value, body), () => t('inc.updated', { id: which.value }), again);
  });
  return form;
}

function incidentCloseForm(open, again) {
  const which = select({ id: 'incc-id', name: 'incident' }, caseOptions(open, (c) => c.title));
  const resolution = h('textarea', { id: 'incc-resolution', name: 'resolution', rows: '2', required: true });
  const form = h('form', { id: 'incident-close-form', class: 'card' }, h('h3', null, t('inc.close_title')),
    field(t('inc.which'), which), field(t('inc.resolution'), resolution),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'incc-submit' }, t('inc.close_submit'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!resolution.value.trim()) { resolution.focus(); resolution.reportValidity(); return; }
    write(form, () => api('POST', '/incidents/' + which.value + '/close', { resolution: resolution.value.trim() }),
      () => t('inc.closed', { id: which.value }), again);
  });
  return form;
}

function appealForm(systems, again) {
  const system = select({ id: 'app-system', name: 'system' }, systemOptions(systems));
  const ref = h('input', { type: 'text', id: 'app-decision', name: 'decision_ref', required: true });
  const reason = h('textarea', { id: 'app-reason', name: 'reason', rows: '2', required: true });
  const form = h('form', { id: 'appeal-form', class: 'card' }, h('h3', null, t('apl.title')),
    h('p', { class: 'small' }, t('apl.intro')), field(t('cases.system'), system), field(t('apl.decision'), ref),
    field(t('apl.reason'), reason), h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'app-submit' }, t('apl.submit'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    for (const el of [ref, reason]) if (!el.value.trim()) { el.focus(); el.reportValidity(); return; }
    write(form, () => api('POST', '/appeals', { system: system.value, decision_ref: ref.value.trim(), reason: reason.value.trim() }),
      (r) => t('apl.recorded', { id: r.id, system: r.system }), again);
  });
  return form;
}

function appealResolveForm(open, again) {
  const which = select({ id: 'appr-id', name: 'appeal' }, caseOptions(open, (c) => c.decision));
  const outcome = select({ id: 'appr-outcome', name: 'outcome' }, OUTCOMES.map((x) => ({ value: x, label: tEnum('out', x) })), 'upheld');
  const note = h('textarea', { id: 'appr-note', name: 'note', rows: '2' });
  const form = h('form', { id: 'appeal-resolve-form', class: 'card' }, h('h3', null, t('appr.title')),
    field(t('appr.which'), which), field(t('cases.outcome'), outcome), field(t('appr.note'), note),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'appr-submit' }, t('appr.submit'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = { outcome: outcome.value };
    if (note.value.trim()) body.note = note.value.trim();
    write(form, () => api('POST', '/appeals/' + which.value + '/resolve', body),
      () => t('appr.done', { id: which.value, outcome: tEnum('out', body.outcome) }), again);
  });
  return form;
}

function caseForms(forms) {
  const list = forms.filter(Boolean);
  return list.length ? h('div', { class: 'grid forms' }, list) : null;
}

async function viewCases() {
  const [incidents, appeals, systems] = await Promise.all([api('GET', '/incidents'), api('GET', '/appeals'), api('GET', '/systems')]);
  const role = state.me.role;
  const again = (focus) => render({ keepFocus: true, focus });
  const openInc = incidents.filter((i) => i.status === 'open');
  const openApp = appeals.filter((a) => a.status === 'open');
  const mine = role === 'owner' ? systems.filter((s) => s.owner_unit === state.me.unit) : systems;
  const incForms = role === 'risk' ? caseForms([systems.length ? incidentOpenForm(systems, again) : null,
    openInc.length ? incidentUpdateForm(openInc, again) : null, openInc.length ? incidentCloseForm(openInc, again) : null]) : null;
  const appForms = caseForms([WRITERS.includes(role) && mine.length ? appealForm(mine, again) : null,
    role === 'risk' && openApp.length ? appealResolveForm(openApp, again) : null]);
  return [heading(t('cases.title')),
    section(t('cases.incidents'), incidents.length ? incidentsTable(incidents) : h('p', null, t('cases.none_inc')), incForms),
    section(t('cases.appeals'), appeals.length ? appealsTable(appeals) : h('p', null, t('cases.none_app')), appForms),
    h('p', { class: 'note' }, t(WRITERS.includes(role) ? 'cases.who' : 'cases.read_only', { role: tEnum('role', role) }))];
}

/* ---- ledger ---- */

function checkpointText(c) {
  return t('proof.checkpoint', { id: c.id, size: c.tree_size, time: fmtTime(c.time), key: c.key_id });
}

function proofResult(p) {
  return h('div', { class: 'verify ' + (p.verified ? 'ok' : 'bad'), id: 'proof-summary' },
    h('p', { class: 'verify-head' }, p.verified ? '✓ ' + t('proof.ok', { seq: p.seq }) : '✗ ' + t('proof.bad', { seq: p.seq })),
    dl([[t('proof.in'), checkpointText(p.checkpoint || {})],
      [t('proof.path'), t('proof.path_len', { n: (p.path || []).length, size: p.tree_size })],
      [t('proof.signature'), p.signature_valid ? t('proof.sig_ok') : t('proof.sig_bad')],
      [t('proof.leaf'), h('span', { class: 'mono small' }, p.leaf_hash)],
      [t('proof.root'), h('span', { class: 'mono small' }, (p.checkpoint || {}).root)]]));
}

function consistencyResult(c) {
  return h('div', { class: 'verify ' + (c.verified ? 'ok' : 'bad'), id: 'consistency-summary' },
    h('p', { class: 'verify-head' }, (c.verified ? '✓ ' : '✗ ') +
      t(c.verified ? 'cons.ok' : 'cons.bad', { old: (c.old || {}).id, new: (c.new || {}).id })),
    dl([[t('cons.old'), checkpointText(c.old || {})], [t('cons.new'), checkpointText(c.new || {})],
      [t('proof.path'), t('cons.path_len', { n: (c.path || []).length })],
      [t('proof.signature'), c.signatures_valid ? t('proof.sig_ok') : t('proof.sig_bad')]]));
}

/* A small GET form: fields [{id, label, hint, required}], the query built
 * from them, the answer drawn by show into an aria-live box. */
function queryForm(formId, title, intro, fields, path, show, submitLabel) {
  const inputs = fields.map((f) => h('input', { type: 'number', id: f.id, name: f.name, min: '1', step: '1', inputmode: 'numeric',
    required: f.required || null, value: f.value || null }));
  const result = h('div', { id: formId + '-result', 'aria-live': 'polite' });
  const form = h('form', { id: formId, class: 'card', novalidate: true }, h('h3', null, title), h('p', { class: 'small' }, intro),
    h('div', { class: 'grid' }, fields.map((f, i) => field(f.label, inputs[i], f.hint))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: formId + '-submit' }, submitLabel)), result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (let i = 0; i < fields.length; i++) {
      const v = inputs[i].value.trim();
      if (v && !/^[1-9][0-9]*$/.test(v)) { inputs[i].focus(); result.replaceChildren(h('p', { class: 'msg error' }, t('proof.number'))); return; }
      if (!v && fields[i].required) { inputs[i].focus(); result.replaceChildren(h('p', { class: 'msg error' }, t('proof.number'))); return; }
      if (v) q.set(fields[i].name, v);
    }
    submitting(form, true);
    result.replaceChildren(h('p', null, t('proof.checking')));
    try {
      result.replaceChildren(show(await api('GET', path + '?' + q.toString())));
    } catch (e) {
      result.replaceChildren(h('p', { class: 'msg error' }, errorText(e)));
    }
    submitting(form, false);
  });
  return form;
}

function proofForms(verify) {
  const signed = verify.signed_entries || 0, checkpoints = verify.checkpoints || 0;
  return section(t('proof.title'), h('p', { class: 'intro' }, t('proof.intro', { signed, checkpoints })),
    h('div', { class: 'grid forms' },
      queryForm('proof-form', t('proof.form'), t('proof.form_intro'),
        [{ id: 'proof-seq', name: 'seq', label: t('proof.seq'), required: true, value: signed ? String(signed) : '' },
          { id: 'proof-checkpoint', name: 'checkpoint', label: t('proof.checkpoint_id'), hint: t('proof.checkpoint_hint') }],
        '/ledger/proof', proofResult, t('proof.submit')),
      checkpoints > 1 ? queryForm('consistency-form', t('cons.form'), t('cons.form_intro'),
        [{ id: 'cons-old', name: 'old', label: t('cons.old_id'), required: true, value: '1' },
          { id: 'cons-new', name: 'new', label: t('cons.new_id'), required: true, value: String(checkpoints) }],
        '/ledger/consistency', consistencyResult, t('cons.submit')) : null));
}


async function viewLedger() {
  const result = h('div', { id: 'verify-result', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', id: 'verify-button' }, t('led.verify'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    result.replaceChildren(h('p', null, t('led.verifying')));
    try {
      const v = await api('GET', '/ledger/verify');
      result.replaceChildren(verifySummary(v), h('p', { class: 'small' }, t('led.verified_at', { time: fmtTime(new Date().toISOString()) })));
    } catch (e) {
      result.replaceChildren(h('p', { class: 'msg error' }, errorText(e)));
    }
    button.disabled = false;
  });
  const out = [heading(t('led.title')), h('p', { class: 'intro' }, t('led.intro')),
    h('div', { class: 'actions' }, button), result];
  if (!LEDGER_READERS.includes(state.me.role)) {
    out.push(section(t('led.log'), h('p', null, t('led.log_forbidden'))));
    return out;
  }
  const verify = await api('GET', '/ledger/verify');
  const total = verify.entries || 0;
  out.push(proofForms(verify));
  if (state.ledgerSince === null) state.ledgerSince = Math.max(0, total - LEDGER_PAGE);
  const since = state.ledgerSince;
  const q = new URLSearchParams({ since: String(since), limit: String(LEDGER_PAGE) });
  if (state.ledgerSubject) q.set('subject', state.ledgerSubject);
  const entries = await api('GET', '/ledger/log?' + q.toString());
  const subject = h('input', { type: 'text', id: 'ledger-subject', value: state.ledgerSubject });
  const filter = h('form', { class: 'filters inline', id: 'ledger-filter' }, field(t('led.filter_subject'), subject),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, t('led.show'))));
  filter.addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.ledgerSubject = subject.value.trim();
    state.ledgerSince = state.ledgerSubject ? 0 : null;
    render({ keepFocus: true, focus: 'ledger-subject' });
  });
  const page = (s) => { state.ledgerSince = Math.max(0, s); render({ keepFocus: true, focus: 'page-title' }); };
  const first = entries.length ? entries[0].seq : since, lastSeq = entries.length ? entries[entries.length - 1].seq : since;
  const pager = h('div', { class: 'actions pager' },
    h('button', { type: 'button', class: 'secondary', disabled: since <= 0 || null,
      onclick: () => page(state.ledgerSubject ? 0 : since - LEDGER_PAGE) }, '← ', t('led.older')),
    h('button', { type: 'button', class: 'secondary', disabled: entries.length < LEDGER_PAGE || lastSeq >= total || null,
      onclick: () => page(lastSeq) }, t('led.newer'), ' →'));
  out.push(section(t('led.log'), filter, pager, table(t('led.log_caption', { from: first, to: lastSeq }),
    [t('hist.seq'), t('hist.time'), t('hist.actor'), t('hist.action'), t('led.subject'), t('hist.detail')],
    entries.slice().reverse().map((e) => row(String(e.seq), fmtTime(e.time), e.actor, h('span', { class: 'mono' }, e.action),
      h('span', { class: 'mono' }, e.subject), h('details', null, h('summary', null, summarize(e).length ? summarize(e) : t('led.payload')),
        h('pre', { class: 'payload' }, JSON.stringify(e.payload, null, 2))))), 'ledger')));
  return out;
}

/* ---- start ---- */

async function start() {
  I18N.init();
  $('#lang').addEventListener('change', (ev) => {
    I18N.set(ev.target.value);
    render({ keepFocus: true, focus: 'lang' });
  });
  $('#logout').addEventListener('click', logout);
  /* The skip link must not change the route (#main is no route). */
  $('#skip').addEventListener('click', (ev) => { ev.preventDefault(); $('#main').focus(); });
  window.addEventListener('hashchange', () => {
    if (state.keepMessage) state.keepMessage = false;
    else clearMessages();
    render();
  });
  try {
    state.me = await api('GET', '/me');
  } catch (e) {
    state.me = null;
  }
  render({ keepFocus: true });
}

document.addEventListener('DOMContentLoaded', start);
