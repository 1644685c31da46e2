/**
 * REST client for /api/v1: bearer token, `{ error: { code, message, field? } }`
 * bodies become ConsoleErrors (with `field` when the server names one).
 */
import type { ClientErrorCode } from './errors.ts';
import { ConsoleError } from './errors.ts';

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  token?: string | null;
}

export async function api<T>(path: string, { method = 'GET', body, token }: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    throw new ConsoleError('network', `${method} ${path}: ${String(cause)}`, { cause });
  }
  if (!response.ok) throw await errorFromResponse(response, `${method} ${path}`);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export async function errorFromResponse(response: Response, what: string): Promise<ConsoleError> {
  const fallback: ClientErrorCode =
    response.status === 401
      ? 'unauthorized'
      : response.status === 403
        ? 'forbidden'
        : response.status === 404
          ? 'not_found'
          : response.status === 429
            ? 'rate_limited'
            : 'internal';
  let code: ClientErrorCode = fallback;
  let message = `${what}: HTTP ${response.status}`;
  let field: string | undefined;
  try {
    const body = (await response.json()) as { error?: { code?: ClientErrorCode; message?: string; field?: unknown } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
    if (typeof body.error?.field === 'string') field = body.error.field;
  } catch {
    // Not JSON (e.g. a proxy error page): keep the status-derived code.
  }
  const error = new ConsoleError(code, message, { status: response.status });
  // The field a refused form names (conflict, bad_request), read by fieldOf().
  return field === undefined ? error : Object.assign(error, { field });
}

/** Fetches a file with the bearer token and saves it through a temporary blob link. */
export async function downloadWithToken(path: string, filename: string, token: string | null): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (cause) {
    throw new ConsoleError('network', `GET ${path}: ${String(cause)}`, { cause });
  }
  if (!response.ok) throw await errorFromResponse(response, `GET ${path}`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The request field a refused call names (`409 conflict`, `400 bad_request`), if any. */
export function fieldOf(error: unknown): string | undefined {
  const field = (error as { field?: unknown } | null)?.field;
  return typeof field === 'string' ? field : undefined;
}
