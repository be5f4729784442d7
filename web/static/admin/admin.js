// The admin page: plain DOM, every text through textContent, no inline script or style.
const $ = (sel) => document.querySelector(sel);
const SVGNS = ['http:', '', 'www.w3.org', '2000', 'svg'].join('/');
let csrf = '';
let current = '';
let timer = 0;

function el(tag, props = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (k === 'data') for (const [dk, dv] of Object.entries(v)) e.dataset[dk] = dv;
    else e.setAttribute(k, v);
  }
  for (const kid of kids) if (kid !== null && kid !== undefined) e.append(kid);
  return e;
}

function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function showError(msg) { $('#error').textContent = msg || ''; }

async function api(method, path, body) {
  const opts = { method, headers: {}, credentials: 'same-origin' };
  if (method !== 'GET') opts.headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  if (res.status === 401 && path !== '/admin/login') { loggedOut(); throw new Error('please log in'); }
  if (!res.ok) throw new Error((data && data.error && data.error.message) || res.statusText);
  return data;
}

const bytes = (n) => {
  if (!n) return '0 B';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
};
const when = (t) => (t ? new Date(t).toLocaleString() : '');
const secs = (s) => (s === undefined || s === null ? '' : `${s.toFixed(1)} s`);

function loggedOut() {
  csrf = '';
  clearInterval(timer);
  $('#tabs').hidden = true;
  $('#logout').hidden = true;
  for (const s of document.querySelectorAll('.tab')) s.hidden = true;
  $('#login').hidden = false;
  $('#password').focus();
}

function loggedIn(session) {
  csrf = session.csrf_token;
  $('#login').hidden = true;
  $('#tabs').hidden = false;
  $('#logout').hidden = false;
  show(current || 'dashboard');
}

const loaders = {};
const live = new Set(['dashboard', 'queues', 'renders']);

function show(tab) {
  current = tab;
  for (const s of document.querySelectorAll('.tab')) s.hidden = s.id !== tab;
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.tab === tab);
  clearInterval(timer);
  const load = () => loaders[tab]().then(() => showError(''), (e) => showError(e.message));
  load();
  if (live.has(tab)) timer = setInterval(load, 1500);
}

function stat(dl, label, value) { dl.append(el('div', {}, el('dt', { text: label }), el('dd', { text: String(value) }))); }

function chart(box, buckets, hourly) {
  const w = 600, h = 150, pad = 18;
  const max = Math.max(1, ...buckets.map((b) => b.done + b.failed + b.canceled));
  const s = svg('svg', { viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': 'renders over time' });
  const bw = (w - pad) / buckets.length;
  buckets.forEach((b, i) => {
    let y = h - pad;
    for (const k of ['done', 'failed', 'canceled']) {
      const bh = ((h - 2 * pad) * b[k]) / max;
      if (bh > 0) {
        const r = svg('rect', { x: pad + i * bw + 1, y: y - bh, width: Math.max(1, bw - 2), height: bh, class: k });
        const t = svg('title');
        t.textContent = `${when(b.start)}: ${b[k]} ${k}`;
        r.append(t);
        s.append(r);
        y -= bh;
      }
    }
    const step = hourly ? 6 : 5;
    if (i % step === 0) {
      const d = new Date(b.start);
      const lab = svg('text', { x: pad + i * bw, y: h - 4 });
      lab.textContent = hourly ? `${d.getHours()}h` : `${d.getMonth() + 1}/${d.getDate()}`;
      s.append(lab);
    }
  });
  const top = svg('text', { x: 2, y: pad });
  top.textContent = String(max);
  s.append(top);
  box.replaceChildren(s);
}

loaders.dashboard = async () => {
  const d = await api('GET', '/admin/api/dashboard');
  const dl = $('#stats');
  dl.replaceChildren();
  const u = d.usage || {};
  stat(dl, 'Projects', d.projects);
  stat(dl, 'Pictures', (u.image || {}).count || 0);
  stat(dl, 'Music files', (u.audio || {}).count || 0);
  stat(dl, 'Finished videos', (u.render || {}).count || 0);
  stat(dl, 'Renders running or queued', d.unfinished);
  stat(dl, 'Median render time', secs(d.median_render_s));
  stat(dl, 'p95 render time', secs(d.p95_render_s));
  stat(dl, 'Realtime factor', `${d.realtime_factor.toFixed(2)}×`);
  stat(dl, 'Failure rate (30 d)', `${(d.failure_rate * 100).toFixed(1)} %`);
  for (const k of ['image', 'audio', 'render']) stat(dl, `Bytes: ${k}`, bytes((u[k] || {}).bytes || 0));
  chart($('#chart-hourly'), d.hourly, true);
  chart($('#chart-daily'), d.daily, false);
};

function jobTable(queue, set, jobs, count) {
  const box = el('div', { class: `jobs jobs-${set}`, data: { queue, set } }, el('h3', { text: `${set} (${count})` }));
  if (set === 'dead' && count > 0) {
    box.append(
      el('button', { type: 'button', class: 'retry-all', text: 'Retry all', on: { click: () => jobAction(queue, set, 'retry', { all: true }) } }), ' ',
      el('button', { type: 'button', class: 'danger delete-all', text: 'Delete all', on: { click: () => jobAction(queue, set, 'delete', { all: true }) } }));
  }
  const tb = el('tbody');
  for (const j of jobs || []) {
    const ref = { at: j.at, id: j.id };
    const tr = el('tr', { data: { job: j.id } },
      el('td', { class: 'mono', text: j.id }), el('td', { text: j.name }),
      el('td', { class: 'mono', text: JSON.stringify(j.args) }), el('td', { text: String(j.fails) }),
      el('td', { class: 'mono', text: j.error }), el('td', { text: when(j.at * 1000) }));
    const act = el('td');
    if (set === 'dead') act.append(el('button', { type: 'button', class: 'retry', text: 'Retry', on: { click: () => jobAction(queue, set, 'retry', ref) } }), ' ');
    act.append(el('button', { type: 'button', class: 'danger delete', text: 'Delete', on: { click: () => jobAction(queue, set, 'delete', ref) } }));
    tr.append(act);
    tb.append(tr);
  }
  if (tb.children.length) box.append(el('table', {}, el('thead', {}, el('tr', {}, ...['Job', 'Name', 'Args', 'Fails', 'Error', 'When', ''].map((t) => el('th', { text: t })))), tb));
  return box;
}

async function jobAction(queue, set, action, ref) {
  try {
    await api('POST', `/admin/api/queues/${queue}/${set}/${action}`, ref);
    await loaders.queues();
  } catch (e) { showError(e.message); }
}

loaders.queues = async () => {
  const d = await api('GET', '/admin/api/queues');
  const box = $('#queue-list');
  box.replaceChildren();
  for (const q of d.queues) {
    const div = el('div', { class: 'queue', id: `queue-${q.name}` }, el('h2', { text: `${q.name}: ${q.depth} waiting, oldest ${q.latency_s} s` }));
    const pools = el('tbody');
    for (const p of q.pools) pools.append(el('tr', {}, el('td', { text: p.host }), el('td', { text: String(p.pid) }), el('td', { text: p.jobs.join(', ') }), el('td', { text: String(p.concurrency) }), el('td', { text: when(p.heartbeat_at) })));
    div.append(el('h3', { text: 'Worker pools' }), el('table', {}, el('thead', {}, el('tr', {}, ...['Host', 'PID', 'Jobs', 'Concurrency', 'Last heartbeat'].map((t) => el('th', { text: t })))), pools));
    const busy = el('tbody');
    for (const b of q.busy) busy.append(el('tr', {}, el('td', { class: 'mono', text: b.worker }), el('td', { text: b.job }), el('td', { class: 'mono', text: b.render_id || b.args }), el('td', { text: b.render_id ? `${b.progress.toFixed(0)} % ${b.message || ''}` : '' }), el('td', { text: when(b.started_at) })));
    div.append(el('h3', { text: `Busy workers (${q.busy.length})` }), el('table', {}, el('thead', {}, el('tr', {}, ...['Worker', 'Job', 'Render', 'Progress', 'Since'].map((t) => el('th', { text: t })))), busy));
    div.append(jobTable(q.name, 'retry', q.retry, q.retry_count), jobTable(q.name, 'scheduled', q.scheduled, q.scheduled_count), jobTable(q.name, 'dead', q.dead, q.dead_count));
    box.append(div);
  }
};

function renderRow(r) {
  const tr = el('tr', { data: { id: r.id } },
    el('td', { class: 'mono', text: r.id }), el('td', { class: 'mono', text: r.project_id }),
    el('td', { class: `state state-${r.state}`, text: r.state }),
    el('td', { class: 'progress', text: `${Math.round(r.progress)} %` }),
    el('td', { text: when(r.created_at) }), el('td', { text: secs(r.render_s) }), el('td', { class: 'mono', text: r.worker || '' }));
  const act = el('td');
  const finished = ['done', 'failed', 'canceled'].includes(r.state);
  act.append(el('button', { type: 'button', class: 'details', text: 'Details', on: { click: () => renderDetail(r.id) } }), ' ');
  if (finished) act.append(el('button', { type: 'button', class: 'retry', text: 'Retry', on: { click: () => renderAction(r.id, 'retry') } }));
  else act.append(el('button', { type: 'button', class: 'danger cancel', text: 'Cancel', on: { click: () => renderAction(r.id, 'cancel') } }));
  tr.append(act);
  return tr;
}

async function renderAction(id, action) {
  try {
    await api('POST', `/admin/api/renders/${id}/${action}`);
    await loaders.renders();
  } catch (e) { showError(e.message); }
}

async function renderDetail(id) {
  const r = await api('GET', `/admin/api/renders/${id}`);
  const box = $('#render-detail');
  box.hidden = false;
  box.replaceChildren(el('h2', { text: `Render ${r.id}` }),
    el('p', { text: `${r.state}: ${r.message} · attempts ${r.attempts} · worker ${r.worker || '-'} · queued ${secs(r.queued_s)} · took ${secs(r.render_s)} · ${bytes(r.output_size)}` }));
  if (r.error) box.append(el('p', { class: 'error', text: r.error }));
  if (r.error_detail) box.append(el('h3', { text: 'ffmpeg said' }), el('pre', { class: 'error-detail', text: r.error_detail }));
  if (r.state === 'done') box.append(el('video', { controls: '', preload: 'metadata', src: `/api/v1/renders/${r.id}/video`, poster: `/api/v1/renders/${r.id}/poster` }));
  box.append(el('h3', { text: 'Spec' }), el('pre', { text: JSON.stringify(r.spec, null, 2) }));
}

loaders.renders = async () => {
  const q = new URLSearchParams();
  for (const [k, sel] of [['state', '#filter-state'], ['since', '#filter-since'], ['until', '#filter-until'], ['project', '#filter-project']]) {
    const v = $(sel).value.trim();
    if (v) q.set(k, v);
  }
  const d = await api('GET', `/admin/api/renders?${q}`);
  $('#render-table tbody').replaceChildren(...d.renders.map(renderRow));
};

loaders.projects = async () => {
  const q = $('#project-q').value.trim();
  const d = await api('GET', `/admin/api/projects${q ? `?q=${encodeURIComponent(q)}` : ''}`);
  $('#project-total').textContent = `${d.total} projects in all; ${d.projects.length} shown`;
  $('#project-list').replaceChildren(...d.projects.map((p) => el('li', { data: { id: p.id }, on: { click: () => projectDetail(p.id) } },
    p.poster ? el('img', { src: p.poster, alt: '' }) : null,
    el('div', { class: 'mono', text: p.id }),
    el('div', { class: 'muted', text: `${p.slides} pictures${p.music ? ', music' : ''} · ${when(p.updated_at)}` }),
    el('div', { class: 'muted', text: p.expires_at ? `expires ${when(p.expires_at)}` : 'never expires' }))));
};

// clipLength writes a clip's length as m:ss.
function clipLength(sec) {
  const t = Math.round(sec || 0);
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
}

async function projectDetail(id) {
  const d = await api('GET', `/admin/api/projects/${id}`);
  const box = $('#project-detail');
  box.hidden = false;
  const names = Object.fromEntries(d.assets.map((a) => [a.id, a]));
  const strip = el('div', { class: 'strip' });
  for (const s of d.spec.slides || []) {
    const a = names[s.asset] || {};
    strip.append(el('figure', {}, el('img', { src: a.preview || '', alt: a.filename || '' }),
      el('figcaption', { class: 'filename', text: a.filename || s.asset }),
      a.kind === 'clip' ? el('figcaption', { class: 'clip', text: `video clip · ${clipLength(a.duration)}${a.clip && a.clip.has_audio ? ' · sound' : ''}` }) : null,
      s.caption ? el('figcaption', { class: 'caption', text: s.caption }) : null));
  }
  const del = el('button', { type: 'button', class: 'danger', id: 'project-delete', text: 'Delete project…' });
  del.addEventListener('click', async () => {
    if (!del.dataset.armed) { del.dataset.armed = '1'; del.textContent = 'Really delete every file and record?'; return; }
    try {
      const res = await api('DELETE', `/admin/api/projects/${id}`);
      box.replaceChildren(el('p', { id: 'delete-result', text: `Deleted ${res.deleted}: ${bytes(res.freed_bytes)} freed.` }));
      await loaders.projects();
    } catch (e) { showError(e.message); }
  });
  box.replaceChildren(el('h2', { class: 'mono', text: d.project.id }),
    el('p', { text: `${d.assets.length} files, ${bytes(d.bytes)} on disk · created ${when(d.project.created_at)} · last activity ${when(d.project.updated_at)}` }),
    el('h3', { text: 'Pictures' }), strip);
  for (const a of d.assets.filter((x) => x.kind === 'audio')) {
    box.append(el('h3', { text: 'Music' }), el('p', { class: 'filename', text: a.filename }), el('audio', { controls: '', preload: 'none', src: a.preview }));
  }
  const tb = el('tbody', {}, ...d.renders.map(renderRow));
  box.append(el('h3', { text: 'Renders' }), el('table', {}, tb), del);
  for (const r of d.renders.filter((x) => x.state === 'done').slice(0, 1)) {
    box.append(el('video', { controls: '', preload: 'metadata', src: `/api/v1/renders/${r.id}/video`, poster: `/api/v1/renders/${r.id}/poster` }));
  }
}

async function loadRetention() {
  const r = await api('GET', '/admin/api/retention');
  $('#retention-days').value = r.days;
  $('#retention-info').textContent = r.days ? `In effect: ${r.days} days${r.overridden ? ' (set here)' : ' (configured default)'}.` : 'In effect: projects never expire.';
}

loaders.storage = async () => {
  const s = await api('GET', '/admin/api/storage');
  const dl = $('#storage-stats');
  dl.replaceChildren();
  for (const [k, u] of Object.entries(s.by_kind)) stat(dl, `${k} (${u.count})`, bytes(u.bytes));
  stat(dl, 'Projects folder', bytes(s.projects_disk));
  stat(dl, 'Render cache', bytes(s.cache_bytes));
  stat(dl, 'Temporary files', bytes(s.tmp_bytes));
  stat(dl, 'Free space', bytes(s.free_bytes));
  await loadRetention();
};

async function cleanup(dry) {
  try {
    const r = await api('POST', '/admin/api/cleanup', { dry_run: dry });
    const box = $('#cleanup-result');
    const list = el('ul', {}, ...r.projects.map((p) => el('li', { class: 'mono', text: `${p.id} · idle since ${when(p.updated_at)} · ${bytes(p.bytes)}` })));
    const head = r.message || (dry ? `${r.projects.length} projects would be removed.` : `${r.projects.length} projects removed, ${bytes(r.freed_bytes)} freed.`);
    box.replaceChildren(el('p', { text: head }), list);
    $('#cleanup-run').hidden = !dry || r.projects.length === 0;
  } catch (e) { showError(e.message); }
}

loaders.audit = async () => {
  const d = await api('GET', '/admin/api/audit');
  $('#audit-table tbody').replaceChildren(...d.events.map((e) => el('tr', {},
    el('td', { text: when(e.at) }), el('td', { text: e.actor }), el('td', { text: e.action }),
    el('td', { class: 'mono', text: e.target }), el('td', { text: e.detail }), el('td', { class: 'mono', text: e.ip }))));
};

loaders.keys = async () => {
  const [k, w] = await Promise.all([api('GET', '/admin/api/keys'), api('GET', '/admin/api/webhooks?limit=50')]);
  $('#key-table tbody').replaceChildren(...k.keys.map((key) => el('tr', {},
    el('td', { text: key.name }), el('td', { class: 'mono', text: `${key.prefix}…` }), el('td', { text: key.rate_limit || 'per-IP rates' }),
    el('td', { text: key.renders_per_day || '∞' }), el('td', { text: key.storage_bytes ? bytes(key.storage_bytes) : '∞' }),
    el('td', { text: when(key.created_at) }), el('td', { text: key.last_used_at ? when(key.last_used_at) : 'never' }),
    el('td', {}, key.revoked_at ? el('span', { text: `revoked ${when(key.revoked_at)}` })
      : el('button', { type: 'button', text: 'Revoke', on: { click: () => revokeKey(key) } })))));
  $('#webhook-table tbody').replaceChildren(...w.deliveries.map((d) => el('tr', {},
    el('td', { text: when(d.at) }), el('td', { class: 'mono', text: d.render_id }), el('td', { text: d.event }),
    el('td', { text: String(d.attempt) }), el('td', { text: d.status ? String(d.status) : '—' }), el('td', { text: d.error }),
    el('td', { text: d.next_at ? when(d.next_at) : '' }))));
};

async function revokeKey(key) {
  if (!window.confirm(`Revoke the key "${key.name}"? Programs using it stop at once.`)) return;
  try { await api('DELETE', `/admin/api/keys/${encodeURIComponent(key.id)}`); await loaders.keys(); } catch (e) { showError(e.message); }
}

async function createKey(ev) {
  ev.preventDefault();
  try {
    const k = await api('POST', '/admin/api/keys', {
      name: $('#key-name').value, webhook_url: $('#key-webhook').value, rate_limit: $('#key-rate').value,
      renders_per_day: Number($('#key-renders').value), storage_bytes: Number($('#key-storage').value) * 1048576,
    });
    const box = $('#key-secret');
    box.replaceChildren(el('p', { text: 'Copy these now: they are not shown again.' }),
      el('p', {}, 'API key: ', el('code', { class: 'mono', text: k.secret })),
      el('p', {}, 'Webhook secret: ', el('code', { class: 'mono', text: k.webhook_secret })));
    box.hidden = false;
    $('#key-form').reset();
    await loaders.keys();
  } catch (e) { showError(e.message); }
}

function wire() {
  $('#key-form').addEventListener('submit', createKey);
  $('#login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const s = await api('POST', '/admin/login', { password: $('#password').value });
      $('#password').value = '';
      showError('');
      loggedIn(s);
    } catch (e) { showError(e.message); }
  });
  $('#logout').addEventListener('click', async () => {
    try { await api('POST', '/admin/logout'); } catch { /* the session is gone either way */ }
    loggedOut();
  });
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => show(b.dataset.tab));
  $('#render-filter').addEventListener('submit', (ev) => { ev.preventDefault(); loaders.renders().catch((e) => showError(e.message)); });
  $('#project-search').addEventListener('submit', (ev) => { ev.preventDefault(); loaders.projects().catch((e) => showError(e.message)); });
  $('#retention-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try { await api('PUT', '/admin/api/retention', { days: Number($('#retention-days').value) }); await loadRetention(); } catch (e) { showError(e.message); }
  });
  $('#retention-default').addEventListener('click', async () => {
    try { await api('PUT', '/admin/api/retention', { default: true }); await loadRetention(); } catch (e) { showError(e.message); }
  });
  $('#cleanup-dry').addEventListener('click', () => cleanup(true));
  $('#cleanup-run').addEventListener('click', () => cleanup(false));
}

wire();
api('GET', '/admin/api/session').then(loggedIn, () => loggedOut());
