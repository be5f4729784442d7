// music.js: the music card: upload (field "audio"), the fetching and processing states
// (polled every second, with the fetch's progress), name, length and waveform, the start and
// end times (typed, or dragged as handles over the waveform), listening to the chosen part,
// and removal. The link form is musiclink.js.
import { api } from './api.js?v={{VERSION}}';
import { fmtClock, parseClock, fmtBytes } from './util.js?v={{VERSION}}';
import { drawWaveform } from './waveform.js?v={{VERSION}}';

/** busy reports whether the server is still working on the music. */
const busy = (m) => m?.state === 'processing' || m?.state === 'fetching';

export class MusicView {
  constructor(store, notify) {
    this.store = store;
    this.notify = notify;
    const $ = (id) => document.getElementById(id);
    this.input = $('music-input');
    this.pick = $('music-pick-label');
    this.info = $('music-info');
    this.name = $('music-name');
    this.length = $('music-length');
    this.state = $('music-state');
    this.canvas = $('waveform');
    this.range = $('music-range');
    this.start = $('music-start');
    this.end = $('music-end');
    this.removeBtn = $('music-remove');
    this.upload = $('music-upload');
    this.uploadBar = $('music-upload-bar');
    this.uploadFill = $('music-upload-fill');
    this.fetchBar = $('music-fetch');
    this.fetchFill = $('music-fetch-fill');
    this.startHandle = $('music-start-handle');
    this.endHandle = $('music-end-handle');
    this.listen = $('music-listen');
    this.audio = $('music-audio');
    this.timer = 0;
    this.sending = false;
    for (const [handle, field] of [[this.startHandle, this.start], [this.endHandle, this.end]]) {
      handle.addEventListener('input', () => this.dragged(handle, field));
      handle.addEventListener('change', () => this.saveRange());
    }
    this.listen.addEventListener('click', () => this.toggleListen());
    this.audio.addEventListener('timeupdate', () => {
      const e = this.selection().end;
      if (e && this.audio.currentTime >= e) this.stopListening();
    });
    this.audio.addEventListener('ended', () => this.stopListening());
    this.audio.addEventListener('error', () => {
      if (!this.audio.getAttribute('src')) return;
      this.stopListening();
      this.notify.error('The music could not be played in this browser; it will still be in the video.');
    });
    this.input.addEventListener('change', () => {
      const file = this.input.files[0];
      this.input.value = '';
      if (file) this.add(file);
    });
    this.start.addEventListener('change', () => this.saveRange());
    this.end.addEventListener('change', () => this.saveRange());
    this.removeBtn.addEventListener('click', () => this.remove());
    store.addEventListener('change', () => this.render());
    if (window.ResizeObserver) new ResizeObserver(() => this.draw()).observe(this.canvas);
    window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.draw());
  }

  music() { return this.store.project?.music || null; }

  render() {
    const m = this.music();
    this.pick.textContent = m ? 'Replace music' : 'Choose music';
    this.info.hidden = !m;
    if (!m) {
      this.stopPolling();
      return;
    }
    const name = m.filename || 'Music';
    this.name.textContent = name;
    this.length.textContent = m.duration ? `(${fmtClock(m.duration)})` : '';
    const failed = m.state === 'failed';
    const ready = m.state === 'ready';
    const fetching = m.state === 'fetching';
    const pct = Math.round(m.progress || 0);
    this.state.textContent = failed ? (m.error || `${name} could not be used; please try another file.`)
      : ready ? '' : fetching ? `Fetching the music from the link… ${pct}%` : 'Preparing the music…';
    this.fetchBar.hidden = !fetching;
    this.fetchFill.style.width = `${pct}%`;
    this.fetchBar.setAttribute('aria-valuenow', String(pct));
    this.state.classList.toggle('is-error', failed);
    this.state.hidden = ready;
    this.range.hidden = !ready;
    this.canvas.hidden = !ready || !(m.peaks && m.peaks.length);
    const tempo = m.beats && m.beats.tempo ? `, ${Math.round(m.beats.tempo)} beats a minute` : '';
    this.canvas.setAttribute('aria-label', `Waveform of ${name}${tempo}`);
    if (document.activeElement !== this.start) this.start.value = m.start ? fmtClock(m.start, true) : '';
    if (document.activeElement !== this.end) this.end.value = m.end ? fmtClock(m.end, true) : '';
    this.listen.hidden = !ready || !m.audio_url;
    if (!ready) this.stopListening();
    this.syncHandles();
    this.draw();
    if (busy(m)) this.poll();
    else this.stopPolling();
  }

  draw() {
    const m = this.music();
    if (!m || this.canvas.hidden) return;
    const s = parseClock(this.start.value);
    const e = parseClock(this.end.value);
    drawWaveform(this.canvas, m.peaks, m.duration, Number.isFinite(s) ? s : m.start, Number.isFinite(e) ? e : m.end,
      m.beats && m.beats.times);
  }

  // selection is the chosen part as typed so far, in seconds (end 0: the song's end).
  selection() {
    const m = this.music() || {};
    const s = parseClock(this.start.value);
    const e = parseClock(this.end.value);
    return { start: Number.isFinite(s) ? s : m.start || 0, end: Number.isFinite(e) ? e : m.end || 0 };
  }

  // syncHandles puts the handles where the typed times are.
  syncHandles() {
    const m = this.music();
    if (!m || !m.duration) return;
    const { start, end } = this.selection();
    for (const el of [this.startHandle, this.endHandle]) el.max = String(m.duration);
    if (document.activeElement !== this.startHandle) this.startHandle.value = String(start);
    if (document.activeElement !== this.endHandle) this.endHandle.value = String(end || m.duration);
  }

  // dragged follows a handle: the time field shows where it is, the handles never cross.
  dragged(handle, field) {
    const m = this.music();
    if (!m) return;
    let v = Number(handle.value);
    if (handle === this.startHandle) v = Math.min(v, Number(this.endHandle.value) - 0.5);
    else v = Math.max(v, Number(this.startHandle.value) + 0.5);
    v = Math.max(0, Math.min(m.duration, Math.round(v * 10) / 10));
    handle.value = String(v);
    field.value = handle === this.endHandle && v >= m.duration - 0.05 ? '' : fmtClock(v, true);
    this.draw();
  }

  toggleListen() {
    if (!this.audio.paused) {
      this.stopListening();
      return;
    }
    const m = this.music();
    if (!m || !m.audio_url) return;
    if (this.audio.getAttribute('src') !== m.audio_url) this.audio.src = m.audio_url;
    const go = () => {
      this.audio.currentTime = this.selection().start;
      this.audio.play().catch(() => this.stopListening());
    };
    if (this.audio.readyState >= 1) go();
    else this.audio.addEventListener('loadedmetadata', go, { once: true });
    if (this.audio.preload === 'none') {
      this.audio.preload = 'metadata';
      this.audio.load();
    }
    this.listen.textContent = '■ Stop';
    this.listen.setAttribute('aria-pressed', 'true');
  }

  stopListening() {
    if (!this.audio.paused) this.audio.pause();
    this.listen.textContent = '▶ Listen to the selection';
    this.listen.setAttribute('aria-pressed', 'false');
  }

  // poll asks for the project every second while the music is being fetched or prepared.
  poll() {
    if (this.timer) return;
    this.timer = setTimeout(async () => {
      await this.store.refresh();
      this.timer = 0;
      if (busy(this.music())) this.poll();
    }, 1000);
  }

  stopPolling() {
    clearTimeout(this.timer);
    this.timer = 0;
  }

  showUpload(fraction) {
    const pct = Math.round(fraction * 100);
    this.upload.hidden = false;
    this.uploadFill.style.width = `${pct}%`;
    this.uploadBar.setAttribute('aria-valuenow', String(pct));
  }

  /** add uploads a music file, replacing the current one. */
  async add(file) {
    const limit = this.store.caps?.limits?.file_bytes || 0;
    if (limit && file.size > limit) {
      this.notify.error(`${file.name} is ${fmtBytes(file.size)}; a music file may be at most ${fmtBytes(limit)}.`);
      return;
    }
    if (this.sending) return;
    this.sending = true;
    this.showUpload(0);
    this.notify.status(`Uploading ${file.name}…`);
    try {
      const id = await this.store.ensureProject();
      const seq = this.store.begin();
      const req = api.uploadMusic(id, file, (f) => this.showUpload(f));
      const p = await this.store.track(req.promise);
      this.store.apply(p, seq);
      this.notify.status(`${file.name} added.`);
    } catch (err) {
      this.notify.error(err);
    } finally {
      this.sending = false;
      this.upload.hidden = true;
    }
  }

  // saveRange checks the start and end times and saves them; empty end means the song's end.
  async saveRange() {
    const m = this.music();
    const p = this.store.project;
    if (!m || !p) return;
    const s = parseClock(this.start.value);
    const e = parseClock(this.end.value);
    const start = s === null ? 0 : s;
    const end = e === null ? 0 : e;
    let problem = '';
    if (Number.isNaN(start)) problem = 'Music start: type minutes:seconds like 1:30, or seconds like 90.';
    else if (Number.isNaN(end)) problem = 'Music end: type minutes:seconds like 3:05, or seconds like 185, or leave it empty.';
    else if (m.duration && start >= m.duration) problem = `Music start must be before the end of the song (${fmtClock(m.duration)}).`;
    else if (end && end <= start) problem = 'Music end must be after its start.';
    else if (end && m.duration && end > m.duration + 0.05) problem = `Music end must be within the song (${fmtClock(m.duration)}).`;
    if (problem) {
      this.notify.error(problem);
      this.start.value = m.start ? fmtClock(m.start, true) : '';
      this.end.value = m.end ? fmtClock(m.end, true) : '';
      this.syncHandles();
      this.draw();
      return;
    }
    this.syncHandles();
    this.draw();
    if (start === (m.start || 0) && end === (m.end || 0)) return;
    try {
      await this.store.mutate(() => api.patchMusic(p.id, { start, end }));
    } catch (err) {
      this.notify.error(err);
      this.store.refresh();
    }
  }

  async remove() {
    const p = this.store.project;
    if (!p) return;
    try {
      await this.store.mutate(() => api.deleteMusic(p.id));
      this.notify.status('Music removed.');
      this.input.focus();
    } catch (err) {
      this.notify.error(err);
    }
  }
}
