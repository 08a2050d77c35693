// The dashboard's HTTP client: same-origin JSON GETs and downloads, with the bearer token the user
// typed (kept in sessionStorage, so it dies with the tab). A 401 asks the shell for a token.
import { obj, str } from './json.js';

const TOKEN_KEY = 'netpol-advisor.token';

export function getToken(): string | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token === null || token === '' ? undefined : token;
}

export function setToken(token: string | undefined): void {
  if (token === undefined) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Fired on `window` when the API answers 401; the shell shows the token prompt. */
export const AUTH_REQUIRED_EVENT = 'netpol-advisor:auth-required';

export type Params = Readonly<Record<string, string | number | undefined>>;

export function apiUrl(path: string, params: Params = {}): string {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  return url.pathname + url.search;
}

async function request(path: string, params: Params | undefined, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = getToken();
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  const response = await fetch(apiUrl(path, params), {
    headers,
    ...(signal !== undefined ? { signal } : {}),
    credentials: 'omit',
  });
  if (response.ok) return response;
  let code = `http_${response.status}`;
  let message = response.statusText;
  try {
    const error = obj(obj(await response.json())['error']);
    code = str(error['code'], code);
    message = str(error['message'], message);
  } catch {
    // not JSON: keep the status line
  }
  // `detail.rejected`: a token was sent and refused (wrong, expired or revoked), not just missing.
  if (response.status === 401)
    window.dispatchEvent(
      new CustomEvent(AUTH_REQUIRED_EVENT, { detail: { rejected: token !== undefined, message } }),
    );
  throw new ApiError(response.status, code, message);
}

export async function getJson(path: string, params?: Params, signal?: AbortSignal): Promise<unknown> {
  const response = await request(path, params, signal);
  return (await response.json()) as unknown;
}

export async function getText(path: string, params?: Params, signal?: AbortSignal): Promise<string> {
  const response = await request(path, params, signal);
  return response.text();
}

/** Fetches a download and saves it under the server's file name (Content-Disposition) or `fallback`. */
export async function download(path: string, params: Params, fallback: string): Promise<string> {
  const response = await request(path, params);
  const disposition = response.headers.get('content-disposition') ?? '';
  const match = /filename="?([A-Za-z0-9._-]{1,128})"?/.exec(disposition);
  const name = match?.[1] ?? fallback;
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
