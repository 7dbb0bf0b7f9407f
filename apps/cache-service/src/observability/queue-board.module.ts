import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { WarmingModule } from '../warming/warming.module.js';
import { QueueBoardController } from './queue-board.controller.js';
import { QueueBoardQueues, queueBoardModule } from './queue-board.js';

/**
 * The read-only queue board (bull-board) at /admin/queues, for roles all and api only: a worker serves no people.
 * Needs: WarmingModule (the queues), AuthModule (the board's guard).
 * Routes: POST /api/admin/queue-board/session; /admin/queues (bull-board, guarded in configure-app.ts).
 */
@Module({
  imports: [WarmingModule, AuthModule, queueBoardModule()],
  controllers: [QueueBoardController],
  providers: [QueueBoardQueues],
})
export class QueueBoardModule {}
