export interface Paginated<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface PageQuery {
  page?: number;
  pageSize?: number;
}

export type HealthStatus = 'up' | 'down';

export interface ReadinessResponse {
  status: 'ok' | 'error';
  /** redis and postgres always; in roles that run workers also `workers` (warming) and, with a webhook, `notifications`. */
  checks: Record<
    string,
    { status: HealthStatus; latencyMs?: number; error?: string; running?: number; total?: number }
  >;
}
