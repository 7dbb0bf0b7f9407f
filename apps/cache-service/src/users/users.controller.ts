import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Principal } from '@ccc/shared-types';
import { Audited } from '../audit/audited.decorator.js';
import { CurrentPrincipal, RequirePermissions, UserCredentialOnly } from '../access/auth.decorators.js';
import { UserSummaryDto } from './users.dto.js';
import { UuidParam } from '../common/id-param.dto.js';
import { CreateUserDto, ResetPasswordDto, UpdateUserDto } from './users.dto.js';
import { UsersService } from './users.service.js';
import { ApiErrorResponses } from '../common/api-errors.js';

@ApiTags('admin: users')
@ApiBearerAuth()
@ApiSecurity('api-key')
@RequirePermissions('users:manage:all')
@UserCredentialOnly()
@Controller('admin/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOkResponse({ type: UserSummaryDto, isArray: true })
  @ApiOperation({
    summary: 'List users',
    description: 'Every user account with its role and status. Signed-in admins only (API keys cannot manage users).',
  })
  list(): Promise<UserSummaryDto[]> {
    return this.users.list();
  }

  @Post()
  @Audited('user.create', 'user')
  @ApiCreatedResponse({ type: UserSummaryDto })
  @ApiOperation({
    summary: 'Create a user',
    description: 'Creates a user account with a role and an initial password.',
  })
  @ApiErrorResponses([409, 'CONFLICT: a user with this email already exists'])
  create(@Body() body: CreateUserDto, @CurrentPrincipal() principal: Principal): Promise<UserSummaryDto> {
    return this.users.create(body, principal);
  }

  @Patch(':id')
  @Audited('user.update', 'user')
  @ApiOkResponse({
    type: UserSummaryDto,
    description: 'A role or status change ends the user’s earlier tokens; 409 for the last active admin',
  })
  @ApiOperation({
    summary: 'Change a user',
    description: 'Changes display name, role or status. A role or status change ends the user’s earlier tokens.',
  })
  @ApiErrorResponses(404, [
    409,
    'CONFLICT: the last active admin cannot be disabled or demoted, nor can an admin disable or demote themselves',
  ])
  update(
    @Param() params: UuidParam,
    @Body() body: UpdateUserDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UserSummaryDto> {
    return this.users.update(params.id, body, principal);
  }

  @Post(':id/password')
  @HttpCode(204)
  @Audited('user.password_reset', 'user')
  @ApiNoContentResponse({ description: 'The user’s earlier tokens stop working' })
  @ApiOperation({
    summary: 'Reset a user’s password',
    description: 'Sets a new password for another user; their earlier tokens stop working.',
  })
  @ApiErrorResponses(404)
  resetPassword(
    @Param() params: UuidParam,
    @Body() body: ResetPasswordDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    return this.users.resetPassword(params.id, body.password, principal);
  }
}
