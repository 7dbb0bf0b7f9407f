import { Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock.js';
import { PeriodicTasks } from './periodic-tasks.js';

/**
 * Shared runtime plumbing for the feature modules.
 * Offers: PeriodicTasks (named periodic jobs, one runner per cluster through a Redis lease), Clock (the time and
 * timers time-dependent services read; tests replace it).
 * Needs: the global configuration and Redis client.
 */
@Module({
  providers: [PeriodicTasks, { provide: Clock, useClass: SystemClock }],
  exports: [PeriodicTasks, Clock],
})
export class PlatformModule {}
