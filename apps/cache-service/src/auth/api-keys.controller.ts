import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@ccc/shared-types';
import { Audited } from '../audit/audited.decorator.js';
import { UuidParam } from '../common/id-param.dto.js';
import { CurrentPrincipal, RequirePermissions, UserCredentialOnly } from '../access/auth.decorators.js';
import { ApiKeySummaryDto, CreateApiKeyDto, CreatedApiKeyDto } from './auth.dto.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiErrorResponses } from '../common/api-errors.js';

@ApiTags('admin: api keys')
@ApiBearerAuth()
@ApiSecurity('api-key')
@RequirePermissions('users:manage:all')
@UserCredentialOnly()
@Controller('admin/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @ApiOkResponse({ type: ApiKeySummaryDto, isArray: true })
  @ApiOperation({
    summary: 'List API keys',
    description: 'Every API key with its name, permissions and status; the secret itself is never shown again.',
  })
  list(): Promise<ApiKeySummaryDto[]> {
    return this.apiKeys.list();
  }

  @Post()
  @Audited('api_key.create', 'api_key')
  @ApiCreatedResponse({ type: CreatedApiKeyDto, description: 'The key is shown once, in this response' })
  @ApiOperation({
    summary: 'Create an API key',
    description: 'Creates an API key with the given permissions; the key is shown once, in this response.',
  })
  @ApiErrorResponses([
    403,
    "FORBIDDEN with details.reason: API_KEY_NOT_ALLOWED (an API key asked), EXTERNAL_NOT_ALLOWED (an identity provider's user asked: keys are minted by users of this service), PERMISSION_NOT_HELD (a permission the creator lacks)",
  ])
  create(@Body() body: CreateApiKeyDto, @CurrentPrincipal() principal: Principal): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(body, principal);
  }

  @Delete(':id')
  @Audited('api_key.revoke', 'api_key')
  @ApiOkResponse({ type: ApiKeySummaryDto })
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'Revokes the key at once: requests carrying it are refused from now on.',
  })
  @ApiErrorResponses(404)
  revoke(@Param() params: UuidParam, @CurrentPrincipal() principal: Principal): Promise<ApiKeySummaryDto> {
    return this.apiKeys.revoke(params.id, principal);
  }
}
