import type { Role } from '@ccc/shared-types';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Built-in author of rows the service writes by itself (created by the initial migration). */
export const SYSTEM_USER_ID = '00000000-0000-0000-0000-000000000000';

@Entity('app_user')
export class AppUserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 320 })
  email: string;

  @Column({ name: 'display_name', type: 'varchar', length: 200, nullable: true })
  displayName: string | null;

  @Column({ type: 'enum', enum: ['admin', 'operator', 'viewer'], enumName: 'app_role' })
  role: Role;

  @Column({ name: 'password_hash', type: 'text', nullable: true, select: true })
  passwordHash: string | null;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  @Column({ name: 'is_system', type: 'boolean', default: false })
  isSystem: boolean;

  /** Carried in every token issued for this account; raising it ends every earlier token (see CredentialRevocation migration). */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion: number;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
