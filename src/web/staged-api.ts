// The dashboard's writes (shadow mode: stage, promote, retire) and whether the current token may
// make them. Same token and error handling as api.ts's reads; only this module sends a body or a
// method other than GET, and only to /api/v1/staged.
import type { StagedDetailJson } from '../api/staged.js';
import { apiError, apiHeaders, apiUrl, getJson, saveDownload } from './api.js';

async function send(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<Response> {
  const response = await fetch(apiUrl(path), {
    method,
    headers: apiHeaders(body !== undefined ? { 'content-type': 'application/json' } : {}),
    credentials: 'omit',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (response.ok) return response;
  throw await apiError(response);
}

/** Stages the current recommendation for `namespace` in `flavor` (default k8s; supersedes its active set). */
export async function stageNamespace(namespace: string, flavor?: string): Promise<StagedDetailJson> {
  const body = flavor !== undefined && flavor !== '' ? { namespace, flavor } : { namespace };
  return (await (await send('POST', '/api/v1/staged', body)).json()) as StagedDetailJson;
}

/** Promotes a set and saves its YAML (the download the API returns). */
export async function promoteSet(id: number): Promise<string> {
  return saveDownload(await send('POST', `/api/v1/staged/${id}/promote`), `staged-${id}.yaml`);
}

export async function retireSet(id: number): Promise<void> {
  await send('DELETE', `/api/v1/staged/${id}`);
}

/** Whether the current token may stage (the list route says); false when it cannot be asked. */
export async function canStage(signal?: AbortSignal): Promise<boolean> {
  try {
    return (await getJson('/api/v1/staged', { status: 'active' }, signal)).canWrite;
  } catch {
    return false;
  }
}
