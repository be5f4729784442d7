// cliptile.js: what a video clip's tile adds to a photo's: a play badge with the clip's
// length over its poster frame, a preview (the clip itself, muted, on hover or a tap of the
// badge), and in and out handles over its filmstrip that trim it.
import { h, fmtClock } from './util.js?v={{VERSION}}';

// MIN_PART is the shortest part of a clip the handles leave (seconds).
const MIN_PART = 0.2;

/** clipPart makes the clip parts of a tile: the badge (into media) and the trim box. */
export function clipPart(media) {
  const badge = h('button', { type: 'button', class: 'clip-badge', 'data-testid': 'clip-badge' },
    h('span', { 'aria-hidden': 'true' }, '▶ '), h('span', { class: 'clip-length' }));
  media.append(badge);
  const trim = h('div', { class: 'clip-trim', 'data-testid': 'clip-trim' },
    h('div', { class: 'clip-strip' },
      h('div', { class: 'clip-shade clip-shade-in' }), h('div', { class: 'clip-shade clip-shade-out' }),
      h('input', { class: 'handle clip-in', type: 'range', min: '0', max: '1', step: '0.1', value: '0' }),
      h('input', { class: 'handle clip-out', type: 'range', min: '0', max: '1', step: '0.1', value: '1' })),
    h('p', { class: 'clip-times muted' }));
  // Hover previews on a pointer that hovers; the badge toggles it everywhere (touch).
  media.addEventListener('mouseenter', () => { if (matchMedia('(hover: hover)').matches) preview(media, true); });
  media.addEventListener('mouseleave', () => preview(media, false));
  badge.addEventListener('click', (e) => {
    e.stopPropagation(); // not a focus tap
    preview(media, !media.querySelector('video'));
  });
  return trim;
}

/** fillClip shows slide s's clip: length, filmstrip and trim; num names it for screen readers. */
export function fillClip(li, s, num) {
  const q = (sel) => li.querySelector(sel);
  const d = s.clip_duration || 0;
  const inP = s.in || 0;
  const outP = s.out || d;
  const speed = s.speed || 1;
  q('.clip-length').textContent = fmtClock((outP - inP) / speed);
  const badge = q('.clip-badge');
  badge.setAttribute('aria-label', `Play a preview of clip ${num} (${fmtClock(d)} long)`);
  badge.title = 'Preview';
  q('.tile-media').dataset.video = s.video_url || '';
  const strip = q('.clip-strip');
  strip.style.backgroundImage = s.filmstrip_url ? `url("${s.filmstrip_url}")` : '';
  for (const [el, v, label] of [[q('.clip-in'), inP, 'start'], [q('.clip-out'), outP, 'end']]) {
    el.max = String(d);
    el.setAttribute('aria-label', `Clip ${num} ${label} (drag)`);
    if (document.activeElement !== el && !el.dataset.dragging) el.value = String(v);
  }
  shade(li, d);
  q('.clip-times').textContent = times(Number(q('.clip-in').value), Number(q('.clip-out').value), d);
}

/** dragClip follows a handle being dragged: they never cross nor come closer than MIN_PART. */
export function dragClip(li, handle) {
  const inH = li.querySelector('.clip-in');
  const outH = li.querySelector('.clip-out');
  const d = Number(outH.max) || 0;
  handle.dataset.dragging = '1';
  if (handle === inH) inH.value = String(Math.min(Number(inH.value), Number(outH.value) - MIN_PART));
  else outH.value = String(Math.max(Number(outH.value), Number(inH.value) + MIN_PART));
  shade(li, d);
  li.querySelector('.clip-times').textContent = times(Number(inH.value), Number(outH.value), d);
}

/** trimOf is the patch a dragged handle saves: in and out in seconds (out 0: to the end). */
export function trimOf(li, handle) {
  delete handle.dataset.dragging;
  const inH = li.querySelector('.clip-in');
  const outH = li.querySelector('.clip-out');
  const d = Number(outH.max) || 0;
  const round = (v) => Math.round(v * 100) / 100;
  const out = Number(outH.value);
  return { in: round(Number(inH.value)), out: out >= d - 0.05 ? 0 : round(out) };
}

function times(inP, outP, d) {
  if (inP <= 0 && outP >= d - 0.05) return `The whole clip, ${fmtClock(d, true)}`;
  return `${fmtClock(inP, true)} to ${fmtClock(outP, true)} of ${fmtClock(d, true)}`;
}

// shade dims the filmstrip outside the chosen part.
function shade(li, d) {
  const inP = Number(li.querySelector('.clip-in').value);
  const outP = Number(li.querySelector('.clip-out').value);
  const pct = (v) => `${d > 0 ? (v / d) * 100 : 0}%`;
  li.querySelector('.clip-shade-in').style.width = pct(inP);
  li.querySelector('.clip-shade-out').style.width = pct(Math.max(0, d - outP));
}

// preview plays the clip over its poster, muted and looping, or stops it.
function preview(media, on) {
  const old = media.querySelector('video');
  if (!on || !media.dataset.video) {
    old?.remove();
    media.classList.remove('is-playing');
    return;
  }
  if (old) return;
  const v = h('video', { class: 'clip-preview', muted: true, playsinline: true, loop: true, autoplay: true, preload: 'auto', 'data-testid': 'clip-preview' });
  v.muted = true;
  v.src = media.dataset.video;
  v.addEventListener('error', () => { v.remove(); media.classList.remove('is-playing'); }); // a format this browser cannot play
  media.classList.add('is-playing');
  media.append(v);
}
