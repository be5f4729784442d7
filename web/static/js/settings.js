// settings.js: the settings controls. Each change is merged into one pending patch and
// saved with a debounced PATCH /settings; until a project exists the choices wait.
import { api } from './api.js?v={{VERSION}}';
import { h, debounce, fmtSeconds } from './util.js?v={{VERSION}}';

// Used when GET /capabilities failed, so the page still offers something sensible.
const FALLBACK = {
  resolutions: ['1280x720', '1920x1080', '720x1280', '1080x1920', '1080x1080', '1080x1350'],
  transitions: ['fade'], fits: ['contain', 'blur'], motions: ['none'], qualities: ['draft', 'standard', 'high'], music_fits: ['loop', 'trim'],
  fps: [30],
};
const FALLBACK_SPEC = {
  output: { resolution: '1920x1080', quality: 'standard' }, defaults: { duration: 3, fit: 'contain', background: '#000000' },
  transition: { name: 'fade', duration: 0.5 }, music: { fit: 'loop', fade_out: 1.5 },
};

const RATIOS = [[16 / 9, '16:9', 'landscape'], [9 / 16, '9:16', 'phone'], [4 / 3, '4:3', 'landscape'],
  [3 / 4, '3:4', 'portrait'], [1, '1:1', 'square'], [4 / 5, '4:5', 'portrait']];

/** resolutionLabel: "1920x1080" -> "1920x1080 (16:9 landscape)". */
export function resolutionLabel(r) {
  const [w, hgt] = String(r).split('x').map(Number);
  const found = w && hgt ? RATIOS.find(([q]) => Math.abs(w / hgt - q) / q < 0.01) : null;
  return found ? `${r} (${found[1]} ${found[2]})` : String(r);
}

const TRANSITIONS = {
  none: 'None (straight cut)', fade: 'Fade', fadeblack: 'Fade through black', fadewhite: 'Fade through white',
  fadegrays: 'Fade through grey', dissolve: 'Dissolve', pixelize: 'Pixelate', distance: 'Distance', random: 'Random',
  radial: 'Radial', hblur: 'Horizontal blur', zoomin: 'Zoom in', squeezeh: 'Squeeze horizontally', squeezev: 'Squeeze vertically',
};

/** transitionLabel: "wipeleft" -> "Wipe left"; names it does not know are shown as they are. */
export function transitionLabel(name) {
  if (TRANSITIONS[name]) return TRANSITIONS[name];
  const m = /^(wipe|slide|smooth|circle|rect|horz|vert|diag|cover|reveal|hl|hr|vu|vd|wind)(.+)$/.exec(name);
  const words = { left: 'left', right: 'right', up: 'up', down: 'down', open: 'open', close: 'close', crop: 'crop', tl: 'top left', tr: 'top right', bl: 'bottom left', br: 'bottom right', slice: 'slice' };
  if (m && words[m[2]]) {
    const first = { horz: 'Horizontal', vert: 'Vertical', diag: 'Diagonal', hl: 'Slice left', hr: 'Slice right', vu: 'Slice up', vd: 'Slice down' }[m[1]]
      || m[1][0].toUpperCase() + m[1].slice(1);
    return `${first} ${words[m[2]]}`;
  }
  return name;
}

export const FITS = { contain: 'Whole photo on a colour', blur: 'Whole photo on a blurred copy', cover: 'Fill the frame (crop)' };
export const MOTIONS = {
  none: 'None (still)', auto: 'Alternate (slow zoom and pan)', 'zoom-in': 'Slow zoom in', 'zoom-out': 'Slow zoom out',
  'pan-left': 'Pan left', 'pan-right': 'Pan right', 'pan-up': 'Pan up', 'pan-down': 'Pan down',
};
// The same choices in the few words a photo's tile has room for.
export const FITS_SHORT = { contain: 'Whole photo', blur: 'Blur fill', cover: 'Crop to fill' };
export const MOTIONS_SHORT = {
  none: 'Still', auto: 'Alternate', 'zoom-in': 'Zoom in', 'zoom-out': 'Zoom out',
  'pan-left': 'Pan left', 'pan-right': 'Pan right', 'pan-up': 'Pan up', 'pan-down': 'Pan down',
};
const QUALITIES = { draft: 'Draft (fastest)', standard: 'Standard', high: 'High (slowest)' };
const MUSIC_FITS = { loop: 'Repeat it until the video ends', trim: 'Play it once', slides: 'Stretch the photos to the song' };

function merge(into, patch) {
  for (const [k, v] of Object.entries(patch)) {
    if (v && typeof v === 'object') merge((into[k] = into[k] || {}), v);
    else into[k] = v;
  }
  return into;
}

export function fillSelect(sel, values, label) {
  sel.replaceChildren(...values.map((v) => h('option', { value: v }, label(v))));
}

function setSelect(sel, value, label) {
  if (value === undefined || value === null || value === '') return;
  if (![...sel.options].some((o) => o.value === value)) sel.append(h('option', { value }, label(value)));
  sel.value = value;
}

export class SettingsView {
  constructor(store, notify) {
    this.store = store;
    this.notify = notify;
    const $ = (id) => document.getElementById(id);
    this.c = {
      resolution: $('resolution'), duration: $('duration'), fit: $('fit'), background: $('background'),
      transition: $('transition'), transitionDuration: $('transition-duration'), quality: $('quality'),
      musicFit: $('music-fit'), fadeOut: $('music-fade-out'), motion: $('motion'),
      fps: $('fps'), normalize: $('music-normalize'), beatSync: $('beat-sync'),
    };
    this.motionField = $('motion-field');
    this.shape = { frame: $('shape-frame'), img: $('shape-img'), back: $('shape-back'), label: $('shape-label') };
    this.out = { duration: $('duration-out'), transitionDuration: $('transition-duration-out'), fadeOut: $('music-fade-out-out') };
    this.backgroundField = $('background-field');
    this.pending = {};
    this.inflight = 0;
    this.save = debounce(() => this.flush(), 400);
    const c = this.c;
    const on = (el, type, patch) => el.addEventListener(type, () => this.queue(patch(el.value)));
    on(c.resolution, 'change', (v) => ({ output: { resolution: v } }));
    on(c.quality, 'change', (v) => ({ output: { quality: v } }));
    on(c.duration, 'input', (v) => ({ defaults: { duration: Number(v) } }));
    on(c.fit, 'change', (v) => ({ defaults: { fit: v } }));
    on(c.motion, 'change', (v) => ({ defaults: { motion: v } }));
    on(c.fps, 'change', (v) => ({ output: { fps: Number(v) } }));
    c.normalize.addEventListener('change', () => this.queue({ music: { normalize: c.normalize.checked } }));
    c.beatSync.addEventListener('change', () => this.queue({ beat_sync: c.beatSync.checked }));
    on(c.background, 'change', (v) => ({ defaults: { background: v } }));
    on(c.transition, 'change', (v) => ({ transition: { name: v } }));
    on(c.transitionDuration, 'input', (v) => ({ transition: { duration: Number(v) } }));
    on(c.musicFit, 'change', (v) => ({ music: { fit: v } }));
    on(c.fadeOut, 'input', (v) => ({ music: { fade_out: Number(v) } }));
    this.texts = ['title', 'end'].map((which) => {
      const t = { which, text: $(`${which}-text`), seconds: $(`${which}-seconds`), plain: $(`${which}-plain`), bg: $(`${which}-bg`) };
      const save = () => this.queue({ [which]: this.textSlide(t) });
      t.text.addEventListener('input', save);
      for (const el of [t.seconds, t.plain, t.bg]) el.addEventListener('change', save);
      return t;
    });
    store.onFlush(() => this.save.flush());
    store.addEventListener('change', () => {
      if (store.project && this.hasPending() && !this.save.pending()) this.flush();
      this.apply();
      this.drawShape();
    });
  }

  /** init fills the lists from the capabilities (or the built-in fallback) and shows the spec. */
  init(caps) {
    const k = caps || FALLBACK;
    const c = this.c;
    fillSelect(c.fit, k.fits || FALLBACK.fits, (v) => FITS[v] || v);
    const sizes = [...(k.resolutions || FALLBACK.resolutions), ...(k.preset_resolutions || [])];
    fillSelect(c.resolution, [...new Set(sizes)], resolutionLabel);
    fillSelect(c.fps, (k.fps || FALLBACK.fps).map(String), (v) => `${v} fps`);
    const motions = k.motions || FALLBACK.motions;
    fillSelect(c.motion, motions, (v) => MOTIONS[v] || v);
    this.motionField.hidden = motions.length < 2;
    fillSelect(c.transition, ['none', ...(k.transitions || FALLBACK.transitions).filter((t) => t !== 'none')], transitionLabel);
    fillSelect(c.quality, k.qualities || FALLBACK.qualities, (v) => QUALITIES[v] || v);
    fillSelect(c.musicFit, k.music_fits || FALLBACK.music_fits, (v) => MUSIC_FITS[v] || v);
    this.apply();
  }

  // textSlide is the title or end slide the controls of t describe; empty words remove it.
  textSlide(t) {
    const text = t.text.value.trim();
    if (!text) return { text: '' };
    const d = Number(t.seconds.value);
    return { text, duration: Number.isFinite(d) && d >= 0.5 && d <= 30 ? d : 3, background: t.plain.checked ? t.bg.value : '' };
  }

  // applyTexts shows the spec's title and end slides (never over words being typed).
  applyTexts(s) {
    for (const t of this.texts) {
      const v = s[t.which] || {};
      if (document.activeElement !== t.text) t.text.value = v.text || '';
      if (document.activeElement !== t.seconds) t.seconds.value = String(v.duration || 3);
      t.plain.checked = !!v.background;
      if (v.background) t.bg.value = v.background;
      t.bg.disabled = !t.plain.checked;
    }
  }

  hasPending() { return Object.keys(this.pending).length > 0; }

  queue(patch) {
    merge(this.pending, patch);
    this.sync();
    this.save();
  }

  async flush() {
    const p = this.store.project;
    if (!p || !this.hasPending()) return; // without a project the choices wait for one
    const patch = this.pending;
    this.pending = {};
    this.inflight++;
    try {
      await this.store.mutate(() => api.patchSettings(p.id, patch));
    } catch (err) {
      this.notify.error(err);
      await this.store.refresh();
    } finally {
      this.inflight--;
      this.apply();
    }
  }

  // apply shows the project's spec (or the defaults), unless the user has changes on the way.
  apply() {
    if (this.inflight || this.hasPending()) return;
    const s = this.store.project?.spec || this.store.caps?.defaults || FALLBACK_SPEC;
    const c = this.c;
    const out = s.output || {};
    const d = s.defaults || {};
    const t = s.transition || {};
    const m = s.music || {};
    setSelect(c.resolution, out.resolution, resolutionLabel);
    setSelect(c.quality, out.quality, (v) => QUALITIES[v] || v);
    if (d.duration) c.duration.value = String(d.duration);
    setSelect(c.fit, d.fit, (v) => FITS[v] || v);
    setSelect(c.motion, d.motion, (v) => MOTIONS[v] || v);
    if (out.fps) setSelect(c.fps, String(out.fps), (v) => `${v} fps`);
    c.normalize.checked = !!m.normalize;
    c.beatSync.checked = !!s.beat_sync;
    if (d.background) c.background.value = d.background;
    setSelect(c.transition, t.name, transitionLabel);
    if (t.duration) c.transitionDuration.value = String(t.duration);
    setSelect(c.musicFit, m.fit, (v) => MUSIC_FITS[v] || v);
    c.fadeOut.value = String(m.fade_out ?? 1.5);
    this.applyTexts(s);
    this.sync();
  }

  // sync updates what depends on other controls: the value labels, the colour, the length.
  sync() {
    const c = this.c;
    this.out.duration.textContent = fmtSeconds(c.duration.value);
    this.out.transitionDuration.textContent = fmtSeconds(c.transitionDuration.value);
    this.out.fadeOut.textContent = Number(c.fadeOut.value) ? fmtSeconds(c.fadeOut.value) : 'none';
    this.backgroundField.hidden = c.fit.value !== 'contain';
    c.transitionDuration.disabled = c.transition.value === 'none';
    for (const t of this.texts) t.bg.disabled = !t.plain.checked;
    this.drawShape();
  }

  // drawShape shows the video's shape with the first photo placed as the chosen fit would
  // place it: a live preview of size, fit and background.
  drawShape() {
    const c = this.c;
    const { frame, img, back, label } = this.shape;
    const [w, hgt] = String(c.resolution.value).split('x').map(Number);
    if (!w || !hgt) return;
    frame.style.aspectRatio = `${w} / ${hgt}`;
    frame.dataset.fit = c.fit.value;
    frame.style.backgroundColor = c.fit.value === 'contain' ? c.background.value : '#000';
    label.textContent = resolutionLabel(c.resolution.value);
    const first = this.store.project?.slides?.[0];
    const src = first ? first.thumbnail_url : '';
    for (const el of [img, back]) {
      if (el.getAttribute('src') !== src) { if (src) el.src = src; else el.removeAttribute('src'); }
      el.hidden = !src;
    }
    back.hidden = !src || c.fit.value !== 'blur';
    const f = first?.focus?.length === 2 ? first.focus : [0.5, 0.5];
    img.style.objectPosition = `${f[0] * 100}% ${f[1] * 100}%`;
  }
}
