import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ROLE_PERMISSIONS, type CreateUserRequest, type UpdateUserRequest, type UserSummary } from '@ccc/shared-types';
import type { Repository } from 'typeorm';
import { AppError } from '../common/app-error.js';
import { hashPassword, verifyPassword } from '../auth/password.js';
import { AppUserEntity } from './app-user.entity.js';

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

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(@InjectRepository(AppUserEntity) private readonly users: Repository<AppUserEntity>) {}

  async list(): Promise<UserSummary[]> {
    const rows = await this.users.find({ where: { isSystem: false }, order: { createdAt: 'ASC' } });
    return rows.map(toUserSummary);
  }

  async get(id: string): Promise<UserSummary> {
    return toUserSummary(await this.getEntity(id));
  }

  async create(request: CreateUserRequest): Promise<UserSummary> {
    const email = request.email.toLowerCase();
    if (await this.users.exists({ where: { email } })) {
      throw AppError.conflict(`A user with email ${email} already exists`, { field: 'email' });
    }
    const user = await this.users.save(
      this.users.create({
        email,
        displayName: request.displayName ?? null,
        role: request.role,
        passwordHash: await hashPassword(request.password),
      }),
    );
    return toUserSummary(user);
  }

  async update(id: string, request: UpdateUserRequest): Promise<UserSummary> {
    const user = await this.getEntity(id);
    if (request.role !== undefined) user.role = request.role;
    if (request.displayName !== undefined) user.displayName = request.displayName;
    if (request.isActive !== undefined) user.isActive = request.isActive;
    user.updatedAt = new Date();
    return toUserSummary(await this.users.save(user));
  }

  async resetPassword(id: string, password: string): Promise<void> {
    const user = await this.getEntity(id);
    user.passwordHash = await hashPassword(password);
    user.updatedAt = new Date();
    await this.users.save(user);
  }

  /** The active user with these credentials, or null (same answer for unknown email and wrong password). */
  async verifyCredentials(email: string, password: string): Promise<AppUserEntity | null> {
    const user = await this.users.findOne({ where: { email: email.toLowerCase(), isSystem: false } });
    const valid = await verifyPassword(password, user?.passwordHash ?? null);
    return valid && user?.isActive ? user : null;
  }

  async recordLogin(id: string): Promise<void> {
    await this.users.update({ id }, { lastLoginAt: new Date() });
  }

  async findActive(id: string): Promise<AppUserEntity | null> {
    return this.users.findOne({ where: { id, isActive: true, isSystem: false } });
  }

  /** Creates the configured first admin once; an existing account is left as it is. */
  async ensureAdmin(email: string, password: string): Promise<void> {
    if (await this.users.exists({ where: { email } })) return;
    await this.users.save(this.users.create({ email, role: 'admin', displayName: 'Administrator', passwordHash: await hashPassword(password) }));
    this.logger.log(`Created the first admin ${email}`);
  }

  private async getEntity(id: string): Promise<AppUserEntity> {
    const user = await this.users.findOne({ where: { id, isSystem: false } });
    if (!user) throw AppError.notFound('User', id);
    return user;
  }
}
