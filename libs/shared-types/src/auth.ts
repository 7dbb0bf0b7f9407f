/** Permissions checked by the service. The first three come from the seed; users:manage:all guards user and API-key administration. */
export const PERMISSIONS = ['settings:read:all', 'settings:write:all', 'analytics:read', 'users:manage:all'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What an API key may hold: user and key administration is for signed-in users only. */
export const API_KEY_PERMISSIONS = [
  'settings:read:all',
  'settings:write:all',
  'analytics:read',
] as const satisfies readonly Permission[];

export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  operator: ['settings:read:all', 'settings:write:all', 'analytics:read'],
  viewer: ['settings:read:all', 'analytics:read'],
};

export interface UserSummary {
  id: string;
  email: string;
  displayName: string | null;
  role: Role;
  permissions: Permission[];
  isActive: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface LoginRequest {
  email: string;
  password: string;
}

export interface LoginResponse {
  accessToken: string;
  tokenType: 'Bearer';
  /** Seconds until the token expires. */
  expiresIn: number;
  user: UserSummary;
}

/** Who the current credential belongs to. */
export interface Principal {
  kind: 'user' | 'api_key';
  id: string;
  name: string;
  role: Role | null;
  permissions: Permission[];
  /**
   * True for a user of the identity provider (a JWKS-verified token): not an account of this service, so nothing is
   * attributed to it in created_by columns and its sessions end at the provider. Its `id` is derived from issuer and subject.
   */
  external?: boolean;
}

export interface CreateUserRequest {
  email: string;
  password: string;
  role: Role;
  displayName?: string;
}

export interface UpdateUserRequest {
  role?: Role;
  displayName?: string;
  isActive?: boolean;
}

export interface ResetPasswordRequest {
  password: string;
}

/** The signed-in user changes their own password; the answer is a fresh sign-in (earlier tokens stop working). */
export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

export interface ApiKeySummary {
  id: string;
  name: string;
  /** First characters of the key, enough to recognise it; the rest is never stored. */
  prefix: string;
  permissions: Permission[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface CreateApiKeyRequest {
  name: string;
  permissions: Permission[];
  expiresAt?: string;
}

/** Returned once, when the key is created: `key` is never shown again. */
export interface CreatedApiKey extends ApiKeySummary {
  key: string;
}
