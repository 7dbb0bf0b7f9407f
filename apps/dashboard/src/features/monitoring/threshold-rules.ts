import {
  PERCENTAGE_METRICS_OVER_100,
  THRESHOLD_LEVEL,
  THRESHOLD_METRICS,
  type ThresholdMetricType,
} from '@ccc/shared-types';

export type ThresholdField = 'warningThreshold' | 'criticalThreshold';

const MAY_EXCEED_100 = new Set<ThresholdMetricType>(PERCENTAGE_METRICS_OVER_100);

/** The user's words for a metric's direction: hit rate alerts when it falls *below* a level. */
export function directionWords(metric: ThresholdMetricType): 'below' | 'above' {
  return THRESHOLD_METRICS[metric].direction === 'BELOW' ? 'below' : 'above';
}

/**
 * Client-side check of a threshold's two levels, as the server checks them (its limits shared through
 * @ccc/shared-types): numbers from 0.0001 with at most 4 decimal places,
 * percentages at most 100, and critical at least as bad as warning — for ABOVE metrics
 * warning ≤ critical, for BELOW metrics (hit rate, index-scan ratio) warning ≥ critical. (Cache age, a
 * percentage of the TTL, may pass 100.)
 * Returns messages per field; empty when the levels are fine.
 */
export function validateThresholdLevels(
  metric: ThresholdMetricType,
  warningText: string,
  criticalText: string,
): Partial<Record<ThresholdField, string>> {
  const errors: Partial<Record<ThresholdField, string>> = {};
  const { unit, direction } = THRESHOLD_METRICS[metric];
  const parse = (field: ThresholdField, text: string, name: string): number | null => {
    if (text.trim() === '') {
      errors[field] = `Enter the ${name} level.`;
      return null;
    }
    const value = Number(text);
    if (!Number.isFinite(value)) {
      errors[field] = `The ${name} level must be a number.`;
      return null;
    }
    if (value < THRESHOLD_LEVEL.min || value > THRESHOLD_LEVEL.max) {
      errors[field] =
        `The ${name} level must be from ${THRESHOLD_LEVEL.min} to ${THRESHOLD_LEVEL.max.toLocaleString('en-US')}.`;
      return null;
    }
    const scale = 10 ** THRESHOLD_LEVEL.maxDecimalPlaces;
    if (Math.round(value * scale) / scale !== value) {
      errors[field] = `The ${name} level may have at most ${THRESHOLD_LEVEL.maxDecimalPlaces} decimal places.`;
      return null;
    }
    if (unit === 'PERCENTAGE' && value > 100 && !MAY_EXCEED_100.has(metric)) {
      errors[field] = `The ${name} level is a percentage: at most 100.`;
      return null;
    }
    return value;
  };
  const warning = parse('warningThreshold', warningText, 'warning');
  const critical = parse('criticalThreshold', criticalText, 'critical');
  if (warning === null || critical === null) return errors;
  if (direction === 'ABOVE' && critical < warning) {
    errors.criticalThreshold = `This metric alerts when it rises above a level, so the critical level must be at least the warning level (${warning}).`;
  } else if (direction === 'BELOW' && critical > warning) {
    errors.criticalThreshold = `This metric alerts when it falls below a level, so the critical level must be at most the warning level (${warning}).`;
  }
  return errors;
}
