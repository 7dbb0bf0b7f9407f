import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from './config/app-config.js';
import { configureHttp } from './configure-http.js';

/**
 * The HTTP side of a worker (WorkerModule): health and metrics only, with the same correlation ids, request log,
 * request metrics and headers as the API roles (configure-http.ts), and nothing for routes a worker does not have
 * (no body parsing rules, validation, API prefix, OpenAPI document, dashboard or queue board).
 */
export function configureWorkerApp(app: NestFastifyApplication, config: AppConfig): void {
  configureHttp(app, config);
}
