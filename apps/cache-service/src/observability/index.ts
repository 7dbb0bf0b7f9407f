import { CorrelationContext } from './correlation-context.js';
import { OperatorMetricsService } from './operator-metrics.service.js';
import { OperatorSnapshots } from './operator-snapshot.js';
import { QueueBoardController } from './queue-board.controller.js';
import { QueueBoardQueues, queueBoardModule } from './queue-board.js';
import { loggingModule } from './request-logging.js';

export { OperatorMetricsService } from './operator-metrics.service.js';
export { queueBoardGuard, queueBoardModule, QUEUE_BOARD_PATH } from './queue-board.js';
export { loggingModule, requestLogMiddleware } from './request-logging.js';

/**
 * Operator surface: metrics for Prometheus (deploy/prometheus/ has the rules), the read-only queue board at
 * /admin/queues, request logging with correlation ids carried into queued work.
 */
export const OBSERVABILITY_PROVIDERS = [OperatorSnapshots, OperatorMetricsService, CorrelationContext, QueueBoardQueues];
export const OBSERVABILITY_CONTROLLERS = [QueueBoardController];
export const observabilityImports = () => [loggingModule(), queueBoardModule()];
