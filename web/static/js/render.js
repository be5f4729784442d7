// render.js: the video card: Generate (or a quick preview: a small draft), progress from the
// render's event stream (polling once a second when the stream fails), Cancel, the finished
// video, and earlier videos.
import { api } from './api.js?v={{VERSION}}';
import { h, fmtClock, fmtBytes, fmtEta } from './util.js?v={{VERSION}}';
import { WakeLock } from './wakelock.js?v={{VERSION}}';

const FINISHED = new Set(['done', 'failed', 'canceled']);
const STAGES = { queued: 'Waiting for a free worker', preparing: 'Preparing', rendering: 'Rendering', finalizing: 'Finishing' };

function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export class RenderView {
  constructor(store, uploads, notify) {
    this.store = store;
    this.uploads = uploads;
    this.notify = notify;
    const $ = (id) => document.getElementById(id);
    this.el = {
      generate: $('generate'), preview: $('preview'), cancel: $('cancel'), hint: $('generate-hint'), box: $('render-progress'),
      progress: $('progress'), bar: $('progress-bar'), text: $('progress-text'), canceled: $('render-canceled'),
      failed: $('render-failed'), error: $('render-error'), retry: $('retry'), result: $('result'),
      video: $('result-video'), download: $('download'), info: $('result-info'), warnings: $('render-warnings'),
      historyBox: $('history-box'), history: $('history'),
    };
    this.current = null; // the render shown: followed, or the latest on load
    this.history = [];
    this.projectId = null;
    this.es = null;
    this.timer = 0;
    this.failures = 0;
    this.starting = false;
    this.stage = '';
    this.wake = new WakeLock(() => this.following());
    this.el.generate.addEventListener('click', () => this.generate());
    this.el.preview.addEventListener('click', () => this.generate(true));
    this.el.retry.addEventListener('click', () => this.generate(!!this.current?.preview));
    this.el.cancel.addEventListener('click', () => this.cancel());
    this.el.history.addEventListener('click', (e) => this.watch(e));
    store.addEventListener('change', () => this.onProject());
    uploads.addEventListener('change', () => this.updateButton());
  }

  following() { return !!this.current && !FINISHED.has(this.current.state); }

  onProject() {
    const p = this.store.project;
    const id = p ? p.id : null;
    if (id !== this.projectId) {
      this.stop();
      this.projectId = id;
      this.current = null;
      this.history = p ? p.renders || [] : [];
      const latest = this.history[0];
      if (latest && latest.state !== 'canceled') this.follow(latest);
      else this.show(null);
    } else if (p && p.renders) {
      this.history = p.renders;
    }
    this.renderHistory();
    this.updateButton();
  }

  updateButton() {
    const p = this.store.project;
    const n = p ? p.slides.length : 0;
    const busy = this.uploads.busy();
    const following = this.following();
    this.el.generate.disabled = n === 0 || busy || following || this.starting;
    this.el.preview.disabled = this.el.generate.disabled;
    let hint = '';
    if (n === 0) hint = 'Add at least one photo first.';
    else if (busy) hint = 'Waiting for the photos to finish uploading…';
    else if (!following) {
      const total = p.slides.reduce((sum, s) => sum + (s.duration || p.spec.defaults.duration), 0);
      hint = `The video will last ${fmtClock(total)}.`;
    }
    this.el.hint.textContent = hint;
    this.el.hint.hidden = !hint;
  }

  async generate(preview = false) {
    const p = this.store.project;
    if (!p || !p.slides.length || this.following() || this.starting) return;
    this.starting = true;
    this.updateButton();
    try {
      await this.store.settle(); // captions and settings still on their way go first
      const r = await api.createRender(p.id, preview ? { preview: true } : undefined);
      this.notify.status(preview ? 'Making a quick preview…' : 'Making your video…');
      this.follow(r);
    } catch (err) {
      this.notify.error(err);
    } finally {
      this.starting = false;
      this.updateButton();
    }
  }

  follow(r) {
    this.stop();
    this.current = r;
    this.stage = '';
    this.show(r);
    if (FINISHED.has(r.state)) return;
    this.wake.acquire();
    if (window.EventSource && r.events_url) {
      const es = new EventSource(r.events_url);
      this.es = es;
      es.addEventListener('render', (e) => {
        let v = null;
        try { v = JSON.parse(e.data); } catch { return; }
        this.update(v);
      });
      es.addEventListener('error', () => {
        if (this.es !== es) return;
        es.close();
        this.es = null;
        if (this.following()) this.pollSoon(0);
      });
    } else {
      this.pollSoon(1000);
    }
  }

  update(v) {
    if (!v || !this.current || v.id !== this.current.id) return;
    this.current = v;
    this.show(v);
    if (!FINISHED.has(v.state)) return;
    this.stop();
    this.wake.release();
    if (v.state === 'done') this.notify.status(v.preview ? 'Your preview is ready.' : 'Your video is ready.');
    else if (v.state === 'failed') this.notify.status('The video could not be made.');
    else this.notify.status('The video was canceled.');
    this.refreshHistory();
  }

  pollSoon(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), ms);
  }

  async poll() {
    const id = this.current?.id;
    if (!id || !this.following()) return;
    try {
      this.update(await api.getRender(id));
      this.failures = 0;
    } catch (err) {
      if (err.status === 404) {
        this.notify.error(err);
        this.current = null;
        this.stop();
        this.wake.release();
        this.show(null);
        return;
      }
      this.failures++;
    }
    if (this.following() && this.current.id === id) {
      this.pollSoon(this.failures ? Math.min(8000, 1000 * 2 ** this.failures) : 1000);
    }
  }

  stop() {
    if (this.es) this.es.close();
    this.es = null;
    clearTimeout(this.timer);
    this.timer = 0;
  }

  async cancel() {
    const r = this.current;
    if (!r || !this.following()) return;
    this.el.cancel.disabled = true;
    try {
      this.update(await api.cancelRender(r.id));
    } catch (err) {
      if (err.status === 409) this.poll(); // it finished meanwhile
      else this.notify.error(err);
    } finally {
      this.el.cancel.disabled = false;
    }
  }

  show(r) {
    const el = this.el;
    const state = r ? r.state : '';
    const running = !!r && !FINISHED.has(state);
    el.box.hidden = !running;
    el.cancel.hidden = !running;
    el.canceled.hidden = state !== 'canceled';
    el.failed.hidden = state !== 'failed';
    el.result.hidden = state !== 'done';
    if (state !== 'done' && !el.video.paused) el.video.pause();
    if (running) {
      const pct = Math.max(0, Math.min(100, Number(r.progress) || 0));
      const stage = r.message || STAGES[state] || 'Working';
      const eta = fmtEta(r.eta);
      const text = `${stage} · ${Math.floor(pct)}%${eta ? ` · ${eta}` : ''}`;
      el.bar.style.width = `${pct}%`;
      el.progress.setAttribute('aria-valuenow', String(Math.round(pct)));
      el.progress.setAttribute('aria-valuetext', text);
      el.text.textContent = text;
      if (stage !== this.stage) {
        this.stage = stage;
        this.notify.status(stage);
      }
    }
    if (state === 'failed') el.error.textContent = r.error || 'The video could not be made. Please try again.';
    if (state === 'done') {
      // The last event of a stream may say 99%; a finished video is 100%.
      el.bar.style.width = '100%';
      el.progress.setAttribute('aria-valuenow', '100');
      el.progress.setAttribute('aria-valuetext', 'Done · 100%');
      this.showResult(r);
    }
    this.updateButton();
  }

  showResult(r) {
    const el = this.el;
    if (r.poster_url) el.video.poster = r.poster_url;
    if (r.video_url && el.video.getAttribute('src') !== r.video_url) el.video.src = r.video_url;
    if (r.download_url) el.download.href = r.download_url;
    el.download.setAttribute('download', `slideshow_${r.id}.mp4`);
    el.download.textContent = r.preview ? 'Download preview' : 'Download MP4';
    const parts = [];
    if (r.preview) parts.push(`Preview (draft, ${r.resolution})`);
    if (r.duration) parts.push(fmtClock(r.duration));
    if (r.output_size) parts.push(fmtBytes(r.output_size));
    el.info.textContent = parts.join(' · ');
    const warnings = Array.isArray(r.warnings) ? r.warnings : [];
    el.warnings.replaceChildren(...warnings.map((w) => h('li', { text: w })));
    el.warnings.hidden = !warnings.length;
  }

  async refreshHistory() {
    const p = this.store.project;
    if (!p) return;
    try {
      const res = await api.listRenders(p.id);
      if (this.store.project?.id !== p.id) return;
      this.history = Array.isArray(res.renders) ? res.renders : [];
      this.renderHistory();
    } catch { /* the list is a convenience; the current video is shown anyway */ }
  }

  renderHistory() {
    const items = this.history.filter((r) => r.state === 'done' && r.id !== this.current?.id);
    this.el.historyBox.hidden = !items.length;
    this.el.history.replaceChildren(...items.map((r) => {
      const label = `${when(r.created_at)}${r.duration ? `, ${fmtClock(r.duration)}` : ''}`;
      return h('li', { class: 'history-item', 'data-render-id': r.id },
        r.poster_url ? h('img', { src: r.poster_url, alt: '', loading: 'lazy', width: '96', height: '54' }) : null,
        h('div', { class: 'history-text' },
          h('p', { text: `${r.preview ? 'Preview · ' : ''}${when(r.created_at)}` }),
          h('p', { class: 'muted', text: [r.duration ? fmtClock(r.duration) : '', r.output_size ? fmtBytes(r.output_size) : ''].filter(Boolean).join(' · ') })),
        h('div', { class: 'history-actions' },
          h('button', { type: 'button', class: 'btn btn-small history-watch', 'aria-label': `Watch the video from ${label}` }, 'Watch'),
          h('a', { class: 'btn btn-small', href: r.download_url, download: `slideshow_${r.id}.mp4`, 'aria-label': `Download the video from ${label}` }, 'Download')));
    }));
  }

  watch(e) {
    const btn = e.target.closest('.history-watch');
    if (!btn || this.following()) return;
    const r = this.history.find((x) => x.id === btn.closest('.history-item').dataset.renderId);
    if (!r) return;
    this.current = r;
    this.show(r);
    this.renderHistory();
    this.el.video.focus();
  }
}
