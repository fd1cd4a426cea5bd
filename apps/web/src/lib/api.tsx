// One origin (see server/serve.mjs): the router under /api/router, the citizen app under /api/app.
export const ROUTER = '/api/router';
export const APP = '/api/app';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }

  /** The route itself does not exist (Nest's own 404, "Cannot GET /x"), as opposed to a missing record. */
  get routeMissing(): boolean {
    return this.status === 404 && /^Cannot [A-Z]+ \//.test(this.message);
  }
}

export interface Call {
  method?: string;
  body?: unknown;
  token?: string | null;
  signal?: AbortSignal;
}

/**
 * JSON in and out (or multipart when the body is FormData); a non-2xx answer becomes an ApiError carrying the
 * server's Chinese message.
 */
export async function call<T>(url: string, { method = 'GET', body, token, signal }: Call = {}): Promise<T> {
  const res = await send(url, { method, body, token, signal });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = text;
  }
  if (!res.ok) {
    const d = (data ?? {}) as { message?: string | string[]; error?: string; code?: string };
    const message = Array.isArray(d.message) ? d.message.join('；') : d.message;
    throw new ApiError(res.status, message || defaultMessage(res.status), d.error ?? d.code);
  }
  return data as T;
}

async function send(url: string, { method = 'GET', body, token, signal }: Call, accept = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept };
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(url, { method, headers, body: body === undefined ? undefined : form ? body : JSON.stringify(body), signal });
  } catch {
    throw new ApiError(0, '网络连接失败，请检查网络后重试');
  }
}

/** A protected file (a citizen's photo for the desk) as an object URL: <img> cannot send the bearer token. */
export async function objectUrl(url: string, token: string | null, signal?: AbortSignal): Promise<string> {
  const res = await send(url, { token, signal }, '*/*');
  if (!res.ok) throw new ApiError(res.status, defaultMessage(res.status));
  return URL.createObjectURL(await res.blob());
}

function defaultMessage(status: number): string {
  if (status === 401) return '请先登录';
  if (status === 403) return '无权执行此操作';
  if (status === 404) return '找不到，或此功能尚未提供';
  if (status >= 500) return '服务暂时不可用，请稍后再试';
  return `请求失败（${status}）`;
}

export const qs = (params: Record<string, string | number | undefined | null>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};
