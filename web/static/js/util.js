// util.js: small DOM and formatting helpers shared by the page's modules.

/**
 * h builds an element. attrs: "class", "text" (textContent) and plain attributes; false,
 * null and undefined are skipped. Children are nodes or strings (never parsed as HTML).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/**
 * fmtTaken formats a taken_at ("2025-06-14T10:00:00+02:00") as the photo's own clock showed
 * it, whatever the viewer's time zone: "Sat 14 Jun 2025, 10:00"; "" when there is none.
 */
export function fmtTaken(takenAt) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(takenAt || '');
  if (!m) return '';
  const wall = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]));
  return wall.toLocaleString('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short',
    year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** fmtClock formats seconds as m:ss; precise keeps tenths when there are any (m:ss.s). */
export function fmtClock(sec, precise = false) {
  if (!Number.isFinite(sec) || sec < 0) sec = 0;
  if (precise) {
    const tenths = Math.round(sec * 10) / 10;
    const m = Math.floor(tenths / 60);
    const s = tenths - m * 60;
    const whole = Math.floor(s);
    const frac = Math.round((s - whole) * 10);
    return `${m}:${String(whole).padStart(2, '0')}${frac ? '.' + frac : ''}`;
  }
  const whole = Math.round(sec);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** parseClock reads "1:30", "1:30.5", "90" or "90,5"; null when empty, NaN when unreadable. */
export function parseClock(text) {
  const t = String(text || '').trim().replace(',', '.');
  if (t === '') return null;
  let m = /^(\d+):([0-5]?\d(?:\.\d+)?)$/.exec(t);
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  m = /^\d+(?:\.\d+)?$/.exec(t);
  return m ? Number(t) : NaN;
}

/** fmtBytes formats a byte count for people: 812 KB, 12.3 MB. */
export function fmtBytes(n) {
  if (!Number.isFinite(n) || n <= 0) return '0 KB';
  const units = ['bytes', 'KB', 'MB', 'GB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

/** fmtEta says how long is left, roughly. */
export function fmtEta(sec) {
  if (!Number.isFinite(sec) || sec <= 0) return '';
  if (sec < 60) return `about ${Math.max(1, Math.ceil(sec))} s left`;
  return `about ${Math.ceil(sec / 60)} min left`;
}

/** fmtSeconds formats a number of seconds for a label: "3 s", "0.5 s". */
export function fmtSeconds(v) {
  return `${Number(v).toFixed(Number.isInteger(Number(v)) ? 0 : 1)} s`;
}

/**
 * debounce delays fn until ms have passed without a call. The returned function has
 * flush() (run now if a call is waiting), cancel() and pending().
 */
export function debounce(fn, ms) {
  let timer = 0;
  let args = null;
  const run = () => {
    const a = args;
    timer = 0;
    args = null;
    fn(...a);
  };
  const d = (...a) => {
    args = a;
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  d.flush = () => { if (timer) { clearTimeout(timer); run(); } };
  d.cancel = () => { clearTimeout(timer); timer = 0; args = null; };
  d.pending = () => timer !== 0;
  return d;
}

/** plural: "1 photo", "3 photos". */
export function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
