import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Permission, Principal } from '@ccc/shared-types';
import type { FastifyRequest } from 'fastify';
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

/** What the guard reads of a request, the same on every HTTP platform. */

/** What a route's decorators say about who may call it. */
interface RouteAccess {
  isPublic: boolean;
  userCredentialOnly: boolean;
  required: Permission[];
}

/** Global: every route needs a valid credential and the permissions it declares, unless @Public. */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Per route handler, read from its decorators once: decorators do not change at run time. */
  private readonly routes = new WeakMap<object, RouteAccess>();

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  private accessOf(context: ExecutionContext): RouteAccess {
    const handler = context.getHandler();
    let access = this.routes.get(handler);
    if (!access) {
      const targets = [handler, context.getClass()];
      access = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
        userCredentialOnly: this.reflector.getAllAndOverride<boolean>(USER_CREDENTIAL_ONLY, targets) === true,
        required: this.reflector.getAllAndOverride<Permission[]>(REQUIRED_PERMISSIONS, targets) ?? [],
      };
      this.routes.set(handler, access);
    }
    return access;
  }

  /**
   * Synchronous for a credential this process knows (AuthService.knownPrincipal): the guard of every request then
   * costs no promise and no turn of the event loop; anything else goes through authenticate.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const access = this.accessOf(context);
    if (access.isPublic) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    const { authorization, 'x-api-key': apiKey } = request.headers;
    const credentials = {
      bearer: bearerTokenOf(authorization),
      apiKey: typeof apiKey === 'string' ? apiKey : undefined,
    };
    const known = this.auth.knownPrincipal(credentials);
    if (known) return this.admit(request, access, known);
    // The client's address (X-Forwarded-For through the trusted proxies) is worked out only when a credential is
    // refused or looked up: a known one, every request of a busy service, does not need it.
    return this.auth
      .authenticate(credentials, () => request.ip ?? null)
      .then((principal) => this.admit(request, access, principal));
  }

  /** The principal on the request, if the route lets it in (403 otherwise). */
  private admit(request: AuthenticatedRequest, access: RouteAccess, principal: Principal): true {
    request.principal = principal;
    if (principal.kind === 'api_key' && access.userCredentialOnly) {
      throw AppError.forbidden('API keys cannot manage users or API keys: sign in as a user', {
        reason: ForbiddenReason.apiKeyNotAllowed,
      });
    }
    for (const permission of access.required) {
      if (!principal.permissions.includes(permission)) {
        const missing = access.required.filter((p) => !principal.permissions.includes(p));
        throw AppError.forbidden(`Missing permission: ${missing.join(', ')}`);
      }
    }
    return true;
  }
}
