import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, throwError, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../access/auth.decorators.js';
import { correlationIdOf } from '../common/correlation-id.js';
import { HttpExceptionFilter } from '../common/http-exception.filter.js';
import { AuditService } from './audit.service.js';
import { AUDIT_ACTION, type AuditedOptions } from './audited.decorator.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A request value usable as a target id: only a string or a number (String() of a deeply nested array overflows the stack). */
const scalar = (value: unknown): string | number | undefined =>
  typeof value === 'string' || typeof value === 'number' ? value : undefined;

// The one mapping of errors to responses: a failure row records the status and code the client was answered with.
const errorResponses = new HttpExceptionFilter();

/** Writes one audit row for every authenticated state-changing request, whether it succeeds or fails. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    if (!MUTATING.has(request.method) || !request.principal) return next.handle();

    const options =
      this.reflector.get<AuditedOptions>(AUDIT_ACTION, context.getHandler()) ??
      ({
        action: `${request.method} ${request.routeOptions.url ?? request.url.split('?', 1)[0]}`,
        targetType: 'route',
        targetParam: 'id',
      } as AuditedOptions);
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    const base = {
      actor: request.principal,
      action: options.action,
      targetType: options.targetType,
      parameters: { ...params, ...(typeof request.body === 'object' ? request.body : {}) },
      ip: request.ip ?? null,
      correlationId: correlationIdOf(request),
    };
    const targetField = options.targetParam ?? 'id';
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<
      string,
      unknown
    >;
    const paramTarget = params[targetField] ?? scalar(body[targetField]);
    const bodyTarget = scalar(body.datasourceId);

    return next.handle().pipe(
      mergeMap((result) =>
        from(
          this.audit
            .record({
              ...base,
              targetId:
                String(
                  paramTarget ??
                    (result as { id?: unknown } | null)?.id ??
                    bodyTarget ??
                    options.describeTarget?.(result) ??
                    '',
                ) || null,
              outcome: 'success',
              statusCode: context.switchToHttp().getResponse<FastifyReply>().statusCode,
            })
            .then(() => result),
        ),
      ),
      catchError((error: unknown) => {
        const { status, body: answer } = errorResponses.toResponse(error, base.correlationId ?? '');
        return from(
          this.audit.record({
            ...base,
            targetId: paramTarget
              ? String(paramTarget)
              : bodyTarget !== undefined
                ? String(bodyTarget)
                : (options.describeTarget?.(undefined) ?? null),
            outcome: 'failure',
            statusCode: status,
            errorCode: answer.code,
          }),
        ).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}
