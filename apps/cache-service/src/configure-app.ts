import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import { RequestMethod } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearerTokenOf } from './access/auth.decorators.js';
import { AuthService } from './auth/auth.service.js';
import { documentGlobalBehaviour, ErrorResponseDto } from './common/api-errors.js';
import { completeSchemas } from './common/openapi-json-schemas.js';
import { CATCH_ALL_ROUTE, isUnder, pathForMatching } from './common/request-path.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { registerJsonInput } from './common/input-guard.js';
import { createValidationPipe } from './common/validation.js';
import type { AppConfig } from './config/app-config.js';
import { configureHttp } from './configure-http.js';
import { QUEUE_BOARD_PATH, queueBoardGuard } from './observability/queue-board.js';
import { fitRouteEnhancers } from './route-enhancers.js';

const NON_SPA_PREFIXES = ['/api', '/health', '/metrics', QUEUE_BOARD_PATH];

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
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
export function configureApp(app: NestFastifyApplication, config: AppConfig): void {
  configureHttp(app, config);
  const instance = app.getHttpAdapter().getInstance();
  // Without configured origins no CORS header is ever sent (the cors plugin would only pass each request on).
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins,
      credentials: false,
      exposedHeaders: ['x-correlation-id', 'retry-after'],
      // What the cors middleware allowed on Express, and a preflight answered whatever it lacks.
      methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'],
      strictPreflight: false,
    });
  }
  // After correlation ids, metrics, headers and CORS, so that refusals carry them too; before any route.
  registerJsonInput(instance);
  app.setGlobalPrefix('api', {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
      // bull-board (its module mounts it; the guard comes first)
      { path: `${QUEUE_BOARD_PATH.slice(1)}{/*path}`, method: RequestMethod.ALL },
    ],
  });
  instance.addHook('onRequest', queueBoardGuard(app.get(AuthService)));
  app.useGlobalPipes(createValidationPipe());
  fitRouteEnhancers(app);

  if (config.http.apiDocs !== 'off') {
    if (config.http.apiDocs === 'authenticated') instance.addHook('onRequest', apiDocsGuard(app.get(AuthService)));
    const document = buildOpenApiDocument(app);
    SwaggerModule.setup('api/docs', app, document, {
      jsonDocumentUrl: 'api/docs-json',
      customSiteTitle: 'Cache Command Center API',
    });
  }

  serveDashboard(instance, config.dashboardDir);
}

type Hook = (req: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void;

// Swagger UI embeds the document in its init script, so the UI's paths are guarded as well as the JSON and YAML.
const API_DOCS_PATHS = ['/api/docs', '/api/docs-json', '/api/docs-yaml'];

/** API_DOCS=authenticated: the API description only for callers with a valid credential (Bearer or X-API-Key). */
function apiDocsGuard(auth: AuthService): Hook {
  const filter = new HttpExceptionFilter();
  return (req, reply, done) => {
    const path = pathForMatching(req);
    if (!API_DOCS_PATHS.some((prefix) => isUnder(path, prefix))) return done();
    const apiKey = req.headers['x-api-key'];
    auth
      .authenticate(
        { bearer: bearerTokenOf(req.headers.authorization), apiKey: typeof apiKey === 'string' ? apiKey : undefined },
        () => req.ip ?? null,
      )
      .then(
        () => done(),
        (error: unknown) => filter.respond(error, req, reply),
      );
  };
}

/** Every file below `dir` as the URL path that serves it (`/assets/index-1a2b.js`), dotfiles left out. */
function filesBelow(dir: string): Set<string> {
  const files = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep);
    if (entry.isFile() && !path.some((part) => part.startsWith('.'))) files.add(`/${path.join('/')}`);
  }
  return files;
}

/**
 * The built dashboard at `/`, with client-side routes falling back to index.html. One catch-all GET route behind
 * every route of the service, so the API's hot path never looks at the filesystem; it never answers for the API's
 * prefixes (their unknown paths stay the API's 404). The files are listed once at start-up: a new build is served
 * after a restart.
 */
function serveDashboard(instance: FastifyInstance, dashboardDir: string | null): void {
  if (!dashboardDir || !existsSync(join(dashboardDir, 'index.html'))) return;
  const files = filesBelow(dashboardDir);
  const isApi = (path: string): boolean => NON_SPA_PREFIXES.some((prefix) => isUnder(path.toLowerCase(), prefix));
  void instance.register(async (dashboard) => {
    await dashboard.register(fastifyStatic, { root: dashboardDir, serve: false, index: false, maxAge: '1h' });
    dashboard.get(CATCH_ALL_ROUTE, (req, reply) => {
      const path = req.url.split('?', 1)[0];
      if (isApi(path)) return reply.callNotFound();
      let file: string;
      try {
        file = decodeURIComponent(path);
      } catch {
        file = path;
      }
      if (!files.has(file)) file = '/index.html';
      // index.html names the current build's assets: always revalidated. The assets' names change with their content.
      if (!file.endsWith('index.html')) return reply.sendFile(file.slice(1));
      return reply.header('Cache-Control', 'no-cache').sendFile(file.slice(1), { cacheControl: false });
    });
  });
}
