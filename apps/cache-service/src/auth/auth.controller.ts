import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import type { Principal } from '@ccc/shared-types';
import type { Request, Response } from 'express';
import { Audited } from '../audit/audited.decorator.js';
import { correlationIdOf } from '../common/correlation-id.js';
import { CurrentPrincipal, Public } from '../access/auth.decorators.js';
import { ChangePasswordDto, LoginDto, LoginResponseDto, PrincipalDto } from './auth.dto.js';
import { AuthService, type RequestContext } from './auth.service.js';

/** The client's address and correlation id, and a signal that fires when the client goes away before its answer. */
function requestContext(request: Request, response: Response): RequestContext {
  const gone = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) gone.abort();
  });
  return { ip: request.ip ?? null, correlationId: correlationIdOf(request), signal: gone.signal };
}

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
  @ApiServiceUnavailableResponse({ description: 'SERVICE_BUSY: too many password checks waiting; see Retry-After' })
  login(@Body() body: LoginDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<LoginResponseDto> {
    return this.auth.login(body, requestContext(request, response));
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
  @ApiServiceUnavailableResponse({ description: 'SERVICE_BUSY: too many password checks waiting; see Retry-After' })
  changePassword(
    @Body() body: ChangePasswordDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<LoginResponseDto> {
    return this.auth.changePassword(principal, body, requestContext(request, response));
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiSecurity('api-key')
  @ApiOkResponse({ type: PrincipalDto })
  me(@CurrentPrincipal() principal: Principal): PrincipalDto {
    return principal;
  }
}
