import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { NextFunction, Request, Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import { AppError } from './app-error.js';

/**
 * How deep a request body may nest. The deepest contract (a datasource's column mapping, a threshold's alert
 * configuration) nests three levels; class-transformer recurses once per level and overflowed the stack at a
 * few thousand, so anything deeper is refused before it reaches it.
 */
export const MAX_JSON_DEPTH = 32;

/** Keys that would reach an object's prototype (or pretend to) in a copy made with assignment. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * NUL (PostgreSQL text cannot hold it) or a UTF-16 surrogate without its partner (not a character: it cannot be
 * stored as UTF-8, and jsonb refuses its escape).
 */
const UNSAFE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const hasUnsafeText = (text: string): boolean => UNSAFE_TEXT.test(text);

/** Text with NUL and unpaired surrogates replaced by U+FFFD, for echoing a field name or storing a trail. */
const UNSAFE_TEXT_ALL = new RegExp(UNSAFE_TEXT.source, 'g');
export const safeText = (text: string): string => (UNSAFE_TEXT.test(text) ? text.replace(UNSAFE_TEXT_ALL, '\ufffd') : text);

interface Visit {
  value: unknown;
  key: string | null;
  parent: Visit | null;
  depth: number;
}

const pathOf = (visit: Visit): string => {
  const keys: string[] = [];
  for (let at: Visit | null = visit; at && at.key !== null; at = at.parent) keys.unshift(safeText(at.key));
  return keys.join('.');
};

/**
 * The first thing in a request value that no route accepts: nesting deeper than MAX_JSON_DEPTH, a key that
 * names a prototype, NUL or an unpaired surrogate in a string or a key. Iterative, so a deep value cannot
 * overflow the stack here either. Field paths are those of validation errors (`columnMapping.measure`, `permissions.0`).
 */
export function findInputProblem(root: unknown, rootField: string | null = null): AppError | null {
  const stack: Visit[] = [{ value: root, key: rootField, parent: null, depth: 0 }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value } = visit;
    if (typeof value === 'string') {
      if (hasUnsafeText(value)) {
        const field = pathOf(visit) || 'body';
        return AppError.invalidField(field, `${field} must not contain NUL characters or unpaired UTF-16 surrogates`);
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (visit.depth >= MAX_JSON_DEPTH) {
      return new AppError('INVALID_JSON', `Request nests deeper than ${MAX_JSON_DEPTH} levels`, { maxDepth: MAX_JSON_DEPTH });
    }
    const keys = Array.isArray(value) ? value.map((_, index) => String(index)) : Object.keys(value);
    for (const key of keys) {
      const child: Visit = { value: (value as Record<string, unknown>)[key], key, parent: visit, depth: visit.depth + 1 };
      if (FORBIDDEN_KEYS.has(key)) return AppError.invalidField(pathOf(child), `property ${key} should not exist`);
      if (hasUnsafeText(key)) {
        const field = pathOf(child);
        return AppError.invalidField(field, `property ${field} should not exist: names must not hold NUL or unpaired UTF-16 surrogates`);
      }
      stack.push(child);
    }
  }
  return null;
}

const hasBody = (req: Request): boolean => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
const isJson = (req: Request): boolean => /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(req.headers['content-type'] ?? '');

/**
 * The API speaks JSON only: a body of any other type is refused with 415 before a parser turns it into an
 * object (Express would parse a form-encoded body and the route would take it as if it were JSON).
 */
export function jsonOnlyMiddleware(req: Request, _res: Response, next: NextFunction): void {
  if (hasBody(req) && !isJson(req)) {
    const contentType = req.headers['content-type'] ?? null;
    next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Request bodies must be JSON (Content-Type: application/json)', { contentType }));
    return;
  }
  next();
}

const problems = new WeakMap<Request, AppError>();

/**
 * Runs after the JSON parser: the body and the query string of every request pass findInputProblem. The
 * problem is raised by InputProblemInterceptor, inside the route's interceptors, so that a refused change is
 * audited like any other refused change; nothing reads the body before it (and the audit interceptor's copy
 * of it is depth-limited).
 */
export function inputGuardMiddleware(req: Request, _res: Response, next: NextFunction): void {
  const problem = findInputProblem(req.body) ?? findInputProblem(req.query);
  if (problem) problems.set(req, problem);
  next();
}

/** Whether a route reads a body at all (`@Body()`): a route that does not gets no validation of one either. */
function takesBody(context: ExecutionContext): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ?? {}) as Record<string, unknown>;
  return Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
}

/**
 * Raises what inputGuardMiddleware found, before any pipe (class-transformer) or handler sees the request; and
 * refuses fields sent to a route that takes no body, which would otherwise be dropped without a word (the
 * whitelist rule of every other body).
 */
@Injectable()
export class InputProblemInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const problem = problems.get(request);
    if (problem) return throwError(() => problem);
    const body: unknown = request.body;
    const fields = body !== null && typeof body === 'object' ? Object.keys(body) : [];
    if (fields.length > 0 && !takesBody(context)) {
      const refused = fields.slice(0, 10).map(safeText);
      return throwError(() =>
        AppError.validation(refused.map((field) => ({ field, messages: [`property ${field} should not exist: this operation takes no body`] }))),
      );
    }
    return next.handle();
  }
}
