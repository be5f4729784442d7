// musiclink.js: the form that takes music from a link (with start and end times). The server
// fetches it on its audio queue; music.js then shows its progress and the result like an
// uploaded file. Hidden when the server cannot fetch links (GET /capabilities).
import { api } from './api.js?v={{VERSION}}';
import { fmtClock, parseClock } from './util.js?v={{VERSION}}';

/** isWebLink reports whether text is a whole http(s) link. */
function isWebLink(text) {
  try {
    const u = new URL(text);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

export class MusicLinkForm {
  constructor(store, notify) {
    this.store = store;
    this.notify = notify;
    const $ = (id) => document.getElementById(id);
    this.form = $('music-link');
    this.url = $('music-link-url');
    this.start = $('music-link-start');
    this.end = $('music-link-end');
    this.button = $('music-link-add');
    this.hint = $('music-link-hint');
    this.maxSeconds = 0;
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
  }

  /** init shows the form when the server takes links, with what it takes. */
  init(caps) {
    const links = caps?.music_links;
    this.form.hidden = !links?.enabled;
    if (!links?.enabled) return;
    this.maxSeconds = links.max_seconds || 0;
    const sites = links.yt_dlp && links.hosts?.some((h) => h.endsWith('youtube.com') || h === 'youtu.be') ? 'YouTube links' : 'Links';
    let text = `${sites}${links.direct_media ? ' and direct links to music files' : ''} work; the server fetches the song for you`;
    if (this.maxSeconds) text += ` (up to ${fmtClock(this.maxSeconds)} long)`;
    this.hint.textContent = `${text}.`;
  }

  check() {
    const url = this.url.value.trim();
    const s = parseClock(this.start.value);
    const e = parseClock(this.end.value);
    if (!isWebLink(url)) return { problem: 'Paste the whole link, as your browser shows it (starting with https).' };
    if (Number.isNaN(s)) return { problem: 'Start: type minutes:seconds like 1:30, or seconds like 90.' };
    if (Number.isNaN(e)) return { problem: 'End: type minutes:seconds like 3:05, or seconds like 185, or leave it empty.' };
    const start = s ?? 0;
    const end = e ?? 0;
    if (end && end <= start) return { problem: 'End must be after the start.' };
    if (this.maxSeconds && (start >= this.maxSeconds || end > this.maxSeconds)) {
      return { problem: `Start and end must be within ${fmtClock(this.maxSeconds)}, the longest song a link may give.` };
    }
    return { url, start, end };
  }

  async submit() {
    const c = this.check();
    if (c.problem) {
      this.notify.error(c.problem);
      this.url.focus();
      return;
    }
    if (this.button.disabled) return;
    this.button.disabled = true;
    this.notify.status('Fetching the music from the link…');
    try {
      const id = await this.store.ensureProject();
      await this.store.mutate(() => api.musicLink(id, { url: c.url, start: c.start, end: c.end }));
      this.url.value = '';
      this.start.value = '';
      this.end.value = '';
    } catch (err) {
      this.notify.error(err);
    } finally {
      this.button.disabled = false;
    }
  }
}
