import { AppError } from '../common/app-error.js';
import { AnalyticsQueryPipe, DatasourceIdPipe } from './analytics-query.pipes.js';

const fieldsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    return ((error as AppError).details?.fields as Array<{ field: string }>).map((f) => f.field);
  }
  return [];
};

describe('query API pipes', () => {
  it('keeps the four filters and names every bad field', () => {
    expect(new AnalyticsQueryPipe().transform({ measure: 'Charges', practice: '101' })).toEqual({
      measure: 'Charges',
      practice: '101',
    });
    expect(
      fieldsOf(() =>
        new AnalyticsQueryPipe().transform({
          measure: '',
          colour: 'red',
          provider: ['a', 'b'],
          frequency: 'x'.repeat(201),
        }),
      ),
    ).toEqual(['measure', 'colour', 'provider', 'frequency']);
  });

  it('accepts positive 32-bit ids only', () => {
    expect(new DatasourceIdPipe().transform('42')).toBe(42);
    for (const bad of ['0', '-1', '1.5', 'abc', '99999999999', ''])
      expect(fieldsOf(() => new DatasourceIdPipe().transform(bad))).toEqual(['id']);
  });
});
