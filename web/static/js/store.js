// store.js: the open project. It keeps the project id in the URL (?p=) and localStorage,
// applies the project views the API answers with (never an older answer over a newer one),
// and creates the project lazily, on the first upload.
//
// A removed photo leaves the view at once but stays on the server for UNDO_MS, so that it
// can be brought back: the DELETE is sent when that time is up, before anything that needs
// the full order (a reorder, a render), or as the page is left. Until then every view the
// server answers with is shown without it.
import { api } from './api.js?v={{VERSION}}';

const KEY = 'simvid.project';
export const UNDO_MS = 6000;

export class Store extends EventTarget {
  constructor() {
    super();
    this.caps = null; // GET /capabilities, or null when it failed
    this.project = null;
    this.seq = 0; // numbers requests, so an answer to an older request loses a tie
    this.appliedSeq = 0;
    this.opening = null;
    this.inflight = new Set();
    this.flushers = [];
    this.removal = null; // {id, slide, index, num, timer}: a removal that can still be undone
    window.addEventListener('pagehide', () => {
      const r = this.removal;
      if (r && !r.sending && this.project) api.deleteSlideOnLeave(this.project.id, r.id);
      this.removal = null;
    });
  }

  /** savedId is the project id from the URL, else from localStorage, else "". */
  savedId() {
    const fromUrl = new URLSearchParams(location.search).get('p');
    if (fromUrl) return fromUrl;
    try { return localStorage.getItem(KEY) || ''; } catch { return ''; }
  }

  /** begin numbers a request about to be sent; pass the number to apply with its answer. */
  begin() { return ++this.seq; }

  /** apply shows project view p unless an answer to a later change is already showing. */
  apply(p, seq = this.begin()) {
    if (!p || typeof p !== 'object' || !p.id) return;
    const cur = this.project;
    if (cur && cur.id === p.id) {
      const a = Date.parse(cur.updated_at) || 0;
      const b = Date.parse(p.updated_at) || 0;
      if (b < a || (b === a && seq < this.appliedSeq)) return;
    }
    this.project = this.withoutRemoved(p);
    this.appliedSeq = seq;
    this.remember(p.id);
    this.emit();
  }

  withoutRemoved(p) {
    const id = this.removal?.id;
    if (!id || !p.slides.some((s) => s.id === id)) return p;
    return { ...p, slides: p.slides.filter((s) => s.id !== id) };
  }

  /**
   * removeLater takes slide id out of the view now and off the server after UNDO_MS, unless
   * undone. A removal still waiting is made final first. Emits "removal" with its detail
   * ({id, num}) now, and with null once it is final or undone.
   */
  async removeLater(id, num) {
    await this.commitRemoval();
    const p = this.project;
    const index = p ? p.slides.findIndex((s) => s.id === id) : -1;
    if (index < 0) return;
    this.removal = { id, num, slide: p.slides[index], index, timer: setTimeout(() => this.commitRemoval(), UNDO_MS) };
    this.project = this.withoutRemoved(p);
    this.emit();
    this.dispatchEvent(new CustomEvent('removal', { detail: { id, num } }));
  }

  /** undoRemoval puts the photo back where it was (the server never lost it); its id, or "". */
  undoRemoval() {
    const r = this.removal;
    if (!r || r.sending) return '';
    clearTimeout(r.timer);
    this.removal = null;
    const p = this.project;
    if (p && !p.slides.some((s) => s.id === r.id)) {
      const slides = [...p.slides];
      slides.splice(Math.min(r.index, slides.length), 0, r.slide);
      this.project = { ...p, slides };
    }
    this.emit();
    this.dispatchEvent(new CustomEvent('removal', { detail: null }));
    this.refresh(); // the server's order is the truth
    return r.id;
  }

  /**
   * commitRemoval sends the waiting removal now (once, however often it is called). It never
   * throws: a failure emits "removal-error" and the photo shows again.
   */
  commitRemoval() {
    const r = this.removal;
    if (!r) return Promise.resolve();
    if (!r.sending) r.sending = this.sendRemoval(r);
    return r.sending;
  }

  async sendRemoval(r) {
    clearTimeout(r.timer);
    this.dispatchEvent(new CustomEvent('removal', { detail: null }));
    const p = this.project;
    try {
      if (p) await this.mutate(() => api.deleteSlide(p.id, r.id));
    } catch (err) {
      if (err.status !== 404) { // 404: it is gone already
        this.removal = null;
        await this.refresh();
        this.dispatchEvent(new CustomEvent('removal-error', { detail: err }));
      }
    } finally {
      if (this.removal === r) this.removal = null;
    }
  }

  /** local shows a change before the server confirms it; the server's answer replaces it. */
  local(p) {
    this.project = p;
    this.emit();
  }

  emit() { this.dispatchEvent(new Event('change')); }

  /** load fetches a project and shows it. */
  async load(id) {
    const seq = this.begin();
    const p = await this.track(api.getProject(id));
    this.apply(p, seq);
    return p;
  }

  /** refresh fetches the open project again; failures are left to the next action. */
  async refresh() {
    if (!this.project) return;
    try { await this.load(this.project.id); } catch { /* the next request will say what is wrong */ }
  }

  /** mutate sends a request whose answer is a project view, and applies it. */
  async mutate(send) {
    const seq = this.begin();
    const p = await this.track(send());
    this.apply(p, seq);
    return p;
  }

  /** track remembers a request until it settles, so settle() can wait for it. */
  track(promise) {
    this.inflight.add(promise);
    const done = () => this.inflight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  /** onFlush registers a function that sends a waiting (debounced) change at once. */
  onFlush(fn) { this.flushers.push(fn); }

  /** settle sends every waiting change and waits for every request, before a render. */
  async settle() {
    for (const f of this.flushers) f();
    await Promise.allSettled([...this.inflight, this.commitRemoval()]);
  }

  /** ensureProject returns the project id, opening the saved one or creating a new one. */
  ensureProject() {
    if (this.project) return Promise.resolve(this.project.id);
    if (!this.opening) this.opening = this.openOrCreate().finally(() => { this.opening = null; });
    return this.opening;
  }

  async openOrCreate() {
    const saved = this.savedId();
    if (saved) {
      try {
        return (await this.load(saved)).id;
      } catch (err) {
        if (err.status !== 404 && err.status !== 400) throw err;
        this.forget();
      }
    }
    const seq = this.begin();
    const p = await this.track(api.createProject());
    this.apply(p, seq);
    return p.id;
  }

  /** remember puts the project id in the URL and localStorage. */
  remember(id) {
    try { localStorage.setItem(KEY, id); } catch { /* private mode: the URL still has it */ }
    const url = new URL(location.href);
    if (url.searchParams.get('p') !== id) {
      url.searchParams.set('p', id);
      history.replaceState(history.state, '', url);
    }
  }

  /** forget drops the saved project id everywhere and closes the project. */
  forget() {
    try { localStorage.removeItem(KEY); } catch { /* nothing saved */ }
    const url = new URL(location.href);
    if (url.searchParams.has('p')) {
      url.searchParams.delete('p');
      history.replaceState(history.state, '', url);
    }
    if (this.project) {
      this.project = null;
      this.emit();
    }
  }
}
