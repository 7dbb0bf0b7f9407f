import { Module } from '@nestjs/common';
import { PeriodicTasks } from './periodic-tasks.js';

/**
 * Shared runtime plumbing for the feature modules.
 * Offers: PeriodicTasks (named periodic jobs, one runner per cluster through a Redis lease).
 * Needs: the global configuration and Redis client.
 */
@Module({
  providers: [PeriodicTasks],
  exports: [PeriodicTasks],
})
export class PlatformModule {}
