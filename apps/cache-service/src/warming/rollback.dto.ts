import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class RollbackRequestDto {
  @ApiPropertyOptional({
    minimum: 1,
    description:
      'The generation to roll back to, as the caller saw it (details: previousGeneration.generation); refused with 409 when the retained one is another',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  generation?: number;
}
