import { OperatorMetricsService } from './operator-metrics.service.js';
import { OperatorSnapshots } from './operator-snapshot.js';

export { OperatorMetricsService } from './operator-metrics.service.js';

/** Operator surface: metrics for Prometheus (deploy/prometheus/ has the rules), queue board, request logging. */
export const OBSERVABILITY_PROVIDERS = [OperatorSnapshots, OperatorMetricsService];
