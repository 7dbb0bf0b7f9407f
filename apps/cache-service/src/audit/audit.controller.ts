import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequirePermissions } from '../access/auth.decorators.js';
import { AuditPageDto, AuditQueryDto } from './audit.dto.js';
import { AuditService } from './audit.service.js';

@ApiTags('admin: audit')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @RequirePermissions('settings:read:all')
  @ApiOkResponse({ type: AuditPageDto })
  @ApiOperation({
    summary: 'Audit trail',
    description: 'Successful and refused changes, newest first, filtered by actor, action, target and time window.',
  })
  list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    return this.audit.query(query);
  }
}
