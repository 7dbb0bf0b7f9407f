export type AuditOutcome = 'success' | 'failure';

export interface AuditEntry {
  id: string;
  occurredAt: string;
  /** User id, or API key id for service credentials; null for anonymous calls (e.g. a failed login). */
  actorId: string | null;
  actorName: string | null;
  /** rule: a remediation rule acting by itself (actorName `Remediation rule "…" (rule:<id>)`). */
  actorKind: 'user' | 'api_key' | 'anonymous' | 'rule';
  action: string;
  targetType: string | null;
  targetId: string | null;
  parameters: Record<string, unknown> | null;
  outcome: AuditOutcome;
  statusCode: number | null;
  errorCode: string | null;
  correlationId: string | null;
}

export interface AuditQuery {
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  outcome?: AuditOutcome;
  from?: string;
  to?: string;
  page?: number;
  pageSize?: number;
}
