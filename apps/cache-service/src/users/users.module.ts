import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { AppUserEntity } from './app-user.entity.js';
import { PasswordHasher } from './password.js';
import { UsersService } from './users.service.js';

/**
 * User accounts: the only owner of the app_users table.
 * Offers: UsersService (accounts, roles, sign-in bookkeeping), PasswordHasher (scrypt, with a concurrency cap).
 * Needs: the global configuration. Routes: /api/admin/users.
 */
@Module({
  imports: [TypeOrmModule.forFeature([AppUserEntity])],
  providers: [
    UsersService,
    {
      provide: PasswordHasher,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new PasswordHasher(config.auth.scryptCost, {
          concurrency: config.auth.hashConcurrency,
          maxWaiting: config.auth.hashMaxWaiting,
        }),
    },
  ],
  exports: [UsersService, PasswordHasher],
})
export class UsersModule {}
