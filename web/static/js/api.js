// api.js: talks to the v1 JSON API. Every failure becomes an ApiError whose message can be
// shown to people as it is: the server's error.message, or a plain sentence of our own.
const BASE = '/api/v1';

export const SERVER_PROBLEM = 'The server had a problem; please try again.';
export const OFFLINE = 'Could not reach the server. Check your connection and try again.';

export class ApiError extends Error {
  constructor(status, code, message, body = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status; // HTTP status; 0 when the request never got an answer
    this.code = code;
    this.body = body; // the parsed JSON error body, when there was one
  }
}

// decode turns a status and response text into the JSON value or an ApiError. A response
// that is not JSON is never shown: it may be a proxy's HTML page.
function decode(status, text) {
  let body;
  if (text) {
    try { body = JSON.parse(text); } catch { body = undefined; }
  } else {
    body = null;
  }
  if (status >= 200 && status < 300) {
    if (body === undefined || (text && (body === null || typeof body !== 'object'))) {
      throw new ApiError(status, 'bad_response', SERVER_PROBLEM);
    }
    return body;
  }
  const err = body && typeof body === 'object' ? body.error : null;
  if (err && err.code === 'login_required') {
    window.dispatchEvent(new CustomEvent('simvid:login-required')); // private mode: the page asks to log in
  }
  if (err && typeof err.message === 'string' && err.message.trim()) {
    throw new ApiError(status, String(err.code || 'error'), err.message, body);
  }
  throw new ApiError(status, 'server', SERVER_PROBLEM);
}

/** request sends a JSON request (body optional) and returns the decoded answer. */
export async function request(method, path, body) {
  const init = { method, credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  let text;
  try {
    res = await fetch(BASE + path, init);
    text = await res.text();
  } catch {
    throw new ApiError(0, 'network', OFFLINE);
  }
  return decode(res.status, text);
}

/**
 * send posts a multipart form with XMLHttpRequest so that upload progress can be shown.
 * onProgress gets 0..1. Returns {promise, abort}.
 */
export function send(path, form, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open('POST', BASE + path);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status === 0) { reject(new ApiError(0, 'network', OFFLINE)); return; }
      try { resolve(decode(xhr.status, xhr.responseText)); } catch (err) { reject(err); }
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network', OFFLINE)));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'aborted', 'The upload was stopped.')));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

const e = encodeURIComponent;

function fileForm(field, file) {
  const form = new FormData();
  form.append(field, file, file.name);
  return form;
}

/** api names every route of the contract the page uses (docs/api.md). */
export const api = {
  capabilities: () => request('GET', '/capabilities'),
  createProject: (spec) => request('POST', '/projects', spec),
  getProject: (id) => request('GET', `/projects/${e(id)}`),
  patchSettings: (id, patch) => request('PATCH', `/projects/${e(id)}/settings`, patch),
  uploadImage: (id, file, onProgress) => send(`/projects/${e(id)}/images`, fileForm('images', file), onProgress),
  putOrder: (id, order) => request('PUT', `/projects/${e(id)}/slides`, { order }),
  // sortSlides has the server sort the slides once: by 'taken' (date taken) or 'name'.
  sortSlides: (id, sort) => request('PUT', `/projects/${e(id)}/slides`, { sort }),
  patchSlide: (id, slideId, patch) => request('PATCH', `/projects/${e(id)}/slides/${e(slideId)}`, patch),
  deleteSlide: (id, slideId) => request('DELETE', `/projects/${e(id)}/slides/${e(slideId)}`),
  // deleteSlideOnLeave sends a removal as the page goes away: keepalive outlives the page.
  deleteSlideOnLeave: (id, slideId) => fetch(`${BASE}/projects/${e(id)}/slides/${e(slideId)}`,
    { method: 'DELETE', credentials: 'same-origin', keepalive: true }).catch(() => {}),
  duplicateSlide: (id, slideId) => request('POST', `/projects/${e(id)}/slides/${e(slideId)}/duplicate`),
  uploadMusic: (id, file, onProgress) => send(`/projects/${e(id)}/music`, fileForm('audio', file), onProgress),
  musicLink: (id, body) => request('POST', `/projects/${e(id)}/music/link`, body),
  patchMusic: (id, patch) => request('PATCH', `/projects/${e(id)}/music`, patch),
  deleteMusic: (id) => request('DELETE', `/projects/${e(id)}/music`),
  createRender: (id, opts) => request('POST', `/projects/${e(id)}/renders`, opts),
  listRenders: (id) => request('GET', `/projects/${e(id)}/renders`),
  getRender: (id) => request('GET', `/renders/${e(id)}`),
  cancelRender: (id) => request('POST', `/renders/${e(id)}/cancel`),
};
