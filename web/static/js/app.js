// app.js: starts the page: capabilities, the saved project, the views, messages, and
// dropping files anywhere on the page.
import { api, ApiError } from './api.js?v={{VERSION}}';
import { Store } from './store.js?v={{VERSION}}';
import { Uploads } from './uploads.js?v={{VERSION}}';
import { SlidesView } from './slides.js?v={{VERSION}}';
import { SettingsView } from './settings.js?v={{VERSION}}';
import { MusicView } from './music.js?v={{VERSION}}';
import { MusicLinkForm } from './musiclink.js?v={{VERSION}}';
import { RenderView } from './render.js?v={{VERSION}}';

const $ = (id) => document.getElementById(id);
const PAGE_PROBLEM = 'Something went wrong on this page; please reload it and try again.';

// makeNotify returns the page's ways to speak: error (shown, and read out at once), status
// (read out politely, not shown) and note (shown, for friendly information).
function makeNotify() {
  const box = $('error-box');
  const error = $('error');
  const dismiss = $('error-dismiss');
  const status = $('status');
  const note = $('note');
  const clear = () => {
    error.textContent = '';
    box.classList.remove('has-error');
    dismiss.hidden = true;
  };
  dismiss.addEventListener('click', clear);
  return {
    error(err) {
      let msg = err;
      if (typeof err !== 'string') {
        msg = err instanceof ApiError ? err.message : PAGE_PROBLEM;
        if (!(err instanceof ApiError)) console.error(err); // a bug of the page, for developers
      }
      box.classList.add('has-error');
      dismiss.hidden = false;
      if (error.textContent === msg) { // same words again: empty first so they are read again
        error.textContent = '';
        setTimeout(() => { error.textContent = msg; }, 60);
      } else {
        error.textContent = msg;
      }
    },
    clear,
    status(msg) {
      status.textContent = '';
      setTimeout(() => { status.textContent = msg; }, 30);
    },
    note(msg) {
      note.textContent = msg;
      note.hidden = !msg;
    },
  };
}

// In private mode the server answers login_required: show the way to log in.
window.addEventListener('simvid:login-required', () => { $('login-needed').hidden = false; });

// wireFiles takes photos from the file input and from files dropped anywhere on the page
// (music files dropped go to the music card).
function wireFiles(uploads, music) {
  const input = $('file-input');
  input.addEventListener('change', () => {
    const files = [...input.files];
    input.value = '';
    if (files.length) uploads.add(files);
  });
  const overlay = $('drop-overlay');
  let depth = 0;
  const hasFiles = (e) => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    overlay.hidden = false;
  });
  window.addEventListener('dragleave', (e) => {
    if (!hasFiles(e)) return;
    depth = Math.max(0, depth - 1);
    if (!depth) overlay.hidden = true;
  });
  window.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('drop', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    const files = [...e.dataTransfer.files];
    const audio = files.filter((f) => f.type.startsWith('audio/'));
    const photos = files.filter((f) => !f.type.startsWith('audio/'));
    if (photos.length) uploads.add(photos);
    if (audio.length) music.add(audio[0]);
  });
}

function ttlNote(store) {
  const days = store.caps?.project_ttl_days;
  const p = store.project;
  let text = 'Bookmark this page to come back to your slideshow.';
  if (days) text += ` Slideshows are deleted after ${days} days without changes.`;
  if (p && p.expires_at) {
    const d = new Date(p.expires_at);
    if (!Number.isNaN(d.getTime())) text += ` This one is kept until ${d.toLocaleDateString(undefined, { dateStyle: 'long' })}.`;
  }
  $('ttl-note').textContent = text;
}

async function boot() {
  const notify = makeNotify();
  const store = new Store();
  const uploads = new Uploads(store);
  const settings = new SettingsView(store, notify);
  const music = new MusicView(store, notify);
  const links = new MusicLinkForm(store, notify);
  new SlidesView(store, uploads, notify);
  new RenderView(store, uploads, notify);
  uploads.addEventListener('failed', (e) => notify.status(e.detail.error));
  uploads.addEventListener('error', (e) => notify.error(e.detail));
  store.addEventListener('change', () => ttlNote(store));
  wireFiles(uploads, music);
  $('new-project').addEventListener('click', () => {
    const msg = 'Start a new slideshow? This one stays at its current address until it expires; bookmark it to keep it.';
    if (store.project && !window.confirm(msg)) return;
    store.forget();
    location.assign(location.pathname);
  });
  window.addEventListener('unhandledrejection', (e) => notify.error(e.reason));

  try {
    store.caps = await api.capabilities();
  } catch (err) {
    notify.error(err);
  }
  // Private mode: say so at once, not after the first refused upload.
  if (store.caps?.login_required) $('login-needed').hidden = false;
  settings.init(store.caps);
  links.init(store.caps);
  ttlNote(store);
  const id = store.savedId();
  if (id) {
    try {
      await store.load(id);
    } catch (err) {
      if (err.status === 404 || err.status === 400) {
        store.forget();
        const days = store.caps?.project_ttl_days;
        notify.note(`The slideshow you had open no longer exists${days ? ` (slideshows are deleted after ${days} days without changes)` : ''}. Add photos to start a new one.`);
      } else {
        notify.error(err);
      }
    }
  }
  document.body.classList.add('is-ready');
}

boot();
