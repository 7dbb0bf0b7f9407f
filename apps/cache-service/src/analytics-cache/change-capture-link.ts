import { Injectable } from '@nestjs/common';
import type { ChangeCaptureStatus } from '@ccc/shared-types';

/**
 * How the engine's details page learns the replication slot of a datasource in CDC mode. Change capture sits above the
 * engine (it asks warming for refreshes), so the engine never imports it: change capture connects itself here.
 */
@Injectable()
export class ChangeCaptureLink {
  private reader: (datasourceId: number) => Promise<ChangeCaptureStatus | null> = async () => null;

  connect(reader: (datasourceId: number) => Promise<ChangeCaptureStatus | null>): void {
    this.reader = reader;
  }

  /** Null for a datasource not in CDC mode (or in a process without change capture). */
  status(datasourceId: number): Promise<ChangeCaptureStatus | null> {
    return this.reader(datasourceId);
  }
}
