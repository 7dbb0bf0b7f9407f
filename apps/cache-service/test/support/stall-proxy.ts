import { createServer, connect, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Bytes held back while stalled, per direction: what TCP would retransmit once the path heals. */
  toUpstream: Buffer[];
  toClient: Buffer[];
  /** One side closed while stalled: the other side learns it when the path heals. */
  closed: boolean;
}

/**
 * A TCP proxy on loopback between the service and one server, that can stall: while stalled it forwards nothing in
 * either direction and resets nothing — like a network path dropping every packet — so the peers see neither an
 * error nor a close, only silence. New connections are accepted and then held the same way. `resume()` heals the
 * path and delivers what was held back, in order.
 */
export class StallProxy {
  private server: Server | null = null;
  private readonly pairs = new Set<Pair>();
  private stalled = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async listen(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  get connections(): number {
    return this.pairs.size;
  }

  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    this.stalled = false;
    for (const pair of this.pairs) this.flush(pair);
  }

  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    const pair: Pair = { client, upstream, toUpstream: [], toClient: [], closed: false };
    this.pairs.add(pair);
    const forward = (chunk: Buffer, to: Socket, held: Buffer[]): void => {
      if (this.stalled || held.length > 0) held.push(chunk);
      else to.write(chunk);
    };
    client.on('data', (chunk: Buffer) => forward(chunk, upstream, pair.toUpstream));
    upstream.on('data', (chunk: Buffer) => forward(chunk, client, pair.toClient));
    const end = (): void => {
      pair.closed = true;
      // A close is only passed on when the path works: while stalled it would be a packet like any other.
      if (!this.stalled) this.flush(pair);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', () => undefined);
      socket.on('close', end);
    }
  }

  private flush(pair: Pair): void {
    for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
    for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
    if (pair.closed) {
      this.pairs.delete(pair);
      pair.client.end();
      pair.upstream.end();
    }
  }
}
