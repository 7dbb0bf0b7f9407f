import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  PERMISSIONS,
  ROLES,
  type CreateUserRequest,
  type Permission,
  type ResetPasswordRequest,
  type Role,
  type UpdateUserRequest,
  type UserSummary,
} from '@ccc/shared-types';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export const PASSWORD_RULE = { minLength: 10, maxLength: 200 };

export class UserSummaryDto implements UserSummary {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty({ type: String, nullable: true }) displayName: string | null;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ enum: PERMISSIONS, isArray: true }) permissions: Permission[];
  @ApiProperty() isActive: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastLoginAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CreateUserDto implements CreateUserRequest {
  @ApiProperty({ example: 'operator@example.com', maxLength: 320 })
  @IsEmail()
  @MaxLength(320)
  email: string;

  @ApiProperty({ minLength: PASSWORD_RULE.minLength, maxLength: PASSWORD_RULE.maxLength })
  @IsString()
  @MinLength(PASSWORD_RULE.minLength)
  @MaxLength(PASSWORD_RULE.maxLength)
  password: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  displayName?: string;
}

export class UpdateUserDto implements UpdateUserRequest {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  displayName?: string;

  @ApiPropertyOptional({ description: 'false disables the account; its tokens stop working' })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}

export class ResetPasswordDto implements ResetPasswordRequest {
  @ApiProperty({ minLength: PASSWORD_RULE.minLength, maxLength: PASSWORD_RULE.maxLength })
  @IsString()
  @MinLength(PASSWORD_RULE.minLength)
  @MaxLength(PASSWORD_RULE.maxLength)
  password: string;
}
