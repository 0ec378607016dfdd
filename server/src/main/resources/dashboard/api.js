// The JSON API, read with the browser's session: the bearer token's cookie when one is set.

export class ApiFailure extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function answer(response) {
  if (response.status === 401) {
    location.assign('/login');
    throw new ApiFailure(401, 'signed out: sign in again');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiFailure(response.status, body.message ?? response.statusText);
  return body;
}

export async function get(path) {
  return answer(await fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' }));
}

export async function post(path, body) {
  return answer(await fetch(path, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  }));
}

export async function del(path) {
  return answer(await fetch(path, {
    method: 'DELETE', headers: { Accept: 'application/json' }, credentials: 'same-origin',
  }));
}

export function runPath(id) {
  return '/runs/' + encodeURIComponent(id);
}
