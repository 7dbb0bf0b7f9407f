import {
  ROLE_PERMISSIONS,
  type Datasource,
  type ErrorResponse,
  type FieldError,
  type Role,
  type UserSummary,
} from '@ccc/shared-types';

export function user(role: Role): UserSummary {
  return {
    id: `user-${role}`,
    email: `${role}@example.com`,
    displayName: null,
    role,
    permissions: [...ROLE_PERMISSIONS[role]],
    isActive: true,
    lastLoginAt: null,
    createdAt: '2025-10-01T00:00:00.000Z',
  };
}

export function datasource(overrides: Partial<Datasource> = {}): Datasource {
  return {
    id: 1,
    strategyId: '8f0c1c52-7b1e-4c8e-9a59-1f0f6f2d1a01',
    name: 'Revenue Analytics',
    description: 'Charges and payments by practice',
    sourceTable: 'demo_analytics.revenue_facts',
    columnMapping: {
      measure: 'measure',
      practice: 'practice_id',
      provider: 'provider_id',
      frequency: 'frequency',
      period: 'period_start',
      value: 'value',
    },
    stalenessTtlSeconds: 14_400,
    minWarmIntervalSeconds: 300,
    warmSchedule: '0 */4 * * *',
    enabled: true,
    changeDetection: 'none',
    watermarkColumn: null,
    fullRefreshEvery: 24,
    regions: ['primary'],
    createdAt: '2025-10-01T00:00:00.000Z',
    updatedAt: '2025-10-01T00:00:00.000Z',
    ...overrides,
  };
}

export function errorBody(code: ErrorResponse['code'], message: string, fields?: FieldError[]): ErrorResponse {
  return { code, message, details: fields ? { fields } : undefined, correlationId: 'test-correlation-id' };
}
