import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import { bearerTokenOf } from './access/auth.decorators.js';
import { AuthService } from './auth/auth.service.js';
import { documentGlobalBehaviour, ErrorResponseDto } from './common/api-errors.js';
import { completeSchemas } from './common/openapi-json-schemas.js';
import { correlationIdMiddleware } from './common/correlation-id.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { inputGuardMiddleware, jsonOnlyMiddleware } from './common/input-guard.js';
import { securityHeadersMiddleware } from './common/security-headers.js';
import { createValidationPipe } from './common/validation.js';
import type { AppConfig } from './config/app-config.js';
import { MetricsService } from './health/metrics.service.js';
import { QUEUE_BOARD_PATH, queueBoardGuard } from './observability/queue-board.js';
import { CorrelationContext } from './telemetry/correlation-context.js';
import { requestLogMiddleware } from './telemetry/request-logging.js';

const NON_SPA_PREFIXES = ['/api', '/health', '/metrics', QUEUE_BOARD_PATH];

export function buildOpenApiDocument(app: NestExpressApplication): OpenAPIObject {
  const options = new DocumentBuilder()
    .setTitle('Cache Command Center')
    .setDescription(
      'Analytics cache in Redis: datasources, warming, statistics and administration. ' +
        'Sign in with POST /api/auth/login and use the token as a Bearer credential, or send an API key in X-API-Key.',
    )
    .setVersion('0.1.0')
    // Relative: the document is served by the service it describes, behind whatever host and scheme it has.
    .addServer('/')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
    .build();
  // No open-source licence: the package is private (package.json "private": true), so a name without a URL
  // (DocumentBuilder.setLicense would write an empty one).
  options.info.license = { name: 'Proprietary' };
  return completeSchemas(
    documentGlobalBehaviour(SwaggerModule.createDocument(app, options, { extraModels: [ErrorResponseDto] })),
  );
}

/**
 * Everything about the HTTP surface of roles all and api that both main.ts and the tests need, in one place (role
 * worker: configure-worker.ts).
 */
export function configureApp(app: NestExpressApplication, config: AppConfig): void {
  // Only the configured proxies' X-Forwarded-For is believed; by default none, so a client cannot choose its own address
  // (its per-IP sign-in and credential limits would be worthless).
  app.set('trust proxy', config.http.trustProxy);
  app.disable('x-powered-by');
  app.use(correlationIdMiddleware);
  app.use(requestLogMiddleware(config, app.get(CorrelationContext)));
  app.use(app.get(MetricsService).middleware);
  app.use(securityHeadersMiddleware());
  // Without configured origins no CORS header is ever sent (the cors middleware would only pass each request on).
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      credentials: false,
      exposedHeaders: ['x-correlation-id', 'retry-after'],
    });
  }
  // After correlation ids, metrics, headers and CORS, so that refusals carry them too; before any route.
  app.use(jsonOnlyMiddleware);
  app.useBodyParser('json', { limit: '1mb', type: ['application/json', 'application/*+json'] });
  app.use(inputGuardMiddleware);
  app.setGlobalPrefix('api', {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
      // bull-board (its module mounts it; the guard comes first)
      { path: `${QUEUE_BOARD_PATH.slice(1)}{/*path}`, method: RequestMethod.ALL },
    ],
  });
  app.use(QUEUE_BOARD_PATH, queueBoardGuard(app.get(AuthService)));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  if (config.http.apiDocs !== 'off') {
    if (config.http.apiDocs === 'authenticated') app.use(API_DOCS_PATHS, apiDocsGuard(app.get(AuthService)));
    const document = buildOpenApiDocument(app);
    SwaggerModule.setup('api/docs', app, document, {
      jsonDocumentUrl: 'api/docs-json',
      customSiteTitle: 'Cache Command Center API',
    });
  }

  serveDashboard(app, config.dashboardDir);
}

// Swagger UI embeds the document in its init script, so the UI's paths are guarded as well as the JSON and YAML.
const API_DOCS_PATHS = ['/api/docs', '/api/docs-json', '/api/docs-yaml'];

/** API_DOCS=authenticated: the API description only for callers with a valid credential (Bearer or X-API-Key). */
function apiDocsGuard(auth: AuthService): (req: Request, res: Response, next: NextFunction) => void {
  const filter = new HttpExceptionFilter();
  return (req, res, next) => {
    auth
      .authenticate(
        { bearer: bearerTokenOf(req.header('authorization')), apiKey: req.header('x-api-key') },
        () => req.ip ?? null,
      )
      .then(
        () => next(),
        (error: unknown) => filter.respond(error, req, res),
      );
  };
}

/** The built dashboard at `/`, with client-side routes falling back to index.html. */
function serveDashboard(app: NestExpressApplication, dashboardDir: string | null): void {
  if (!dashboardDir || !existsSync(join(dashboardDir, 'index.html'))) return;
  const isApi = (path: string): boolean =>
    NON_SPA_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
  // Only for dashboard paths: on the API's hot path a static lookup would cost a filesystem stat per request.
  const assets = express.static(dashboardDir, { index: false, maxAge: '1h', setHeaders: noCacheForIndex });
  app.use((req: Request, res: Response, next: NextFunction) => (isApi(req.path) ? next() : assets(req, res, next)));
  const indexHtml = join(dashboardDir, 'index.html');
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApi(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexHtml);
  });
}

function noCacheForIndex(res: Response, path: string): void {
  if (path.endsWith('index.html')) res.setHeader('Cache-Control', 'no-cache');
}
