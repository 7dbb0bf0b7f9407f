import type {
  AuditEntry,
  AuditQuery,
  CreateDatasourceRequest,
  Datasource,
  ErrorCode,
  ErrorResponse,
  FieldError,
  LoginRequest,
  LoginResponse,
  Paginated,
  Principal,
  UpdateDatasourceRequest,
} from '@ccc/shared-types';

/** Codes the client adds for failures that never produced an API error body. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'UNEXPECTED_RESPONSE';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    readonly fields: FieldError[] = [],
    readonly correlationId?: string,
    /** From a 429's `Retry-After` header: seconds until the rate limit lets the user try again. */
    readonly retryAfterSeconds?: number,
    /** The error body's `details` (e.g. `{ field: 'dropIndex' }` on a 409). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500;
  }

  /** Messages per field path (`name`, `columnMapping.measure`, …). */
  fieldMessages(): Record<string, string[]> {
    const byField: Record<string, string[]> = {};
    for (const { field, messages } of this.fields) {
      (byField[field] ??= []).push(...messages);
    }
    return byField;
  }
}

interface AuthHooks {
  getToken: () => string | null;
  /** Called when a request that carried a token is answered with 401. */
  onUnauthorized: () => void;
}

let authHooks: AuthHooks = { getToken: () => null, onUnauthorized: () => undefined };

export function configureAuth(hooks: Partial<AuthHooks>): void {
  authHooks = { ...authHooks, ...hooks };
}

type Query = Record<string, string | number | boolean | null | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

function buildUrl(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function isErrorResponse(body: unknown): body is ErrorResponse {
  return typeof body === 'object' && body !== null && 'code' in body && 'message' in body;
}

async function toApiError(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => null);
  if (isErrorResponse(body)) {
    const fields = Array.isArray(body.details?.fields) ? body.details.fields : [];
    const retryAfter = Number(response.headers.get('Retry-After') ?? Number.NaN);
    const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined;
    return new ApiError(
      response.status,
      body.code,
      body.message,
      fields,
      body.correlationId,
      retryAfterSeconds,
      body.details ?? {},
    );
  }
  return new ApiError(
    response.status,
    'UNEXPECTED_RESPONSE',
    `The server answered ${response.status} ${response.statusText}`.trim(),
  );
}

/** One typed call to the API; feature folders build their endpoint modules on it. */
export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = authHooks.getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'NETWORK_ERROR', 'Cannot reach the server. Check your connection and try again.');
  }

  if (!response.ok) {
    const error = await toApiError(response);
    // A 401 on a request without a token is a failed sign-in, not an expired session.
    if (response.status === 401 && token) authHooks.onUnauthorized();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Every endpoint the dashboard calls, typed with the shared API contract. */
export const api = {
  login: (body: LoginRequest) => request<LoginResponse>('POST', '/api/auth/login', { body }),
  me: () => request<Principal>('GET', '/api/auth/me'),
  logout: () => request<void>('POST', '/api/auth/logout'),

  listDatasources: (signal?: AbortSignal) => request<Datasource[]>('GET', '/api/admin/datasources', { signal }),
  getDatasource: (id: number, signal?: AbortSignal) =>
    request<Datasource>('GET', `/api/admin/datasources/${id}`, { signal }),
  createDatasource: (body: CreateDatasourceRequest) => request<Datasource>('POST', '/api/admin/datasources', { body }),
  updateDatasource: (id: number, body: UpdateDatasourceRequest) =>
    request<Datasource>('PATCH', `/api/admin/datasources/${id}`, { body }),

  listAudit: (query: AuditQuery, signal?: AbortSignal) =>
    request<Paginated<AuditEntry>>('GET', '/api/admin/audit', { query: { ...query }, signal }),
};
