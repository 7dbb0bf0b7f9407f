import type { DynamicModule } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LoggerModule } from 'nestjs-pino';
import { pino, stdTimeFunctions, type Logger as Pino } from 'pino';
import type { AuthenticatedRequest } from '../access/auth.decorators.js';
import { correlationIdOf } from '../common/correlation-id.js';
import { currentCorrelationId } from './correlation-context.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { routeLabelOf } from './route-label.js';

/** LOG_LEVEL (Nest's names, as before) → pino's: `log` is info, `verbose` is trace. */
const PINO_LEVELS: Record<AppConfig['logLevel'], string> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};
export const pinoLevelOf = (logLevel: AppConfig['logLevel']): string => PINO_LEVELS[logLevel];

let root: Pino | null = null;

/**
 * The process's one pino logger: JSON lines on stdout with `level` as a word and an ISO `time`. Nest's own logs
 * (main.ts makes nestjs-pino the application logger), the request lines below and the worker's lines all go
 * through it. One per process, like nestjs-pino's own root: the first configuration's level holds.
 *
 * Lines carry the `correlationId` of the request or job that caused them (the mixin reads it when a line is written).
 * Written asynchronously: stdout takes whatever lines have gathered in one write, instead of one blocking write per
 * line (each request writes one); pino writes what is left synchronously when the process exits, however it exits
 * short of SIGKILL.
 */
export function rootLogger(config: AppConfig): Pino {
  root ??= pino(
    {
      level: pinoLevelOf(config.logLevel),
      formatters: { level: (label) => ({ level: label }) },
      timestamp: stdTimeFunctions.isoTime,
      base: { pid: process.pid },
      mixin: () => {
        const correlationId = currentCorrelationId();
        return correlationId === undefined ? {} : { correlationId };
      },
    },
    pino.destination({ dest: 1, sync: false }),
  );
  return root;
}

/**
 * nestjs-pino as the application logger (main.ts) and the async logging context. Its pino-http middleware is not
 * mounted: for every request it built two child loggers and serialised the whole request into one of them (6 %
 * of the query route's CPU), for request and response lines that are off here anyway. requestLogMiddleware binds the
 * request's context instead (a child carrying `correlationId`), and writes the one request line.
 */
export function loggingModule(): DynamicModule {
  return LoggerModule.forRootAsync({
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => ({
      pinoHttp: { logger: rootLogger(config), autoLogging: false },
      forRoutes: [],
    }),
  });
}

/** Who made the request, as a log field: `user:<id>`, `api_key:<id>`, or null (no or a refused credential). */
const principalOf = (req: FastifyRequest): string | null => {
  const principal = (req as FastifyRequest & AuthenticatedRequest).principal;
  return principal ? `${principal.kind}:${principal.id}` : null;
};

/** When the request arrived (performance.now()), for the line of a request whose client went away before its answer. */
export const STARTED_AT_FIELD = 'startedAt';

type Hook = (req: FastifyRequest, reply: FastifyReply, done: () => void) => void;

/**
 * One JSON line per request when its response is sent (onResponse) or the client went away first (onRequestAbort,
 * status 499): correlation id, principal, method, route template (never the raw path: no ids or query values),
 * status and duration. 5xx are errors, the rest info. Refusals of the input guards are logged too. Whatever the
 * request causes logs with its `correlationId` (the logging context: configure-http.ts runs the request in it).
 */
export function requestLogHooks(config: AppConfig): {
  onResponse: Hook;
  onRequestAbort: (req: FastifyRequest, done: () => void) => void;
} {
  const log = rootLogger(config);
  // A request whose client went away is logged then, and not again if its answer is written after all.
  const abandoned = new WeakSet<FastifyRequest>();
  const write = (req: FastifyRequest, status: number, durationMs: number): void => {
    const line = {
      correlationId: correlationIdOf(req),
      principal: principalOf(req),
      method: req.method,
      route: routeLabelOf(req),
      status,
      durationMs: Math.round(durationMs * 100) / 100,
    };
    if (status >= 500) log.error(line, 'request');
    else log.info(line, 'request');
  };
  return {
    onResponse: (req, reply, done) => {
      if (!abandoned.has(req)) write(req, reply.statusCode, reply.elapsedTime);
      done();
    },
    onRequestAbort: (req, done) => {
      if (abandoned.has(req)) return done();
      abandoned.add(req);
      write(req, 499, performance.now() - (req as FastifyRequest & { [STARTED_AT_FIELD]: number })[STARTED_AT_FIELD]);
      done();
    },
  };
}
