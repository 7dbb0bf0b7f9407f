import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { ErrorCode, ErrorResponse } from '@ccc/shared-types';
import type { Request, Response } from 'express';
import { AppError } from './app-error.js';
import { CODE_BY_HTTP_STATUS, HTTP_STATUS_BY_CODE } from './error-codes.js';
import { correlationIdOf } from './correlation-id.js';

/** Maps every error to `{code, message, details?, correlationId}`; never leaks a stack trace. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    this.respond(exception, context.getRequest<Request>(), context.getResponse<Response>());
  }

  /** Also for Express middleware outside Nest's pipeline (the API docs guard). */
  respond(exception: unknown, request: Request, response: Response): void {
    const { status, body } = this.toResponse(exception, correlationIdOf(request));
    // Errors that say when to come back (a busy source, a per-key limit) carry it in details; they are load being
    // shed, not failures, and are counted by /metrics rather than logged one by one.
    const retryAfter = exception instanceof AppError ? exception.details?.retryAfterSeconds : undefined;
    if (status >= 500 && retryAfter === undefined) {
      this.logger.error(
        { msg: 'request failed', method: request.method, path: request.originalUrl, correlationId: body.correlationId },
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    if (response.headersSent) return;
    if (typeof retryAfter === 'number') response.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
    response.status(status).json(body);
  }

  toResponse(exception: unknown, correlationId: string): { status: number; body: ErrorResponse } {
    if (exception instanceof AppError) {
      return {
        status: HTTP_STATUS_BY_CODE[exception.code],
        body: { code: exception.code, message: exception.message, ...(exception.details ? { details: exception.details } : {}), correlationId },
      };
    }
    if (exception instanceof ThrottlerException) {
      return { status: 429, body: { code: 'RATE_LIMITED', message: 'Too many requests: rate limit exceeded, retry later', correlationId } };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code: ErrorCode = CODE_BY_HTTP_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
      const payload = exception.getResponse();
      const message =
        typeof payload === 'string' ? payload : String((payload as { message?: unknown }).message ?? exception.message);
      return { status, body: { code, message, correlationId } };
    }
    // Errors thrown by Express's body parser carry a status and a type.
    const bodyParserError = exception as { status?: number; type?: string; message?: string };
    if (typeof bodyParserError?.status === 'number' && bodyParserError.status >= 400 && bodyParserError.status < 500) {
      const status = bodyParserError.status;
      const message =
        bodyParserError.type === 'entity.parse.failed'
          ? 'Request body is not valid JSON'
          : bodyParserError.type === 'entity.too.large'
            ? 'Request body is too large'
            : (bodyParserError.message ?? 'Bad request');
      return { status, body: { code: CODE_BY_HTTP_STATUS[status] ?? 'VALIDATION_FAILED', message, correlationId } };
    }
    return {
      status: HTTP_STATUS_BY_CODE.INTERNAL,
      body: { code: 'INTERNAL', message: 'Internal server error', correlationId },
    };
  }
}
