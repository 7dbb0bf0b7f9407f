import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Permission, Principal } from '@ccc/shared-types';

export const IS_PUBLIC = 'ccc:isPublic';
export const REQUIRED_PERMISSIONS = 'ccc:requiredPermissions';
export const USER_CREDENTIAL_ONLY = 'ccc:userCredentialOnly';

/** Reachable without a credential (login, health, metrics). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The caller needs every listed permission. */
export const RequirePermissions = (...permissions: Permission[]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_PERMISSIONS, permissions);

/** Only a signed-in user may call it (user and key administration): an API key gets 403 whatever it holds. */
export const UserCredentialOnly = (): MethodDecorator & ClassDecorator => SetMetadata(USER_CREDENTIAL_ONLY, true);

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export const bearerTokenOf = (authorization: string | undefined): string | undefined =>
  authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];

export interface AuthenticatedRequest {
  principal?: Principal;
}

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
