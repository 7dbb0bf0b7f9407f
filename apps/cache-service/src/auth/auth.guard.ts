import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Permission } from '@ccc/shared-types';
import type { Request } from 'express';
import { AppError } from '../common/app-error.js';
import {
  bearerTokenOf,
  IS_PUBLIC,
  REQUIRED_PERMISSIONS,
  USER_CREDENTIAL_ONLY,
  type AuthenticatedRequest,
} from '../access/auth.decorators.js';
import { AuthService } from './auth.service.js';
import { ForbiddenReason } from '../access/privileges.js';

/** Global: every route needs a valid credential and the permissions it declares, unless @Public. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const credentials = { bearer: bearerTokenOf(request.header('authorization')), apiKey: request.header('x-api-key') };
    const principal = await this.auth.authenticate(credentials, request.ip ?? null);
    request.principal = principal;

    if (principal.kind === 'api_key' && this.reflector.getAllAndOverride<boolean>(USER_CREDENTIAL_ONLY, targets)) {
      throw AppError.forbidden('API keys cannot manage users or API keys: sign in as a user', {
        reason: ForbiddenReason.apiKeyNotAllowed,
      });
    }
    const required = this.reflector.getAllAndOverride<Permission[]>(REQUIRED_PERMISSIONS, targets) ?? [];
    const missing = required.filter((permission) => !principal.permissions.includes(permission));
    if (missing.length > 0) throw AppError.forbidden(`Missing permission: ${missing.join(', ')}`);
    return true;
  }
}
