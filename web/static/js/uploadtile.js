// uploadtile.js: the tile of a photo that is uploading, waiting, or was refused.
import { h } from './util.js?v={{VERSION}}';

/** uploadTile makes the tile for upload item it. */
export function uploadTile(it) {
  const img = h('img', { alt: '', draggable: 'false' });
  const media = h('div', { class: 'tile-media' }, img,
    h('div', { class: 'upload-bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0', 'aria-label': `Uploading ${it.name}` },
      h('div', { class: 'upload-bar-fill' })));
  img.addEventListener('error', () => media.classList.add('is-broken'));
  img.src = it.url;
  return h('li', { class: 'tile upload', 'data-upload-id': it.uid, 'data-testid': 'upload' },
    media,
    h('p', { class: 'tile-name', text: it.name, title: it.name }),
    h('p', { class: 'upload-status' }),
    h('p', { class: 'upload-error' }),
    h('div', { class: 'tile-actions' },
      h('button', { type: 'button', class: 'btn btn-small upload-retry' }, 'Try again'),
      h('button', { type: 'button', class: 'btn btn-small upload-dismiss' }, 'Dismiss')));
}

/** fillUploadTile shows the item's state: waiting, uploading or refused (with the reason). */
export function fillUploadTile(li, it) {
  const failed = it.state === 'failed';
  li.classList.toggle('is-failed', failed);
  li.querySelector('.upload-error').textContent = failed ? it.error : '';
  li.querySelector('.upload-bar').hidden = failed;
  const retry = li.querySelector('.upload-retry');
  retry.hidden = !(failed && it.retryable);
  retry.setAttribute('aria-label', `Try ${it.name} again`);
  const dismiss = li.querySelector('.upload-dismiss');
  dismiss.textContent = failed ? 'Dismiss' : 'Cancel';
  dismiss.setAttribute('aria-label', `${failed ? 'Dismiss' : 'Cancel upload of'} ${it.name}`);
  fillUploadProgress(li, it);
}

/** fillUploadProgress updates the progress bar and its words; it runs on every progress event. */
export function fillUploadProgress(li, it) {
  const pct = Math.round((it.progress || 0) * 100);
  li.querySelector('.upload-bar-fill').style.width = `${pct}%`;
  li.querySelector('.upload-bar').setAttribute('aria-valuenow', String(pct));
  let text = '';
  if (it.state === 'queued') text = 'Waiting…';
  else if (it.state === 'uploading') text = pct >= 100 ? 'Checking…' : `Uploading ${pct}%`;
  li.querySelector('.upload-status').textContent = text;
}
