import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AlertNotifier } from './alerts/alert-notifier.js';
import { ThresholdsService } from './alerts/thresholds.service.js';
import type { AppConfig } from './config/app-config.js';
import { APP_CONFIG } from './config/config.module.js';
import { runMigrations } from './database/migrate.js';
import { DemoSeedService } from './demo/demo-seed.service.js';
import { DemoTrafficService } from './demo/demo-traffic.service.js';
import { PeriodicTasks } from './platform/periodic-tasks.js';
import { UsersService } from './users/users.service.js';
import { WarmingProcessor } from './warming/warming.processor.js';
import { WarmingService } from './warming/warming.service.js';

/** Brings the database to the current schema, creates the first admin and demo data, then starts schedules and workers. */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly users: UsersService,
    private readonly demo: DemoSeedService,
    private readonly demoTraffic: DemoTrafficService,
    private readonly warming: WarmingService,
    private readonly processor: WarmingProcessor,
    private readonly periodic: PeriodicTasks,
    private readonly thresholds: ThresholdsService,
    private readonly alertNotifier: AlertNotifier,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const applied = await runMigrations(this.db);
    if (applied.length > 0) this.logger.log(`Applied migrations: ${applied.join(', ')}`);
    const defaults = await this.thresholds.ensureDefaults();
    if (defaults > 0) this.logger.log(`Created ${defaults} default alert thresholds`);
    if (this.config.admin) await this.users.ensureAdmin(this.config.admin.email, this.config.admin.password);
    else if (this.config.env === 'production' && !(await this.users.hasActiveAdmin())) {
      // Nobody could ever manage users or keys: say so instead of starting a service no one can administer.
      throw new Error(
        'no active admin exists: set ADMIN_EMAIL and ADMIN_PASSWORD for this start (the first admin is created once), ' +
          'or run `node apps/cache-service/dist/cli.js create-admin <email> <password>`',
      );
    }
    if (this.config.demo.seed) {
      const result = await this.demo.seed(this.config.demo.scale);
      this.logger.log(
        `Demo datasources ready: ${result.datasources.map((d) => `${d.name} (${d.rows} rows)`).join(', ')}`,
      );
      const withHistory = await this.demoTraffic.seedHistory();
      if (withHistory > 0)
        this.logger.log(`Demo query traffic of the last 7 days written for ${withHistory} datasources`);
    }
    // Rows pulled from a table outside SOURCE_SCHEMAS before this start (an older version, a narrower list) go now.
    await this.warming.purgeRefusedSources();
    await this.warming.syncAllSchedules();
    this.processor.start();
    this.alertNotifier.start();
    this.periodic.start();
  }
}
