import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  ROLE_PERMISSIONS,
  type CreateUserRequest,
  type Principal,
  type UpdateUserRequest,
  type UserSummary,
} from '@ccc/shared-types';
import { Not, type EntityManager, type Repository } from 'typeorm';
import { AppError } from '../common/app-error.js';
import { PasswordHasher } from './password.js';
import { assertMayGrantRole, assertMayManageRole, assertUserCredential, ConflictReason } from '../access/privileges.js';
import { AppUserEntity } from './app-user.entity.js';

// Serialises changes that could leave no active admin (two admins demoting each other at once).
const ADMIN_CHANGE_LOCK_ID = 0x0ccc_0002;

export function toUserSummary(user: AppUserEntity): UserSummary {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    permissions: [...ROLE_PERMISSIONS[user.role]],
    isActive: user.isActive,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}

/** Called after a user's earlier tokens were revoked or their account changed, so caches forget them at once. */
export type AccountChangeListener = (userId: string) => void;

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);
  private readonly listeners: AccountChangeListener[] = [];

  constructor(
    @InjectRepository(AppUserEntity) private readonly users: Repository<AppUserEntity>,
    private readonly hasher: PasswordHasher,
  ) {}

  onAccountChange(listener: AccountChangeListener): void {
    this.listeners.push(listener);
  }

  async list(): Promise<UserSummary[]> {
    const rows = await this.users.find({ where: { isSystem: false }, order: { createdAt: 'ASC' } });
    return rows.map(toUserSummary);
  }

  async get(id: string): Promise<UserSummary> {
    return toUserSummary(await this.getEntity(this.users.manager, id));
  }

  /** `actor` absent only for the service itself (first admin, CLI, tests). */
  async create(request: CreateUserRequest, actor?: Principal): Promise<UserSummary> {
    if (actor) {
      assertUserCredential(actor);
      assertMayGrantRole(actor, request.role);
    }
    const email = request.email.toLowerCase();
    if (await this.users.exists({ where: { email } })) {
      throw AppError.conflict(`A user with email ${email} already exists`, { field: 'email' });
    }
    const user = await this.users.save(
      this.users.create({
        email,
        displayName: request.displayName ?? null,
        role: request.role,
        passwordHash: await this.hasher.hash(request.password),
      }),
    );
    return toUserSummary(user);
  }

  /** Role and status changes end the user's earlier tokens; the last active admin cannot be demoted or disabled. */
  async update(id: string, request: UpdateUserRequest, actor: Principal): Promise<UserSummary> {
    assertUserCredential(actor);
    if (request.role !== undefined) assertMayGrantRole(actor, request.role);
    let revoked = false;
    const saved = await this.users.manager.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [ADMIN_CHANGE_LOCK_ID]);
      const user = await this.getEntity(manager, id);
      assertMayManageRole(actor, user.role);
      const demoted = request.role !== undefined && request.role !== 'admin';
      const disabled = request.isActive === false;
      if (actor.id === id && (demoted || disabled)) {
        throw AppError.conflict('You cannot disable or demote your own account', { reason: ConflictReason.ownAccount });
      }
      if (user.role === 'admin' && user.isActive && (demoted || disabled)) {
        const otherAdmins = await manager.count(AppUserEntity, {
          where: { role: 'admin', isActive: true, isSystem: false, id: Not(id) },
        });
        if (otherAdmins === 0) {
          throw AppError.conflict('This is the last active admin: make another user admin first', {
            reason: ConflictReason.lastAdmin,
          });
        }
      }
      revoked =
        (request.role !== undefined && request.role !== user.role) ||
        (request.isActive !== undefined && request.isActive !== user.isActive);
      // Only the columns this request changes: saving the entity read above would write back its password hash and
      // token version too, undoing a password change or a logout that happened in between.
      const changes: Partial<AppUserEntity> = { updatedAt: new Date() };
      if (request.role !== undefined) changes.role = request.role;
      if (request.displayName !== undefined) changes.displayName = request.displayName;
      if (request.isActive !== undefined) changes.isActive = request.isActive;
      await manager.update(AppUserEntity, { id }, changes);
      // An increment in SQL, so a concurrent logout's increment is not overwritten.
      if (revoked) await manager.increment(AppUserEntity, { id }, 'tokenVersion', 1);
      return this.getEntity(manager, id);
    });
    this.notify(id);
    if (revoked) this.logger.log(`Tokens of user ${id} revoked (role or status changed)`);
    return toUserSummary(saved);
  }

  /** An administrator sets a new password: every earlier token of the account stops working. */
  async resetPassword(id: string, password: string, actor: Principal): Promise<void> {
    assertUserCredential(actor);
    assertMayManageRole(actor, (await this.getEntity(this.users.manager, id)).role);
    // Hashed outside the lock (slow); then, under the lock role changes take, the role is checked again and the
    // password set in one step: a concurrent promotion cannot slip between the check and the reset.
    const passwordHash = await this.hasher.hash(password);
    await this.users.manager.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [ADMIN_CHANGE_LOCK_ID]);
      assertMayManageRole(actor, (await this.getEntity(manager, id)).role);
      await this.storePassword(manager, id, passwordHash);
    });
    this.notify(id);
  }

  /**
   * The signed-in user changes their own password; returns the account for a fresh token, or null when
   * `currentPassword` is wrong (the caller counts that like a failed sign-in).
   */
  async changeOwnPassword(
    id: string,
    currentPassword: string,
    newPassword: string,
    signal?: AbortSignal,
  ): Promise<AppUserEntity | null> {
    const user = await this.users.findOne({ where: { id, isActive: true, isSystem: false } });
    if (!user) throw AppError.unauthenticated('The account is not active');
    if (!(await this.hasher.verify(currentPassword, user.passwordHash, signal)).valid) return null;
    return this.setPassword(user, newPassword);
  }

  /** Ends every token issued to the user so far (logout). */
  async revokeTokens(id: string): Promise<void> {
    await this.users.increment({ id, isSystem: false }, 'tokenVersion', 1);
    this.notify(id);
  }

  /** The active user with these credentials, or null (same answer for unknown email and wrong password). */
  async verifyCredentials(email: string, password: string, signal?: AbortSignal): Promise<AppUserEntity | null> {
    const user = await this.users.findOne({ where: { email: email.toLowerCase(), isSystem: false } });
    const check = await this.hasher.verify(password, user?.passwordHash ?? null, signal);
    if (!check.valid || !user?.isActive) return null;
    if (check.needsRehash) {
      // The password is at hand only now: bring an older hash up to today's cost.
      const upgraded = await this.hasher.hash(password);
      await this.users.update({ id: user.id, passwordHash: user.passwordHash! }, { passwordHash: upgraded });
      this.logger.log(`Password hash of user ${user.id} upgraded to scrypt N=2^${this.hasher.cost}`);
    }
    return user;
  }

  async recordLogin(id: string): Promise<void> {
    await this.users.update({ id }, { lastLoginAt: new Date() });
  }

  async findActive(id: string): Promise<AppUserEntity | null> {
    return this.users.findOne({ where: { id, isActive: true, isSystem: false } });
  }

  async hasActiveAdmin(): Promise<boolean> {
    return this.users.exists({ where: { role: 'admin', isActive: true, isSystem: false } });
  }

  /** Creates the configured first admin once; an existing account is left as it is. */
  async ensureAdmin(email: string, password: string): Promise<void> {
    if (await this.users.exists({ where: { email } })) return;
    await this.users.save(
      this.users.create({
        email,
        role: 'admin',
        displayName: 'Administrator',
        passwordHash: await this.hasher.hash(password),
      }),
    );
    this.logger.log(`Created the first admin ${email}`);
  }

  private async setPassword(user: AppUserEntity, password: string): Promise<AppUserEntity> {
    const passwordHash = await this.hasher.hash(password);
    const { updatedAt, tokenVersion } = await this.storePassword(this.users.manager, user.id, passwordHash);
    this.notify(user.id);
    return Object.assign(user, { passwordHash, updatedAt, tokenVersion: tokenVersion ?? user.tokenVersion + 1 });
  }

  /** Sets the hash and ends every earlier token, in one statement (token version raised in SQL). */
  private async storePassword(
    manager: EntityManager,
    id: string,
    passwordHash: string,
  ): Promise<{ updatedAt: Date; tokenVersion: number | null }> {
    const updatedAt = new Date();
    const result = await manager
      .createQueryBuilder()
      .update(AppUserEntity)
      .set({ passwordHash, updatedAt, tokenVersion: () => 'token_version + 1' })
      .where({ id })
      .returning(['token_version'])
      .execute();
    const version = (result.raw as Array<{ token_version: number }>)[0]?.token_version;
    return { updatedAt, tokenVersion: version === undefined ? null : Number(version) };
  }

  private notify(userId: string): void {
    for (const listener of this.listeners) listener(userId);
  }

  private async getEntity(manager: EntityManager, id: string): Promise<AppUserEntity> {
    const user = await manager.findOne(AppUserEntity, { where: { id, isSystem: false } });
    if (!user) throw AppError.notFound('User', id);
    return user;
  }
}
