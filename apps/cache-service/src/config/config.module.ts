import { Global, Module } from '@nestjs/common';
import { getConfig, type AppConfig } from './app-config.js';

/** Injection token for the validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({
  providers: [{ provide: APP_CONFIG, useFactory: (): AppConfig => getConfig() }],
  exports: [APP_CONFIG],
})
export class ConfigModule {}
