import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  API_KEY_PERMISSIONS,
  PERMISSIONS,
  ROLES,
  type ChangePasswordRequest,
  type ApiKeySummary,
  type CreateApiKeyRequest,
  type CreatedApiKey,
  type LoginRequest,
  type LoginResponse,
  type Permission,
  type Principal,
  type Role,
} from '@ccc/shared-types';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PASSWORD_RULE, UserSummaryDto } from '../users/users.dto.js';

export class LoginDto implements LoginRequest {
  @ApiProperty({ example: 'admin@example.com', maxLength: 320 })
  @IsEmail()
  @MaxLength(320)
  email: string;

  @ApiProperty({ example: 'ChangeMe-Admin-1', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  password: string;
}

export class ChangePasswordDto implements ChangePasswordRequest {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  currentPassword: string;

  @ApiProperty({ minLength: PASSWORD_RULE.minLength, maxLength: PASSWORD_RULE.maxLength })
  @IsString()
  @MinLength(PASSWORD_RULE.minLength)
  @MaxLength(PASSWORD_RULE.maxLength)
  newPassword: string;
}

export class LoginResponseDto implements LoginResponse {
  @ApiProperty() accessToken: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType: 'Bearer';
  @ApiProperty({ description: 'Seconds until the token expires' }) expiresIn: number;
  @ApiProperty({ type: UserSummaryDto }) user: UserSummaryDto;
}

export class PrincipalDto implements Principal {
  @ApiProperty({ enum: ['user', 'api_key'] }) kind: 'user' | 'api_key';
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES, nullable: true }) role: Role | null;
  @ApiProperty({ enum: PERMISSIONS, isArray: true }) permissions: Permission[];
  @ApiPropertyOptional({ description: 'True for a user of the identity provider (JWKS token)' }) external?: boolean;
}

export class CreateApiKeyDto implements CreateApiKeyRequest {
  @ApiProperty({ example: 'reporting-service', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({
    enum: API_KEY_PERMISSIONS,
    isArray: true,
    example: ['analytics:read'],
    description: 'At most what the caller holds; users:manage:all is for signed-in users only',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_KEY_PERMISSIONS.length)
  @IsIn(API_KEY_PERMISSIONS, {
    each: true,
    message: `each value in permissions must be one of: ${API_KEY_PERMISSIONS.join(', ')}`,
  })
  permissions: Permission[];

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class ApiKeySummaryDto implements ApiKeySummary {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() prefix: string;
  @ApiProperty({ enum: PERMISSIONS, isArray: true }) permissions: Permission[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
}

export class CreatedApiKeyDto extends ApiKeySummaryDto implements CreatedApiKey {
  @ApiProperty({ description: 'The key itself; shown only in this response' }) key: string;
}
