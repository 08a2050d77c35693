// The dashboard's HTTP client: same-origin JSON GETs and downloads, with the bearer token the user
// typed (kept in sessionStorage, so it dies with the tab). A 401 asks the shell for a token. Each
// JSON read is typed by its route (ApiResponses: the types of the schemas the API is documented
// and tested with, imported as types only, so zod never reaches the bundle). The types say what
// the server sends; the values inside came from the cluster, so pages still render them as text.
import type { ErrorBody } from '../api/common.js';
import type { ApiPath, ApiResponses } from '../api/responses.js';

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

/** The request headers: JSON, and the bearer token when the user gave one. */
export function apiHeaders(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json', ...extra };
  const token = getToken();
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  return headers;
}

/** An API error answer as an ApiError (the `{"error": {code, message}}` body, else the status line). */
export async function apiError(response: Response): Promise<ApiError> {
  let code = `http_${response.status}`;
  let message = response.statusText;
  try {
    const body = (await response.json()) as Partial<ErrorBody> | null;
    if (typeof body?.error?.code === 'string') code = body.error.code;
    if (typeof body?.error?.message === 'string') message = body.error.message;
  } catch {
    // not JSON: keep the status line
  }
  // `detail.rejected`: a token was sent and refused (wrong, expired or revoked), not just missing.
  if (response.status === 401)
    window.dispatchEvent(
      new CustomEvent(AUTH_REQUIRED_EVENT, { detail: { rejected: getToken() !== undefined, message } }),
    );
  return new ApiError(response.status, code, message);
}

async function request(path: string, params: Params | undefined, signal?: AbortSignal): Promise<Response> {
  const response = await fetch(apiUrl(path, params), {
    headers: apiHeaders(),
    ...(signal !== undefined ? { signal } : {}),
    credentials: 'omit',
  });
  if (response.ok) return response;
  throw await apiError(response);
}

/** `/api/v1/staged/{id}` with the id filled in. */
export function routePath(path: ApiPath, ids: Readonly<Record<string, string | number>> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(ids[name] ?? '')));
}

/** The JSON body of a GET of `path` (its `{id}` filled from `ids`), typed by the route. */
export async function getJson<P extends ApiPath>(
  path: P,
  params?: Params,
  signal?: AbortSignal,
  ids?: Readonly<Record<string, string | number>>,
): Promise<ApiResponses[P]> {
  const response = await request(routePath(path, ids), params, signal);
  return (await response.json()) as ApiResponses[P];
}

export async function getText(path: string, params?: Params, signal?: AbortSignal): Promise<string> {
  const response = await request(path, params, signal);
  return response.text();
}

/** Saves a download response under the server's file name (Content-Disposition) or `fallback`. */
export async function saveDownload(response: Response, fallback: string): Promise<string> {
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

/** Fetches a download and saves it (saveDownload). */
export async function download(path: string, params: Params, fallback: string): Promise<string> {
  return saveDownload(await request(path, params), fallback);
}
