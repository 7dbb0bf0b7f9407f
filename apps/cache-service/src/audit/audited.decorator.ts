import { SetMetadata } from '@nestjs/common';

export const AUDIT_ACTION = 'ccc:auditAction';

export interface AuditedOptions {
  action: string;
  targetType: string;
  /** Route param (or body field) holding the target id; else the response's `id`, else the body's `datasourceId`. */
  targetParam?: string;
  /**
   * Names the target when the request has no id, e.g. "all datasources (5)" for a warm of every datasource, so that an
   * audit row never reads as a bare type. Given the response (undefined when the request failed).
   */
  describeTarget?: (result: unknown) => string;
}

/** Names the audit action of a state-changing route (every such route is audited; this gives it a name). */
export const Audited = (
  action: string,
  targetType: string,
  targetParam = 'id',
  describeTarget?: (result: unknown) => string,
): MethodDecorator =>
  SetMetadata(AUDIT_ACTION, { action, targetType, targetParam, describeTarget } satisfies AuditedOptions);
