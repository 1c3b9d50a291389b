// The dashboard's client of the HTTP API (docs/API.md, docs/openapi.yaml). Every failure
// becomes an ApiError carrying the server's error object (code, message, path) and the
// HTTP status, so pages can show it as it is.
import { getToken } from './session';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly path: string;
  constructor(status: number, code: string, message: string, path = '') {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.path = path;
  }
}

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

type Params = Record<string, string | number | undefined | null>;

function url(path: string, params?: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

async function errorFrom(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const e = JSON.parse(text).error;
    if (e && typeof e.code === 'string') return new ApiError(res.status, e.code, e.message ?? '', e.path ?? '');
  } catch {
    /* not an error object */
  }
  return new ApiError(res.status, `http_${res.status}`, text.slice(0, 300) || res.statusText);
}

async function send(path: string, init: RequestInit = {}, auth = true): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = getToken();
  if (auth && token) headers.set('Authorization', `Bearer ${token}`);
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (e) {
    throw new ApiError(0, 'network', `the server could not be reached: ${(e as Error).message}`);
  }
  if (!res.ok) throw await errorFrom(res);
  return res;
}

export async function getJson<T>(path: string, params?: Params): Promise<T> {
  const res = await send(url(path, params));
  return (await res.json()) as T;
}

export function getPage<T>(path: string, params?: Params): Promise<Page<T>> {
  return getJson<Page<T>>(path, params);
}

// Every row of a list, page by page (max_page rows at a time), up to `cap` rows.
export async function getAll<T>(path: string, params: Params = {}, cap = 20000): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; offset < cap; ) {
    const p = await getPage<T>(path, { ...params, offset, limit: 1000 });
    out.push(...p.items);
    offset += p.items.length;
    if (p.items.length === 0 || offset >= p.total) break;
  }
  return out;
}

export async function getText(path: string, params?: Params): Promise<string> {
  const res = await send(url(path, params), {}, false);
  return res.text();
}

export async function getBytes(path: string, params?: Params): Promise<Uint8Array> {
  const res = await send(url(path, params), {}, false);
  return new Uint8Array(await res.arrayBuffer());
}

export interface LeafPage {
  lines: string[];
  next: number | null;
  size: number | null;
}

// GET /v1/events?from=&limit=: leaves as logged, one per line.
export async function getLeaves(from: number, limit: number): Promise<LeafPage> {
  const res = await send(url('/v1/events', { from, limit }), {}, false);
  const text = await res.text();
  const next = res.headers.get('X-Aidtrace-Next');
  const size = res.headers.get('X-Aidtrace-Size');
  return {
    lines: text.split('\n').filter((l) => l.length > 0),
    next: next === null ? null : Number(next),
    size: size === null ? null : Number(size),
  };
}

export interface Receipt {
  checkpoint: string;
  id: string;
  leaf_hash: string;
  logged: string;
  seq: number;
}

export async function postEvent(submission: unknown): Promise<Receipt> {
  const res = await send('/v1/events', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(submission),
  });
  return (await res.json()) as Receipt;
}
