import type { ErrorCode, FieldError } from '@ccc/shared-types';

/** A domain error: services throw these, the global filter maps the code to an HTTP status. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  static notFound(what: string, id: string | number): AppError {
    return new AppError('NOT_FOUND', `${what} ${id} not found`, { resource: what, id });
  }

  static conflict(message: string, details?: Record<string, unknown>): AppError {
    return new AppError('CONFLICT', message, details);
  }

  static validation(fields: FieldError[]): AppError {
    const message = fields.map((f) => f.messages.join('; ')).join('; ');
    return new AppError('VALIDATION_FAILED', message || 'Invalid request', { fields });
  }

  static invalidField(field: string, message: string): AppError {
    return AppError.validation([{ field, messages: [message] }]);
  }

  static unauthenticated(message = 'Authentication required'): AppError {
    return new AppError('UNAUTHENTICATED', message);
  }

  static forbidden(message: string, details?: Record<string, unknown>): AppError {
    return new AppError('FORBIDDEN', message, details);
  }

  /** 429; the exception filter turns `retryAfterSeconds` into the `Retry-After` header. */
  static rateLimited(message: string, retryAfterSeconds: number): AppError {
    return AppError.retryLater('RATE_LIMITED', message, retryAfterSeconds);
  }

  /** 503 or 429 with `Retry-After` (the filter sets the header from details.retryAfterSeconds). */
  static retryLater(
    code: 'SOURCE_BUSY' | 'SOURCE_TIMEOUT' | 'RATE_LIMITED' | 'SERVICE_BUSY',
    message: string,
    retryAfterSeconds: number,
  ): AppError {
    return new AppError(code, message, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });
  }
}
