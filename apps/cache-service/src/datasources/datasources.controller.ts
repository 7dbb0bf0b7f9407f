import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@ccc/shared-types';
import { Audited } from '../audit/audited.decorator.js';
import { CurrentPrincipal, RequirePermissions } from '../access/auth.decorators.js';
import { NumericIdParam } from '../common/id-param.dto.js';
import { CreateDatasourceDto, DatasourceDto, UpdateDatasourceDto } from './datasource.dto.js';
import { DatasourcesService } from './datasources.service.js';

@ApiTags('admin: datasources')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/datasources')
export class DatasourcesController {
  constructor(private readonly datasources: DatasourcesService) {}

  @Get()
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: DatasourceDto, isArray: true })
  list(): Promise<DatasourceDto[]> {
    return this.datasources.list();
  }

  @Get(':id')
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: DatasourceDto })
  get(@Param() params: NumericIdParam): Promise<DatasourceDto> {
    return this.datasources.get(params.id);
  }

  @Post()
  @RequirePermissions('settings:write:all')
  @Audited('datasource.create', 'datasource')
  @ApiCreatedResponse({ type: DatasourceDto })
  create(@Body() body: CreateDatasourceDto, @CurrentPrincipal() principal: Principal): Promise<DatasourceDto> {
    return this.datasources.create(body, principal);
  }

  @Patch(':id')
  @RequirePermissions('settings:write:all')
  @Audited('datasource.update', 'datasource')
  @ApiOkResponse({ type: DatasourceDto })
  update(@Param() params: NumericIdParam, @Body() body: UpdateDatasourceDto, @CurrentPrincipal() principal: Principal): Promise<DatasourceDto> {
    return this.datasources.update(params.id, body, principal);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermissions('settings:write:all')
  @Audited('datasource.delete', 'datasource')
  @ApiNoContentResponse()
  remove(@Param() params: NumericIdParam): Promise<void> {
    return this.datasources.remove(params.id);
  }
}
