import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiNoContentResponse, ApiOkResponse, ApiSecurity, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import type { Principal } from '@ccc/shared-types';
import type { Request } from 'express';
import { Audited } from '../audit/audited.decorator.js';
import { correlationIdOf } from '../common/correlation-id.js';
import { CurrentPrincipal, Public } from './auth.decorators.js';
import { ChangePasswordDto, LoginDto, LoginResponseDto, PrincipalDto } from './auth.dto.js';
import { AuthService } from './auth.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @Throttle({ login: {} })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: 'Invalid email or password' })
  @ApiTooManyRequestsResponse({ description: 'Too many failed sign-ins for this account or from this client; see Retry-After' })
  login(@Body() body: LoginDto, @Req() request: Request): Promise<LoginResponseDto> {
    return this.auth.login(body, { ip: request.ip ?? null, correlationId: correlationIdOf(request) });
  }

  @Post('logout')
  @HttpCode(204)
  @Audited('auth.logout', 'user')
  @ApiBearerAuth()
  @ApiSecurity('api-key')
  @ApiNoContentResponse({ description: 'Every token issued to the signed-in user so far stops working (all sessions)' })
  @ApiForbiddenResponse({ description: 'Not a token issued by this service (an API key or an identity provider token)' })
  logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    return this.auth.logout(principal);
  }

  @Post('password')
  @HttpCode(200)
  @Audited('auth.password_change', 'user')
  @ApiBearerAuth()
  @ApiSecurity('api-key')
  @ApiOkResponse({ type: LoginResponseDto, description: 'A fresh token: every earlier token of the account stops working' })
  @ApiForbiddenResponse({ description: 'Not a token issued by this service (an API key or an identity provider token)' })
  @ApiTooManyRequestsResponse({ description: 'Too many wrong current passwords: the account backs off as after failed sign-ins' })
  changePassword(@Body() body: ChangePasswordDto, @CurrentPrincipal() principal: Principal, @Req() request: Request): Promise<LoginResponseDto> {
    return this.auth.changePassword(principal, body, { ip: request.ip ?? null, correlationId: correlationIdOf(request) });
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiSecurity('api-key')
  @ApiOkResponse({ type: PrincipalDto })
  me(@CurrentPrincipal() principal: Principal): PrincipalDto {
    return principal;
  }
}
