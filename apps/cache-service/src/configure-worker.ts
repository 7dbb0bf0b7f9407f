import type { NestExpressApplication } from '@nestjs/platform-express';
import { correlationIdMiddleware } from './common/correlation-id.js';
import { securityHeadersMiddleware } from './common/security-headers.js';
import type { AppConfig } from './config/app-config.js';
import { MetricsService } from './health/metrics.service.js';
import { CorrelationContext } from './telemetry/correlation-context.js';
import { requestLogMiddleware } from './telemetry/request-logging.js';

/**
 * The HTTP side of a worker (WorkerModule): health and metrics only, with the same correlation ids, request log,
 * request metrics and headers as the API roles (configure-app.ts), and nothing for routes a worker does not have
 * (no body parsing rules, validation, API prefix, OpenAPI document, dashboard or queue board).
 */
export function configureWorkerApp(app: NestExpressApplication, config: AppConfig): void {
  app.set('trust proxy', config.http.trustProxy);
  app.disable('x-powered-by');
  app.use(correlationIdMiddleware);
  app.use(requestLogMiddleware(config, app.get(CorrelationContext)));
  app.use(app.get(MetricsService).middleware);
  app.use(securityHeadersMiddleware());
  app.enableShutdownHooks();
}
