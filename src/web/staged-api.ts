// The dashboard's writes (shadow mode: stage, promote, retire) and whether the current token may
// make them. Same token and error handling as api.ts's reads; only this module sends a body or a
// method other than GET, and only to /api/v1/staged.
import { AUTH_REQUIRED_EVENT, ApiError, apiUrl, getJson, getToken } from './api.js';
import { bool, obj, str } from './json.js';

async function send(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = getToken();
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(apiUrl(path), {
    method,
    headers,
    credentials: 'omit',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
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
  if (response.status === 401) window.dispatchEvent(new Event(AUTH_REQUIRED_EVENT));
  throw new ApiError(response.status, code, message);
}

/** The flavours a set can be staged in (the API's `flavor`). */
export const STAGE_FLAVORS = ['k8s', 'cilium', 'calico'] as const;

/** Stages the current recommendation for `namespace` in `flavor` (default k8s; supersedes its active set). */
export async function stageNamespace(namespace: string, flavor?: string): Promise<unknown> {
  const body = flavor !== undefined && flavor !== '' ? { namespace, flavor } : { namespace };
  return (await (await send('POST', '/api/v1/staged', body)).json()) as unknown;
}

/** Promotes a set and saves its YAML (the download the API returns). */
export async function promoteSet(id: number): Promise<string> {
  const response = await send('POST', `/api/v1/staged/${id}/promote`);
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="?([A-Za-z0-9._-]{1,128})"?/.exec(disposition)?.[1] ?? `staged-${id}.yaml`;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

export async function retireSet(id: number): Promise<void> {
  await send('DELETE', `/api/v1/staged/${id}`);
}

/** Whether the current token may stage (the list route says); false when it cannot be asked. */
export async function canStage(signal?: AbortSignal): Promise<boolean> {
  try {
    return bool(obj(await getJson('/api/v1/staged', { status: 'active' }, signal))['canWrite']) === true;
  } catch {
    return false;
  }
}
