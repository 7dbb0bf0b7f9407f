import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { ErrorCode, ErrorResponse } from '@ccc/shared-types';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './app-error.js';
import { unsupportedMediaType } from './input-guard.js';
import { CODE_BY_HTTP_STATUS, HTTP_STATUS_BY_CODE } from './error-codes.js';
import { CORRELATION_HEADER, correlationIdOf } from './correlation-id.js';
import { mapInfrastructureError } from './infrastructure-errors.js';

/** Codes of load being shed on purpose: answered with Retry-After and counted, never logged one by one. */
const SHED_LOAD: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['SOURCE_BUSY', 'SOURCE_TIMEOUT', 'RATE_LIMITED']);
/** While Redis or PostgreSQL is down every request fails alike: one log line per interval says so. */
const OUTAGE_LOG_INTERVAL_MS = 10_000;

/** Maps every error to `{code, message, details?, correlationId}`; never leaks a stack trace. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');
  private outageLoggedAt = -Infinity;
  private outagesSuppressed = 0;

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    this.respond(exception, context.getRequest<FastifyRequest>(), context.getResponse<FastifyReply>());
  }

  /** Also for request hooks outside Nest's pipeline (the API docs and queue board guards). */
  respond(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const { status, body } = this.toResponse(exception, correlationIdOf(request));
    // Load being shed (a busy source, a fallback stopped by its timeout, a per-key limit) is not a failure: /metrics
    // counts it by status, nothing is logged. An outage (SERVICE_UNAVAILABLE) is logged, at most once per interval;
    // every other 5xx is a bug of ours and logged each time.
    if (status >= 500 && !SHED_LOAD.has(body.code)) {
      const entry = {
        msg: 'request failed',
        method: request.method,
        path: request.url,
        correlationId: body.correlationId,
      };
      const stack = exception instanceof Error ? exception.stack : String(exception);
      if (body.code !== 'SERVICE_UNAVAILABLE') this.logger.error(entry, stack);
      else this.logOutage(entry, stack);
    }
    if (reply.sent || reply.raw.headersSent) return;
    // Errors the router answers before any hook ran (a malformed path) have no correlation id on the reply yet.
    if (!reply.hasHeader(CORRELATION_HEADER)) reply.header(CORRELATION_HEADER, body.correlationId);
    // From the mapped body: shed load (429/503 AppErrors) and infrastructure outages both say when to come back.
    const retryAfterHeader = (body.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (typeof retryAfterHeader === 'number')
      reply.header('Retry-After', String(Math.max(1, Math.ceil(retryAfterHeader))));
    // A route may have set another type (text/plain for /metrics) before it failed: the JSON type is set here.
    reply.status(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
  }

  /** One line per OUTAGE_LOG_INTERVAL_MS while a backing service is down, with how many failures it stands for. */
  private logOutage(entry: Record<string, unknown>, stack: string | undefined, now = Date.now()): void {
    if (now - this.outageLoggedAt < OUTAGE_LOG_INTERVAL_MS) {
      this.outagesSuppressed++;
      return;
    }
    this.logger.error(
      {
        ...entry,
        msg: 'request failed: a backing service is unavailable',
        alsoFailedSinceLastLine: this.outagesSuppressed,
      },
      stack,
    );
    this.outageLoggedAt = now;
    this.outagesSuppressed = 0;
  }

  toResponse(exception: unknown, correlationId: string): { status: number; body: ErrorResponse } {
    const error =
      exception instanceof AppError ? exception : (requestError(exception) ?? mapInfrastructureError(exception));
    if (error) {
      return {
        status: HTTP_STATUS_BY_CODE[error.code],
        body: {
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
          correlationId,
        },
      };
    }
    if (exception instanceof ThrottlerException) {
      return {
        status: 429,
        body: { code: 'RATE_LIMITED', message: 'Too many requests: rate limit exceeded, retry later', correlationId },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code: ErrorCode = CODE_BY_HTTP_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
      const payload = exception.getResponse();
      const message =
        typeof payload === 'string' ? payload : String((payload as { message?: unknown }).message ?? exception.message);
      return { status, body: { code, message, correlationId } };
    }
    // Other client errors of the HTTP layer itself carry a 4xx status.
    const statusError = exception as { status?: number; statusCode?: number; message?: string };
    const errorStatus = statusError?.status ?? statusError?.statusCode;
    if (typeof errorStatus === 'number' && errorStatus >= 400 && errorStatus < 500) {
      const status = errorStatus;
      return {
        status,
        body: {
          code: CODE_BY_HTTP_STATUS[status] ?? 'VALIDATION_FAILED',
          message: statusError.message ?? 'Bad request',
          correlationId,
        },
      };
    }
    return {
      status: HTTP_STATUS_BY_CODE.INTERNAL,
      body: { code: 'INTERNAL', message: 'Internal server error', correlationId },
    };
  }
}

/**
 * Errors of Fastify's body handling and routing (Nest hands them over wrapped in an HttpException, the original as
 * its cause), and of body-parser, answered without echoing the request: a JSON parse error's own message quotes the
 * body, a path decoding error quotes the path. The answers are those the service gave on Express.
 */
function requestError(exception: unknown): AppError | null {
  const cause = (exception instanceof HttpException ? exception.cause : exception) as
    { type?: unknown; code?: unknown; status?: unknown; message?: unknown } | undefined;
  if (!cause || typeof cause !== 'object') return null;
  switch (cause.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType(null);
    case 'FST_ERR_BAD_URL':
      return AppError.invalidField('path', 'the path holds a percent-encoding that is not valid UTF-8');
    default:
  }
  switch (cause.type) {
    case 'entity.parse.failed': {
      const position = /position (\d+)/.exec(String(cause.message ?? ''))?.[1];
      return position !== undefined
        ? new AppError('INVALID_JSON', `Request body is not valid JSON (at position ${position})`, {
            position: Number(position),
          })
        : new AppError('INVALID_JSON', 'Request body is not valid JSON');
    }
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Request body must be JSON in UTF-8, without content encoding');
    default:
  }
  if (cause instanceof URIError && (cause as { status?: unknown }).status === 400) {
    return AppError.invalidField('path', 'the path holds a percent-encoding that is not valid UTF-8');
  }
  return null;
}
