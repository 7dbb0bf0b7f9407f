import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
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
import { CurrentPrincipal, RequirePermissions } from '../access/auth.decorators.js';
import { NumericIdParam } from '../common/id-param.dto.js';
import { CreateDatasourceDto, DatasourceDto, UpdateDatasourceDto } from './datasource.dto.js';
import { DatasourcesService } from './datasources.service.js';
import { ApiErrorResponses } from '../common/api-errors.js';

@ApiTags('admin: datasources')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/datasources')
export class DatasourcesController {
  constructor(private readonly datasources: DatasourcesService) {}

  @Get()
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: DatasourceDto, isArray: true })
  @ApiOperation({
    summary: 'List datasources',
    description: 'Every datasource with its source table, column mapping, cache policy and warm schedule.',
  })
  list(): Promise<DatasourceDto[]> {
    return this.datasources.list();
  }

  @Get(':id')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: DatasourceDto })
  @ApiOperation({
    summary: 'Get a datasource',
    description: 'One datasource with its source table, column mapping, cache policy and warm schedule.',
  })
  @ApiErrorResponses(404)
  get(@Param() params: NumericIdParam): Promise<DatasourceDto> {
    return this.datasources.get(params.id);
  }

  @Post()
  @RequirePermissions('settings:write:all')
  @Audited('datasource.create', 'datasource')
  @ApiCreatedResponse({ type: DatasourceDto })
  @ApiOperation({
    summary: 'Create a datasource',
    description: 'Registers a source table (within SOURCE_SCHEMAS) and how its columns map to the cache entries.',
  })
  @ApiErrorResponses(
    [403, 'FORBIDDEN or SOURCE_NOT_ALLOWED: a missing permission, or a source table outside SOURCE_SCHEMAS'],
    [409, 'CONFLICT: a datasource with this name already exists'],
  )
  create(@Body() body: CreateDatasourceDto, @CurrentPrincipal() principal: Principal): Promise<DatasourceDto> {
    return this.datasources.create(body, principal);
  }

  @Patch(':id')
  @RequirePermissions('settings:write:all')
  @Audited('datasource.update', 'datasource')
  @ApiOkResponse({ type: DatasourceDto })
  @ApiOperation({
    summary: 'Change a datasource',
    description:
      'Changes a datasource’s settings; a change of its source or mapping makes the cached data stale. Taking a region out of `regions` (or putting one back) drops the datasource’s cache in that region.',
  })
  @ApiErrorResponses(
    [403, 'FORBIDDEN or SOURCE_NOT_ALLOWED: a missing permission, or a source table outside SOURCE_SCHEMAS'],
    404,
    [409, 'CONFLICT: a datasource with this name already exists'],
  )
  update(
    @Param() params: NumericIdParam,
    @Body() body: UpdateDatasourceDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DatasourceDto> {
    return this.datasources.update(params.id, body, principal);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('settings:write:all')
  @Audited('datasource.delete', 'datasource')
  @ApiNoContentResponse()
  @ApiOperation({
    summary: 'Delete a datasource',
    description: 'Removes the datasource, its schedule and its cached entries.',
  })
  @ApiErrorResponses(404)
  remove(@Param() params: NumericIdParam): Promise<void> {
    return this.datasources.remove(params.id);
  }
}
