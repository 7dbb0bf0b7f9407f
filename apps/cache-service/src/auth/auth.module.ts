import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { UsersModule } from '../users/users.module.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { SignInThrottle } from './sign-in-throttle.js';
import { TokenService } from './token.service.js';

/**
 * Sign-in, tokens and API keys: the only owner of the api_keys table.
 * Offers: AuthService (who a bearer token or key is; AppModule's global AuthGuard asks it on every request).
 * Needs: UsersModule (accounts and passwords), AuditModule (sign-in events), the global Redis client (throttle).
 * Routes: /api/auth/*, /api/admin/api-keys.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity]), UsersModule, AuditModule],
  controllers: [AuthController, ApiKeysController],
  providers: [AuthService, TokenService, SignInThrottle, ApiKeysService],
  exports: [AuthService],
})
export class AuthModule {}
