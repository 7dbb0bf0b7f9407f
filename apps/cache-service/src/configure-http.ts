import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { assignCorrelationId, CORRELATION_ID_FIELD } from './common/correlation-id.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { securityHeaders } from './common/security-headers.js';
import type { AppConfig } from './config/app-config.js';
import type { TrustProxySetting } from './config/security-rules.js';
import { MetricsService } from './health/metrics.service.js';
import { CorrelationContext } from './telemetry/correlation-context.js';
import { requestLogHooks, STARTED_AT_FIELD } from './telemetry/request-logging.js';

/** The largest request body the API reads (413 PAYLOAD_TOO_LARGE above it). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

const withSecurityHeaders = securityHeaders();
const frameworkErrorAnswers = new HttpExceptionFilter();

/** The headers every response carries, whatever answers it: the correlation id and the security headers. */
function baseHeaders(req: FastifyRequest, reply: FastifyReply): string {
  withSecurityHeaders(reply);
  return assignCorrelationId(req, reply);
}

/**
 * TRUST_PROXY as Express read it. A hop count trusts that many proxies nearest the service; Fastify would read a number
 * as trusting none (its own choice, since a hop count cannot tell a proxy from a client), so it gets Express's rule.
 */
const trustProxyOption = (
  setting: TrustProxySetting,
): boolean | string[] | ((address: string, hop: number) => boolean) =>
  typeof setting === 'number' ? (_address, hop) => hop < setting : setting;

/**
 * NestJS on Fastify for every role (main.ts, the tests). Only the configured proxies' X-Forwarded-For is believed; by
 * default none, so a client cannot choose its own address (its per-IP sign-in and credential limits would be
 * worthless). Paths match as they did on Express: a trailing slash and letter case do not matter, and a path
 * parameter is as long as the client sends it (validation answers a bad one).
 */
export function createHttpAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    trustProxy: trustProxyOption(config.http.trustProxy),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: false, maxParamLength: 8192 },
    // A path the router cannot decode is answered before any hook ran, and outside Nest's error handling: the
    // exception filter answers it here, with the same headers as every other response.
    frameworkErrors: (error: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      baseHeaders(req, reply);
      frameworkErrorAnswers.respond(error, req, reply);
    },
  });
}

/**
 * What every role's HTTP surface shares (configure-app.ts, configure-worker.ts): correlation ids, security headers,
 * the logging context, the request log line and the request metrics. The first hook of every request, before CORS
 * and everything else, so that every answer, refusals included, carries them.
 */
export function configureHttp(app: NestFastifyApplication, config: AppConfig): void {
  const instance = app.getHttpAdapter().getInstance();
  instance.decorateRequest(CORRELATION_ID_FIELD, '');
  instance.decorateRequest(STARTED_AT_FIELD, 0);
  const context = app.get(CorrelationContext);
  (app.getHttpAdapter() as FastifyAdapter).setOnRequestHook(
    (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      (req as FastifyRequest & { [STARTED_AT_FIELD]: number })[STARTED_AT_FIELD] = performance.now();
      context.run(baseHeaders(req, reply), done);
    },
  );
  const log = requestLogHooks(config);
  const metrics = app.get(MetricsService);
  instance.addHook('onResponse', log.onResponse);
  instance.addHook('onResponse', metrics.onResponse);
  instance.addHook('onRequestAbort', log.onRequestAbort);
  app.enableShutdownHooks();
}
