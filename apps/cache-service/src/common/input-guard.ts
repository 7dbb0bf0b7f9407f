import {
  Injectable,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
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
// eslint-disable-next-line no-control-regex -- NUL is the character refused here, so the pattern names it
const UNSAFE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const hasUnsafeText = (text: string): boolean => UNSAFE_TEXT.test(text);

/** Text with NUL and unpaired surrogates replaced by U+FFFD, for echoing a field name or storing a trail. */
const UNSAFE_TEXT_ALL = new RegExp(UNSAFE_TEXT.source, 'g');
export const safeText = (text: string): string =>
  UNSAFE_TEXT.test(text) ? text.replace(UNSAFE_TEXT_ALL, '\ufffd') : text;

/**
 * How many values (object keys and array items, all levels together) a request body or query string may hold. The
 * guard walks them before authentication, so a 1 MB body of `[0,0,…]` (half a million items) must not cost half a
 * million steps; no route takes more than a few dozen. Over it: 413 PAYLOAD_TOO_LARGE.
 */
export const MAX_INPUT_VALUES = 10_000;

/** One object or array being walked: the key it was reached by, its keys (objects only), how far along it is. */
interface Frame {
  container: Record<string, unknown> | unknown[];
  key: string | null;
  keys: string[] | null;
  length: number;
  next: number;
}

const frameOf = (container: Record<string, unknown> | unknown[], key: string | null): Frame => {
  const keys = Array.isArray(container) ? null : Object.keys(container);
  return { container, key, keys, length: keys ? keys.length : (container as unknown[]).length, next: 0 };
};

/** The field path of a value (`columnMapping.measure`, `permissions.0`): built only when there is a problem to name. */
const pathOf = (frames: Frame[], key: string | null): string =>
  [...frames.map((frame) => frame.key), key]
    .filter((part): part is string => part !== null)
    .map(safeText)
    .join('.');

const unsafeTextProblem = (field: string): AppError =>
  AppError.invalidField(field, `${field} must not contain NUL characters or unpaired UTF-16 surrogates`);

/**
 * The first thing in a request value that no route accepts: more than MAX_INPUT_VALUES keys and items, nesting
 * deeper than MAX_JSON_DEPTH, a key that names a prototype, NUL or an unpaired surrogate in a string or a key.
 * Iterative (a deep value cannot overflow the stack here either), one frame per object or array and nothing per
 * value. Field paths are those of validation errors (`columnMapping.measure`, `permissions.0`).
 */
export function findInputProblem(root: unknown, rootField: string | null = null): AppError | null {
  if (typeof root === 'string')
    return hasUnsafeText(root) ? unsafeTextProblem(rootField === null ? 'body' : safeText(rootField)) : null;
  if (root === null || typeof root !== 'object') return null;
  const frames: Frame[] = [frameOf(root as Record<string, unknown>, rootField)];
  let values = 0;
  while (frames.length > 0) {
    const frame = frames[frames.length - 1];
    if (frame.next >= frame.length) {
      frames.pop();
      continue;
    }
    const index = frame.next++;
    if (++values > MAX_INPUT_VALUES) {
      return new AppError(
        'PAYLOAD_TOO_LARGE',
        `Request holds more than ${MAX_INPUT_VALUES} values (keys and items at all levels)`,
        { maxValues: MAX_INPUT_VALUES },
      );
    }
    const key = frame.keys ? frame.keys[index] : null;
    if (key !== null) {
      if (FORBIDDEN_KEYS.has(key))
        return AppError.invalidField(pathOf(frames, key), `property ${key} should not exist`);
      if (hasUnsafeText(key)) {
        const field = pathOf(frames, key);
        return AppError.invalidField(
          field,
          `property ${field} should not exist: names must not hold NUL or unpaired UTF-16 surrogates`,
        );
      }
    }
    const value =
      key !== null ? (frame.container as Record<string, unknown>)[key] : (frame.container as unknown[])[index];
    if (typeof value === 'string') {
      if (hasUnsafeText(value)) return unsafeTextProblem(pathOf(frames, key ?? String(index)) || 'body');
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (frames.length >= MAX_JSON_DEPTH) {
      return new AppError('INVALID_JSON', `Request nests deeper than ${MAX_JSON_DEPTH} levels`, {
        maxDepth: MAX_JSON_DEPTH,
      });
    }
    frames.push(frameOf(value as Record<string, unknown>, key ?? String(index)));
  }
  return null;
}

const hasBody = (req: FastifyRequest): boolean =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
const isJson = (req: FastifyRequest): boolean =>
  /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(req.headers['content-type'] ?? '');

/** A body that is not JSON (also Fastify's own 415, mapped by the exception filter). */
export const unsupportedMediaType = (contentType: string | null): AppError =>
  new AppError('UNSUPPORTED_MEDIA_TYPE', 'Request bodies must be JSON (Content-Type: application/json)', {
    contentType,
  });

/** The content encodings body-parser inflated on Express; any other one is refused with 415. */
const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

const unsupportedEncoding = (): AppError =>
  new AppError('UNSUPPORTED_MEDIA_TYPE', 'Request body must be JSON in UTF-8, without content encoding');

/** `charset` of a Content-Type, lower-cased, or null. */
const charsetOf = (contentType: string | undefined): string | null =>
  /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase() ?? null;

/**
 * A JSON body as body-parser's strict mode read it on Express: an object or an array (anything else is refused at
 * its first character), UTF-8 only, an empty body is `{}`; a parse error names the position, never the text.
 */
function parseJsonBody(req: FastifyRequest, text: string): unknown {
  const charset = charsetOf(req.headers['content-type']);
  if (charset !== null && !charset.startsWith('utf-')) throw unsupportedEncoding();
  if (text.length === 0) return {};
  const start = /\S/.exec(text)?.index ?? -1;
  if (start < 0 || (text[start] !== '{' && text[start] !== '[')) {
    throw new AppError('INVALID_JSON', `Request body is not valid JSON (at position ${Math.max(start, 0)})`, {
      position: Math.max(start, 0),
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const position = /position (\d+)/.exec(String((error as Error).message))?.[1];
    throw position !== undefined
      ? new AppError('INVALID_JSON', `Request body is not valid JSON (at position ${position})`, {
          position: Number(position),
        })
      : new AppError('INVALID_JSON', 'Request body is not valid JSON');
  }
}

const problems = new WeakMap<FastifyRequest, AppError>();

/**
 * The API speaks JSON only, in bodies of at most `bodyLimit` (the adapter's option): a body of any other type is
 * refused with 415 before anything reads it (Fastify would hand text/plain to a route as a string); a gzip, deflate
 * or br body is inflated (bodyLimit counts the inflated bytes), any other encoding refused. After the JSON parser, the body and the query string of every request pass findInputProblem;
 * the problem is raised by InputProblemInterceptor, inside the route's interceptors, so that a refused change is
 * audited like any other refused change (on GET and HEAD, which are not audited, by InputProblemGuard: route-enhancers.ts); nothing reads the body before it (and the audit interceptor's copy of it
 * is depth-limited).
 */
export function registerJsonInput(instance: FastifyInstance): void {
  instance.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
    if (!hasBody(req)) return done();
    if (!isJson(req)) return done(unsupportedMediaType(req.headers['content-type'] ?? null));
    const encoding = req.headers['content-encoding']?.toLowerCase();
    if (encoding !== undefined && encoding !== 'identity' && !Object.hasOwn(DECODERS, encoding))
      return done(unsupportedEncoding());
    done();
  });
  instance.addHook(
    'preParsing',
    (req: FastifyRequest, _reply: FastifyReply, payload: Readable, done: (error: null, payload: Readable) => void) => {
      const decoder = DECODERS[req.headers['content-encoding']?.toLowerCase() ?? 'identity'];
      if (!decoder) return done(null, payload);
      // Fastify compares Content-Length with the bytes received, which for a compressed body are the encoded ones.
      const decoded = Object.assign(payload.pipe(decoder()), { receivedEncodedLength: 0 });
      payload.on('data', (chunk: Buffer) => (decoded.receivedEncodedLength += chunk.length));
      payload.on('error', (error) => decoded.destroy(error));
      done(null, decoded);
    },
  );
  instance.removeAllContentTypeParsers();
  const parser = (req: FastifyRequest, body: string | Buffer, done: (error: Error | null, body?: unknown) => void) => {
    try {
      done(null, parseJsonBody(req, String(body)));
    } catch (error) {
      done(error as Error);
    }
  };
  instance.addContentTypeParser('application/json', { parseAs: 'string' }, parser);
  instance.addContentTypeParser(/^application\/[\w.+-]+\+json$/i, { parseAs: 'string' }, parser);
  instance.addHook('preValidation', (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    const problem = findInputProblem(req.body) ?? findInputProblem(req.query);
    if (problem) problems.set(req, problem);
    done();
  });
}

/** Whether a route reads a body at all (`@Body()`): a route that does not gets no validation of one either. */
function takesBody(context: ExecutionContext): boolean {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) ??
    {}) as Record<string, unknown>;
  return Object.keys(args).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
}

/**
 * Raises what registerJsonInput's check found, before any pipe (class-transformer) or handler sees the request; and
 * refuses fields sent to a route that takes no body, which would otherwise be dropped without a word (the
 * whitelist rule of every other body).
 */
@Injectable()
export class InputProblemInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const problem = problems.get(request);
    if (problem) return throwError(() => problem);
    const body: unknown = request.body;
    const fields = body !== null && typeof body === 'object' ? Object.keys(body) : [];
    if (fields.length > 0 && !takesBody(context)) {
      const refused = fields.slice(0, 10).map(safeText);
      return throwError(() =>
        AppError.validation(
          refused.map((field) => ({
            field,
            messages: [`property ${field} should not exist: this operation takes no body`],
          })),
        ),
      );
    }
    return next.handle();
  }
}

/** InputProblemInterceptor's check for GET and HEAD, whose query string is all the input (route-enhancers.ts). */
@Injectable()
export class InputProblemGuard implements CanActivate {
  canActivate(context: ExecutionContext): true {
    const problem = problems.get(context.switchToHttp().getRequest<FastifyRequest>());
    if (problem) throw problem;
    return true;
  }
}
