import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig, ServiceRole } from './config/app-config.js';

/** The root module of a role and how its HTTP surface is set up. */
export interface ServiceComposition {
  module: Type;
  configure(app: NestFastifyApplication, config: AppConfig): void;
}

/**
 * Loads only what the role runs (main.ts and the tests start the service through it): role worker gets
 * WorkerModule, the others AppModule. Imported on demand, so that a worker never loads the API's modules — their
 * controllers, DTOs, @nestjs/swagger and bull-board stay on disk.
 */
export async function serviceComposition(role: ServiceRole): Promise<ServiceComposition> {
  if (role === 'worker') {
    const [{ WorkerModule }, { configureWorkerApp }] = await Promise.all([
      import('./worker.module.js'),
      import('./configure-worker.js'),
    ]);
    return { module: WorkerModule, configure: configureWorkerApp };
  }
  const [{ AppModule }, { configureApp }] = await Promise.all([
    import('./app.module.js'),
    import('./configure-app.js'),
  ]);
  return { module: AppModule, configure: configureApp };
}
