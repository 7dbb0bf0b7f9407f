import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@ccc/shared-types';
import { Audited } from '../audit/audited.decorator.js';
import { CurrentPrincipal, RequirePermissions, UserCredentialOnly } from '../access/auth.decorators.js';
import { UserSummaryDto } from './users.dto.js';
import { UuidParam } from '../common/id-param.dto.js';
import { CreateUserDto, ResetPasswordDto, UpdateUserDto } from './users.dto.js';
import { UsersService } from './users.service.js';

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
  list(): Promise<UserSummaryDto[]> {
    return this.users.list();
  }

  @Post()
  @Audited('user.create', 'user')
  @ApiCreatedResponse({ type: UserSummaryDto })
  create(@Body() body: CreateUserDto, @CurrentPrincipal() principal: Principal): Promise<UserSummaryDto> {
    return this.users.create(body, principal);
  }

  @Patch(':id')
  @Audited('user.update', 'user')
  @ApiOkResponse({ type: UserSummaryDto, description: 'A role or status change ends the user’s earlier tokens; 409 for the last active admin' })
  update(@Param() params: UuidParam, @Body() body: UpdateUserDto, @CurrentPrincipal() principal: Principal): Promise<UserSummaryDto> {
    return this.users.update(params.id, body, principal);
  }

  @Post(':id/password')
  @HttpCode(204)
  @Audited('user.password_reset', 'user')
  @ApiNoContentResponse({ description: 'The user’s earlier tokens stop working' })
  resetPassword(@Param() params: UuidParam, @Body() body: ResetPasswordDto, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.users.resetPassword(params.id, body.password, principal);
  }
}
