import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { ConfigError, getConfig, type AppConfig } from './config/app-config.js';
import { preflight } from './preflight.js';
import { createHttpAdapter } from './configure-http.js';
import { serviceComposition } from './service-composition.js';

function fail(message: string): never {
  process.stderr.write(`cache-service: ${message}\n`);
  process.exit(1);
}

/** Starts the service in its configured role (main.ts loads this module once the heap is tuned). */
async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = getConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const problems = await preflight(config);
  if (problems.length > 0) fail(problems.join(' '));

  // Only the modules of this role are loaded (service-composition.ts): a worker never loads the API's.
  const composition = await serviceComposition(config.role);
  // Bodies are parsed by the API's own JSON parser (common/input-guard.ts), never by Nest's defaults.
  const app = await NestFactory.create<NestFastifyApplication>(composition.module, createHttpAdapter(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  // JSON lines through pino at LOG_LEVEL, with the correlation id of the request or job (telemetry/request-logging.ts).
  app.useLogger(app.get(PinoNestLogger));
  composition.configure(app, config);
  await app.listen(config.port, config.host);

  const log = new Logger('Main');
  if (config.auth.jwtSecretEphemeral)
    log.warn('JWT_SECRET is not set: tokens are signed with a per-process secret and end at restart');
  log.log(`Cache Command Center listening on http://localhost:${config.port} (role ${config.role})`);
}

bootstrap().catch((error: unknown) => fail(`start-up failed: ${(error as Error)?.message ?? String(error)}`));
