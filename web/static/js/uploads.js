// uploads.js: the queue of photo uploads. One request per file, at most three at a time, each
// with its progress. The server appends slides in arrival order, so when the queue is idle
// the finished photos are put back in the order the user added them (PUT /slides).
import { api, ApiError, SERVER_PROBLEM } from './api.js?v={{VERSION}}';
import { fmtBytes } from './util.js?v={{VERSION}}';

const PARALLEL = 3;

/**
 * fillSlots puts the ids of batch, in batch order, into the places those ids hold in ids.
 * Ids of batch that are not in ids (removed meanwhile) are skipped.
 */
export function fillSlots(ids, batch) {
  const present = new Set(ids);
  const wanted = batch.filter((id) => present.has(id));
  const inBatch = new Set(wanted);
  let k = 0;
  return ids.map((id) => (inBatch.has(id) ? wanted[k++] : id));
}

export class Uploads extends EventTarget {
  constructor(store) {
    super();
    this.store = store;
    this.items = []; // in the order the user added them
    this.active = 0;
    this.next = 1;
    this.previews = new Map(); // slide id -> object URL, handed to the slide's tile
  }

  /** add queues files (a FileList or an array). */
  add(files) {
    const lim = this.store.caps?.limits || {};
    for (const file of files) {
      const video = (file.type || '').startsWith('video/');
      const limit = (video && lim.clip_bytes) || lim.file_bytes || 0;
      const it = {
        uid: `u${this.next++}`, file, name: file.name || 'photo', url: URL.createObjectURL(file),
        state: 'queued', progress: 0, error: '', retryable: false, slideId: '', placed: false, abort: null,
      };
      this.items.push(it);
      if (limit && file.size > limit) {
        this.fail(it, `${it.name} is ${fmtBytes(file.size)}; a ${video ? 'video clip' : 'photo'} may be at most ${fmtBytes(limit)}.`, false);
      }
    }
    this.changed();
    this.pump();
  }

  /** busy reports whether any file is waiting or uploading. */
  busy() { return this.items.some((i) => i.state === 'queued' || i.state === 'uploading'); }

  /** visible lists the files that still need a tile of their own (not yet a slide). */
  visible() { return this.items.filter((i) => i.state !== 'done'); }

  /** batch lists the finished slide ids whose place the user has not chosen, in added order. */
  batch() { return this.items.filter((i) => i.state === 'done' && !i.placed).map((i) => i.slideId); }

  /** markPlaced records that the user arranged the slides: keep their order from now on. */
  markPlaced() { for (const i of this.items) if (i.state === 'done') i.placed = true; }

  /** takePreview hands over the browser's preview of a finished upload (the caller revokes it). */
  takePreview(slideId) {
    const url = this.previews.get(slideId);
    this.previews.delete(slideId);
    return url;
  }

  /** dismiss removes a file's tile, stopping its upload if it is running. */
  dismiss(uid) {
    const it = this.items.find((i) => i.uid === uid);
    if (!it) return;
    if (it.abort) it.abort();
    this.items = this.items.filter((i) => i !== it);
    if (it.url) URL.revokeObjectURL(it.url);
    this.changed();
    this.pump();
  }

  /** retry queues a failed file again. */
  retry(uid) {
    const it = this.items.find((i) => i.uid === uid);
    if (!it || it.state !== 'failed') return;
    Object.assign(it, { state: 'queued', error: '', progress: 0, retryable: false });
    this.changed();
    this.pump();
  }

  pump() {
    while (this.active < PARALLEL) {
      const it = this.items.find((i) => i.state === 'queued');
      if (!it) break;
      this.start(it);
    }
  }

  async start(it) {
    it.state = 'uploading';
    this.active++;
    this.changed();
    try {
      const id = await this.store.ensureProject();
      if (it.state !== 'uploading') return; // dismissed while the project was being made
      const seq = this.store.begin();
      const req = api.uploadImage(id, it.file, (f) => {
        it.progress = f;
        this.dispatchEvent(new CustomEvent('progress', { detail: it }));
      });
      it.abort = req.abort;
      const res = await this.store.track(req.promise);
      const r = res && Array.isArray(res.results) ? res.results[0] : null;
      if (r && r.ok && r.slide) {
        it.state = 'done';
        it.slideId = r.slide.id;
        this.previews.set(r.slide.id, it.url);
        it.url = '';
        this.store.apply(res.project, seq);
      } else {
        this.fail(it, (r && r.error && r.error.message) || `${it.name} could not be added.`, false);
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'aborted') return;
      const first = err.body && Array.isArray(err.body.results) ? err.body.results[0] : null;
      const msg = (first && first.error && first.error.message) || (err instanceof ApiError ? err.message : SERVER_PROBLEM);
      const status = err instanceof ApiError ? err.status : 500;
      this.fail(it, msg, status === 0 || status === 429 || status >= 500);
    } finally {
      it.abort = null;
      this.active--;
      this.changed();
      this.pump();
      if (!this.busy()) this.finish();
    }
  }

  fail(it, message, retryable) {
    Object.assign(it, { state: 'failed', error: message, retryable });
    this.dispatchEvent(new CustomEvent('failed', { detail: it }));
  }

  changed() { this.dispatchEvent(new Event('change')); }

  // finish runs when the queue is idle: it puts this batch's slides in the order added.
  async finish() {
    await this.store.commitRemoval(); // the order sent names every slide the server has
    const batch = this.batch();
    this.items = this.items.filter((i) => i.state !== 'done');
    const p = this.store.project;
    if (!p || batch.length < 2) return;
    const ids = p.slides.map((s) => s.id);
    const order = fillSlots(ids, batch);
    if (order.every((id, i) => id === ids[i])) return;
    const byId = new Map(p.slides.map((s) => [s.id, s]));
    this.store.local({ ...p, slides: order.map((id) => byId.get(id)) });
    try {
      await this.store.mutate(() => api.putOrder(p.id, order));
    } catch (err) {
      this.dispatchEvent(new CustomEvent('error', { detail: err }));
      this.store.refresh();
    }
  }
}
