import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { applyContract, isCalendarDate } from './validation.js';

class InnerDto {
  @ApiProperty() column: string;
}

class SampleDto {
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) description?: string | null;
  @ApiPropertyOptional({ type: InnerDto }) mapping?: InnerDto;
  @ApiPropertyOptional({ format: 'date-time' }) from?: string;
  @ApiPropertyOptional({ format: 'date' }) day?: string;
}

describe('isCalendarDate', () => {
  it.each([
    ['2026-02-28', true],
    ['2024-02-29T23:59:59.999Z', true],
    ['2026-03-01T10:00:00+02:00', true],
    ['2026-02-29', false],
    ['2026-02-30T10:00:00Z', false],
    ['2026-04-31', false],
    ['2026-13-01', false],
    ['2026-01-01T24:00:00Z', false],
    ['2026-01-01T10:60:00Z', false],
    ['yesterday', false],
  ])('%s → %s', (text, expected) => expect(isCalendarDate(text)).toBe(expected));
});

describe('applyContract', () => {
  it('drops null for a property the contract does not mark nullable and keeps it where it does', () => {
    expect(applyContract({ name: null, description: null }, SampleDto)).toEqual({
      value: { description: null },
      problems: [],
    });
  });

  it('refuses an array or a scalar where the contract holds an object, naming the field', () => {
    expect(applyContract({ mapping: [] }, SampleDto).problems).toEqual([
      { field: 'mapping', messages: ['mapping must be an object'] },
    ]);
    expect(applyContract({ mapping: 'x' }, SampleDto).problems).toEqual([
      { field: 'mapping', messages: ['mapping must be an object'] },
    ]);
    expect(applyContract({ mapping: { column: null } }, SampleDto)).toEqual({ value: { mapping: {} }, problems: [] });
  });

  it('refuses dates that are not on the calendar', () => {
    expect(
      applyContract({ from: '2026-02-30T00:00:00Z', day: '2026-02-29' }, SampleDto).problems.map((p) => p.field),
    ).toEqual(['from', 'day']);
    expect(applyContract({ from: '2026-02-28T00:00:00Z', day: '2028-02-29' }, SampleDto).problems).toEqual([]);
  });
});
