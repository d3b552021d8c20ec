// Talks to the sensor's REST API. Sessions are an HttpOnly cookie; every state change
// carries the CSRF token returned by login or /auth/me.

let csrfToken = '';
let unauthorizedHandler = () => {};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function setCsrfToken(token) {
  csrfToken = token || '';
}

export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

async function errorMessage(res) {
  try {
    const body = await res.json();
    if (body && body.error) return body.error;
  } catch {
    // Not JSON: fall back to the status text.
  }
  return res.statusText || `HTTP ${res.status}`;
}

export function describeError(error) {
  if (!(error instanceof ApiError)) return String(error && error.message ? error.message : error);
  if (error.status === 403) return `Not allowed: your role cannot do this (${error.message}).`;
  if (error.status === 404) return `Not found: ${error.message}.`;
  if (error.status === 413) return `Too large: ${error.message}.`;
  if (error.status === 429) return `Too many attempts: ${error.message}.`;
  return error.message;
}

export async function api(path, { method = 'GET', body, raw = false, signal } = {}) {
  const headers = {};
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken;
  let payload = body;
  if (body !== undefined && !raw) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', signal });
  if (res.status === 401 && path !== '/api/v1/auth/login') {
    unauthorizedHandler();
    throw new ApiError(401, 'your session has ended; log in again');
  }
  if (!res.ok) throw new ApiError(res.status, await errorMessage(res));
  const type = res.headers.get('Content-Type') || '';
  return type.includes('json') ? res.json() : res.text();
}

// Uploads a file as the raw request body, reporting progress (0..1) while it is sent.
export function upload(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status === 401) {
        unauthorizedHandler();
        return reject(new ApiError(401, 'your session has ended; log in again'));
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body);
      reject(new ApiError(xhr.status, (body && body.error) || xhr.statusText || `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(new ApiError(0, 'the upload failed (network error)'));
    xhr.send(file);
  });
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
