import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
}

export class DependencyCheckDto {
  @ApiProperty({ enum: ['up', 'down'] }) status: 'up' | 'down';
  @ApiPropertyOptional({ description: 'Round trip of the probe (when up)' }) latencyMs?: number;
  @ApiPropertyOptional({ description: 'Why the probe failed (when down)' }) error?: string;
}

/** A worker lane: up when every worker it started consumes. */
export class WorkerLaneCheckDto {
  @ApiProperty({ enum: ['up', 'down'] }) status: 'up' | 'down';
  @ApiProperty({ description: 'Workers of the lane consuming now' }) running: number;
  @ApiProperty({ description: 'Workers the lane started' }) total: number;
  @ApiPropertyOptional({ description: 'Why the lane is not ready (when down)' }) error?: string;
}

export class DependencyChecksDto {
  @ApiProperty({ type: DependencyCheckDto }) redis: DependencyCheckDto;
  @ApiProperty({ type: DependencyCheckDto }) postgres: DependencyCheckDto;
  @ApiPropertyOptional({ type: WorkerLaneCheckDto, description: 'Roles all and worker: the warming workers consume' })
  workers?: WorkerLaneCheckDto;
  @ApiPropertyOptional({
    type: WorkerLaneCheckDto,
    description: 'Roles all and worker, with a webhook configured: the webhook worker consumes',
  })
  notifications?: WorkerLaneCheckDto;
}

/** ReadinessResponse with the checks the service makes named. */
export class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'error'] }) status: 'ok' | 'error';
  @ApiProperty({ type: DependencyChecksDto }) checks: DependencyChecksDto;
}
