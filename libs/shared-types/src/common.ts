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
  checks: Record<string, { status: HealthStatus; latencyMs?: number; error?: string }>;
}
