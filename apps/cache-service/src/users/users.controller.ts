import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@ccc/shared-types';
import { Audited } from '../audit/audited.decorator.js';
import { CurrentPrincipal, RequirePermissions } from '../auth/auth.decorators.js';
import { UserSummaryDto } from '../auth/auth.dto.js';
import { AuthService } from '../auth/auth.service.js';
import { AppError } from '../common/app-error.js';
import { UuidParam } from '../common/id-param.dto.js';
import { CreateUserDto, ResetPasswordDto, UpdateUserDto } from './users.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('admin: users')
@ApiBearerAuth()
@ApiSecurity('api-key')
@RequirePermissions('users:manage:all')
@Controller('admin/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
  ) {}

  @Get()
  @ApiOkResponse({ type: UserSummaryDto, isArray: true })
  list(): Promise<UserSummaryDto[]> {
    return this.users.list();
  }

  @Post()
  @Audited('user.create', 'user')
  @ApiCreatedResponse({ type: UserSummaryDto })
  create(@Body() body: CreateUserDto): Promise<UserSummaryDto> {
    return this.users.create(body);
  }

  @Patch(':id')
  @Audited('user.update', 'user')
  @ApiOkResponse({ type: UserSummaryDto })
  async update(@Param() params: UuidParam, @Body() body: UpdateUserDto, @CurrentPrincipal() principal: Principal): Promise<UserSummaryDto> {
    if (principal.id === params.id && (body.isActive === false || (body.role && body.role !== 'admin'))) {
      throw AppError.conflict('You cannot disable or demote your own account');
    }
    const user = await this.users.update(params.id, body);
    this.auth.forget(params.id);
    return user;
  }

  @Post(':id/password')
  @HttpCode(204)
  @Audited('user.password_reset', 'user')
  @ApiNoContentResponse()
  resetPassword(@Param() params: UuidParam, @Body() body: ResetPasswordDto): Promise<void> {
    return this.users.resetPassword(params.id, body.password);
  }
}
