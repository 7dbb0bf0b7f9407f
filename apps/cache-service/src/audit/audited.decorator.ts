import { SetMetadata } from '@nestjs/common';

export const AUDIT_ACTION = 'ccc:auditAction';

export interface AuditedOptions {
  action: string;
  targetType: string;
  /** Route param (or body field) holding the target id; else the response's `id`, else the body's `datasourceId`. */
  targetParam?: string;
}

/** Names the audit action of a state-changing route (every such route is audited; this gives it a name). */
export const Audited = (action: string, targetType: string, targetParam = 'id'): MethodDecorator =>
  SetMetadata(AUDIT_ACTION, { action, targetType, targetParam } satisfies AuditedOptions);
