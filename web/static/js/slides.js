// slides.js: the photo tiles: their order (drag, arrow buttons), caption, duration, fit,
// motion and focus point (tap the photo when it fills the frame), duplicate and removal, and
// the tiles of files still uploading or refused. A video clip's tile adds its own parts
// (cliptile.js): a play badge, a preview and trim handles.
import { api } from './api.js?v={{VERSION}}';
import { h, fmtClock, fmtTaken, debounce, plural } from './util.js?v={{VERSION}}';
import { fillSlots } from './uploads.js?v={{VERSION}}';
import { DragSort } from './dragsort.js?v={{VERSION}}';
import { uploadTile, fillUploadTile, fillUploadProgress } from './uploadtile.js?v={{VERSION}}';
import { FITS, MOTIONS, FITS_SHORT, MOTIONS_SHORT, fillSelect } from './settings.js?v={{VERSION}}';
import { UNDO_MS } from './store.js?v={{VERSION}}';
import { Toast } from './toast.js?v={{VERSION}}';
import { clipPart, fillClip, dragClip, trimOf } from './cliptile.js?v={{VERSION}}';

// place makes list's children exactly nodes, in order, moving as few as it can (a moved
// node loses keyboard focus).
function place(list, nodes) {
  let ref = list.firstChild;
  for (const n of nodes) {
    if (n === ref) ref = ref.nextSibling;
    else list.insertBefore(n, ref);
  }
  while (ref) {
    const next = ref.nextSibling;
    ref.remove();
    ref = next;
  }
}

export class SlidesView {
  constructor(store, uploads, notify) {
    this.store = store;
    this.uploads = uploads;
    this.notify = notify;
    this.list = document.getElementById('slides');
    this.count = document.getElementById('slide-count');
    this.hint = document.getElementById('slides-hint');
    this.sortTaken = document.getElementById('sort-taken');
    this.sortTaken.addEventListener('click', () => this.sortByTaken());
    this.tiles = new Map(); // slide id -> li
    this.upTiles = new Map(); // upload uid -> li
    this.captions = new Map(); // slide id -> debounced caption save
    this.list.addEventListener('click', (e) => this.onClick(e));
    this.list.addEventListener('input', (e) => this.onInput(e));
    this.list.addEventListener('change', (e) => this.onChange(e));
    this.drag = new DragSort(this.list, (id, beforeId) => this.moveBefore(id, beforeId));
    store.addEventListener('change', () => this.render());
    uploads.addEventListener('change', () => this.render());
    uploads.addEventListener('progress', (e) => {
      const li = this.upTiles.get(e.detail.uid);
      if (li) fillUploadProgress(li, e.detail);
    });
    store.onFlush(() => { for (const save of this.captions.values()) save.flush(); });
    this.toast = new Toast(document.getElementById('toast'));
    store.addEventListener('removal', (e) => {
      if (e.detail) this.toast.show(`Photo ${e.detail.num} removed.`, 'Undo', () => this.undo(), UNDO_MS);
      else this.toast.hide();
    });
    store.addEventListener('removal-error', (e) => this.notify.error(e.detail));
  }

  /** order is the slide ids as shown: the server's order, this upload batch in added order. */
  order() {
    const p = this.store.project;
    return fillSlots(p ? p.slides.map((s) => s.id) : [], this.uploads.batch());
  }

  render() {
    const p = this.store.project;
    const byId = new Map((p ? p.slides : []).map((s) => [s.id, s]));
    for (const [id, li] of this.tiles) {
      if (!byId.has(id)) {
        this.tiles.delete(id);
        this.captions.get(id)?.cancel();
        this.captions.delete(id);
        li.remove();
      }
    }
    const order = this.order();
    const def = p ? p.spec.defaults.duration : 3;
    const nodes = order.map((id, i) => {
      const s = byId.get(id);
      let li = this.tiles.get(id);
      if (!li) {
        li = this.makeTile(s);
        this.tiles.set(id, li);
      }
      this.fillTile(li, s, i, order.length, def);
      return li;
    });
    const live = new Set();
    for (const it of this.uploads.visible()) {
      live.add(it.uid);
      let li = this.upTiles.get(it.uid);
      if (!li) {
        li = uploadTile(it);
        this.upTiles.set(it.uid, li);
      }
      fillUploadTile(li, it);
      nodes.push(li);
    }
    for (const uid of this.upTiles.keys()) if (!live.has(uid)) this.upTiles.delete(uid);
    place(this.list, nodes);
    this.renderCount(p, def);
  }

  renderCount(p, def) {
    const n = p ? p.slides.length : 0;
    const total = p ? p.slides.reduce((sum, s) => sum + (s.duration || clipSeconds(s) || def), 0) : 0;
    const waiting = this.uploads.visible().filter((i) => i.state !== 'failed').length;
    let text = n ? `${plural(n, 'photo')} · ${fmtClock(total)}` : 'No photos yet';
    if (waiting) text += ` · uploading ${waiting}`;
    const max = this.store.caps?.limits?.images_per_project;
    if (max && n >= max * 0.9) text += ` (at most ${max})`;
    this.count.textContent = text;
    this.hint.hidden = n < 1;
    // Sorting needs two photos, and a date on at least one of them.
    const dated = p ? p.slides.filter((s) => s.taken_at).length : 0;
    this.sortTaken.hidden = n < 2;
    this.sortTaken.disabled = dated === 0;
    this.sortTaken.title = dated ? `${dated} of ${n} photos say when they were taken; the others go last`
      : 'None of the photos says when it was taken';
  }

  // sortByTaken has the server put the slides in the order they were taken, once: the user
  // can still move them by hand afterwards.
  async sortByTaken() {
    await this.store.commitRemoval();
    const p = this.store.project;
    if (!p) return;
    try {
      await this.store.mutate(() => api.sortSlides(p.id, 'taken'));
      this.notify.status('Photos sorted by the date they were taken.');
    } catch (err) {
      this.notify.error(err);
      this.store.refresh();
    }
  }

  makeTile(s) {
    const img = h('img', { alt: '', draggable: 'false', decoding: 'async' });
    const media = h('div', { class: 'tile-media' }, img,
      h('span', { class: 'focus-dot', hidden: '' }),
      h('span', { class: 'tile-num', 'aria-hidden': 'true' }),
      h('span', { class: 'slide-handle', 'aria-hidden': 'true', title: 'Drag to move' }, '⠿'));
    img.addEventListener('error', () => media.classList.add('is-broken'));
    img.addEventListener('load', () => { if (media.classList.contains('is-focusable')) this.render(); });
    const preview = this.uploads.takePreview(s.id);
    const clip = s.kind === 'clip';
    if (preview && clip) URL.revokeObjectURL(preview); // a video is no picture: its poster comes from the server
    if (preview && !clip) {
      // Keep showing the browser's picture until the server's thumbnail has loaded.
      img.src = preview;
      const server = new Image();
      const swap = () => { img.src = s.thumbnail_url; URL.revokeObjectURL(preview); };
      server.addEventListener('load', swap);
      server.addEventListener('error', swap);
      server.src = s.thumbnail_url;
    } else {
      img.src = s.thumbnail_url;
    }
    return h('li', { class: `tile slide${clip ? ' is-clip' : ''}`, 'data-slide-id': s.id, 'data-testid': 'slide' },
      media,
      h('p', { class: 'tile-name' }),
      clip ? clipPart(media) : null,
      h('p', { class: 'tile-date', 'data-testid': 'taken' }),
      h('div', { class: 'tile-fields' },
        h('label', { class: 'mini' }, h('span', { text: 'Caption' }),
          h('input', { class: 'slide-caption', type: 'text', maxlength: '500', autocomplete: 'off' })),
        h('label', { class: 'mini' }, h('span', { text: 'Seconds' }),
          h('input', { class: 'slide-duration', type: 'number', min: '0.5', max: '30', step: '0.5', inputmode: 'decimal' }))),
      h('div', { class: 'tile-looks' },
        h('label', { class: 'mini' }, h('span', { text: 'Fit' }), h('select', { class: 'slide-fit' })),
        h('label', { class: 'mini slide-motion-field' }, h('span', { text: 'Motion' }), h('select', { class: 'slide-motion' }))),
      h('div', { class: 'tile-actions' },
        h('button', { type: 'button', class: 'icon-btn slide-left' }, h('span', { 'aria-hidden': 'true' }, '←')),
        h('button', { type: 'button', class: 'icon-btn slide-right' }, h('span', { 'aria-hidden': 'true' }, '→')),
        h('button', { type: 'button', class: 'icon-btn slide-dup' }, h('span', { 'aria-hidden': 'true' }, '⊕')),
        h('button', { type: 'button', class: 'icon-btn slide-remove' }, h('span', { 'aria-hidden': 'true' }, '✕'))));
  }

  fillTile(li, s, i, n, def) {
    const num = i + 1;
    const name = s.filename || `Photo ${num}`;
    const q = (sel) => li.querySelector(sel);
    q('.tile-num').textContent = String(num);
    q('img').alt = `Photo ${num}: ${name}`;
    q('.tile-name').textContent = name;
    q('.tile-name').title = name;
    const taken = fmtTaken(s.taken_at);
    q('.tile-date').textContent = taken;
    q('.tile-date').hidden = !taken;
    q('.tile-date').title = taken ? `Taken ${s.taken_at}` : '';
    const cap = q('.slide-caption');
    cap.setAttribute('aria-label', `Caption for photo ${num}`);
    if (document.activeElement !== cap && !this.captions.get(s.id)?.pending()) cap.value = s.caption || '';
    const dur = q('.slide-duration');
    const own = clipSeconds(s); // a clip lasts its part unless given seconds
    const plain = own ? Math.round(own * 10) / 10 : def;
    dur.setAttribute('aria-label', `Seconds for ${own ? 'clip' : 'photo'} ${num} (empty: ${plain} s)`);
    dur.placeholder = String(plain);
    if (document.activeElement !== dur) dur.value = s.duration ? String(s.duration) : '';
    const left = q('.slide-left');
    const right = q('.slide-right');
    left.disabled = i === 0;
    right.disabled = i === n - 1;
    left.setAttribute('aria-label', `Move photo ${num} left`);
    right.setAttribute('aria-label', `Move photo ${num} right`);
    left.title = 'Move left';
    right.title = 'Move right';
    q('.slide-remove').setAttribute('aria-label', `Remove photo ${num} (${name})`);
    q('.slide-remove').title = 'Remove';
    q('.slide-dup').setAttribute('aria-label', `Duplicate photo ${num}`);
    q('.slide-dup').title = 'Duplicate';
    if (s.kind === 'clip') fillClip(li, s, num);
    this.fillLooks(li, s, num);
  }

  // fillLooks shows the slide's own fit and motion ("" = the project's) and, when the photo
  // fills the frame, its focus point, set by tapping the photo.
  fillLooks(li, s, num) {
    const caps = this.store.caps || {};
    const d = this.store.project?.spec?.defaults || {};
    const q = (sel) => li.querySelector(sel);
    // A tile is narrow: its choices use short words, the settings card's the long ones.
    const choices = (sel, values, labels, long, def, own) => {
      const el = q(sel);
      const want = ['', ...values];
      if ([...el.options].map((o) => o.value).join() !== want.join()) {
        fillSelect(el, want, (v) => (v ? labels[v] || long[v] || v : 'Default'));
        for (const o of el.options) if (o.value) o.title = long[o.value] || o.value;
      }
      el.options[0].textContent = 'Default';
      el.title = `Default: ${long[def] || def || '-'}`;
      if (document.activeElement !== el) el.value = want.includes(own || '') ? own || '' : '';
      return el;
    };
    choices('.slide-fit', caps.fits || ['contain', 'blur'], FITS_SHORT, FITS, d.fit, s.fit).setAttribute('aria-label', `Fit of photo ${num}`);
    const motions = caps.motions || ['none'];
    choices('.slide-motion', motions, MOTIONS_SHORT, MOTIONS, d.motion, s.motion).setAttribute('aria-label', `Motion of photo ${num}`);
    q('.slide-motion-field').hidden = motions.length < 2;
    const media = q('.tile-media');
    const focusable = (s.fit || d.fit) === 'cover';
    media.classList.toggle('is-focusable', focusable);
    const img = q('img');
    img.style.objectFit = focusable ? 'contain' : '';
    img.title = focusable ? 'Tap the part of the photo that must stay in the frame' : '';
    const dot = q('.focus-dot');
    dot.hidden = !focusable;
    if (focusable) {
      const [fx, fy] = s.focus?.length === 2 ? s.focus : [0.5, 0.5];
      const r = shownRect(img, media);
      dot.style.left = `${r.x + fx * r.w}px`;
      dot.style.top = `${r.y + fy * r.h}px`;
    }
  }

  // setFocus turns a tap on a photo into its focus point (0..1 on each axis).
  setFocus(e, li) {
    const media = li.querySelector('.tile-media');
    if (!media.classList.contains('is-focusable')) return false;
    const img = li.querySelector('img');
    const box = media.getBoundingClientRect();
    const r = shownRect(img, media);
    const clamp = (v) => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
    const focus = [clamp((e.clientX - box.left - r.x) / r.w), clamp((e.clientY - box.top - r.y) / r.h)];
    this.patch(li.dataset.slideId, { focus });
    this.notify.status(`Focus set to ${Math.round(focus[0] * 100)}% across, ${Math.round(focus[1] * 100)}% down.`);
    return true;
  }

  async duplicate(id) {
    const p = this.store.project;
    if (!p) return;
    try {
      await this.store.mutate(() => api.duplicateSlide(p.id, id));
      const i = this.order().indexOf(id);
      this.notify.status(`Photo ${i + 1} duplicated: the copy is photo ${i + 2}.`);
    } catch (err) {
      this.notify.error(err);
    }
  }

  onClick(e) {
    const btn = e.target.closest('button');
    if (!btn) {
      const li = e.target.closest('.slide');
      if (li && e.target.closest('.tile-media')) this.setFocus(e, li);
      return;
    }
    const up = btn.closest('.upload');
    if (up) {
      if (btn.classList.contains('upload-retry')) this.uploads.retry(up.dataset.uploadId);
      else if (btn.classList.contains('upload-dismiss')) this.dismissUpload(up);
      return;
    }
    const li = btn.closest('.slide');
    if (!li) return;
    const id = li.dataset.slideId;
    if (btn.classList.contains('slide-left')) this.step(id, -1);
    else if (btn.classList.contains('slide-right')) this.step(id, 1);
    else if (btn.classList.contains('slide-remove')) this.remove(id);
    else if (btn.classList.contains('slide-dup')) this.duplicate(id);
  }

  dismissUpload(li) {
    const next = li.nextElementSibling || li.previousElementSibling;
    this.uploads.dismiss(li.dataset.uploadId);
    (next?.querySelector('button:not([disabled])') || document.getElementById('file-input')).focus();
  }

  // step moves a slide one place and keeps focus on its arrow (the other one at an end).
  step(id, delta) {
    const order = this.order();
    const i = order.indexOf(id);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= order.length) return;
    [order[i], order[j]] = [order[j], order[i]];
    this.commit(order);
    const li = this.tiles.get(id);
    const same = li.querySelector(delta < 0 ? '.slide-left' : '.slide-right');
    (same.disabled ? li.querySelector(delta < 0 ? '.slide-right' : '.slide-left') : same).focus();
    this.notify.status(`Photo moved to place ${j + 1} of ${order.length}.`);
  }

  moveBefore(id, beforeId) {
    const order = this.order().filter((x) => x !== id);
    const k = beforeId ? order.indexOf(beforeId) : -1;
    order.splice(k < 0 ? order.length : k, 0, id);
    this.commit(order);
    this.notify.status(`Photo moved to place ${order.indexOf(id) + 1} of ${order.length}.`);
  }

  // commit shows the new order at once and saves it. If the server's slides changed
  // meanwhile (an upload landed), it merges and tries once more.
  async commit(order, retried = false) {
    await this.store.commitRemoval(); // the order sent names every slide the server has
    const p = this.store.project;
    if (!p) return;
    this.uploads.markPlaced();
    const byId = new Map(p.slides.map((s) => [s.id, s]));
    const known = order.filter((id) => byId.has(id));
    const full = known.concat(p.slides.map((s) => s.id).filter((id) => !known.includes(id)));
    this.store.local({ ...p, slides: full.map((id) => byId.get(id)) });
    try {
      await this.store.mutate(() => api.putOrder(p.id, full));
    } catch (err) {
      if (!retried && err.status >= 400 && err.status < 500 && err.status !== 404) {
        await this.store.refresh();
        return this.commit(full, true);
      }
      this.notify.error(err);
      this.store.refresh();
    }
    return undefined;
  }

  // remove takes the photo away at once; the toast offers Undo until the store sends the
  // removal (store.js, UNDO_MS).
  async remove(id) {
    const li = this.tiles.get(id);
    if (!this.store.project || !li) return;
    const order = this.order();
    const i = order.indexOf(id);
    const hadFocus = li.contains(document.activeElement);
    await this.store.removeLater(id, i + 1);
    this.notify.status(`Photo ${i + 1} removed. Undo is at the bottom of the window.`);
    if (hadFocus) {
      const near = this.tiles.get(order[i + 1]) || this.tiles.get(order[i - 1]);
      (near ? near.querySelector('.slide-remove') : document.getElementById('file-input')).focus();
    }
  }

  undo() {
    const id = this.store.undoRemoval();
    const li = id && this.tiles.get(id);
    if (!li) return;
    li.querySelector('.slide-remove').focus();
    this.notify.status(`Photo ${this.order().indexOf(id) + 1} is back.`);
  }

  captionSaver(id) {
    let save = this.captions.get(id);
    if (!save) {
      save = debounce(() => {
        const input = this.tiles.get(id)?.querySelector('.slide-caption');
        if (input) this.patch(id, { caption: input.value });
      }, 800);
      this.captions.set(id, save);
    }
    return save;
  }

  onInput(e) {
    if (e.target.classList.contains('handle')) {
      dragClip(e.target.closest('.slide'), e.target);
      return;
    }
    if (!e.target.classList.contains('slide-caption')) return;
    this.captionSaver(e.target.closest('.slide').dataset.slideId)();
  }

  onChange(e) {
    const li = e.target.closest('.slide');
    if (!li) return;
    const id = li.dataset.slideId;
    if (e.target.classList.contains('slide-caption')) {
      this.captionSaver(id).flush();
      return;
    }
    if (e.target.classList.contains('slide-fit')) {
      this.patch(id, { fit: e.target.value });
      return;
    }
    if (e.target.classList.contains('slide-motion')) {
      this.patch(id, { motion: e.target.value });
      return;
    }
    if (e.target.classList.contains('clip-in') || e.target.classList.contains('clip-out')) {
      this.patch(id, trimOf(li, e.target));
      return;
    }
    if (!e.target.classList.contains('slide-duration')) return;
    const raw = e.target.value.trim();
    const d = raw === '' ? 0 : Number(raw);
    if (e.target.validity.badInput || !Number.isFinite(d) || (d !== 0 && (d < 0.5 || d > 30))) {
      const num = this.order().indexOf(id) + 1;
      this.notify.error(`Photo ${num}: seconds must be between 0.5 and 30 (leave it empty for the default).`);
      const s = this.store.project?.slides.find((x) => x.id === id);
      e.target.value = s && s.duration ? String(s.duration) : '';
      return;
    }
    this.patch(id, { duration: d });
  }

  async patch(id, body) {
    const p = this.store.project;
    if (!p) return;
    try {
      await this.store.mutate(() => api.patchSlide(p.id, id, body));
    } catch (err) {
      this.notify.error(err);
      this.store.refresh();
    }
  }
}

// clipSeconds is how long a clip's slide lasts without seconds of its own: its part at its
// speed; 0 for a photo.
function clipSeconds(s) {
  if (s.kind !== 'clip') return 0;
  return ((s.out || s.clip_duration || 0) - (s.in || 0)) / (s.speed || 1);
}

// shownRect is where an object-fit: contain image is drawn inside its box, in the box's pixels.
function shownRect(img, box) {
  const bw = box.clientWidth;
  const bh = box.clientHeight;
  const iw = img.naturalWidth || bw;
  const ih = img.naturalHeight || bh;
  const k = Math.min(bw / iw, bh / ih);
  const w = iw * k;
  const hh = ih * k;
  return { x: (bw - w) / 2, y: (bh - hh) / 2, w, h: hh };
}
