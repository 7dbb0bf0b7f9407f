import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './redis-server.js';

/**
 * A throw-away 3-master Redis Cluster on loopback (TOOLCHAIN.md: starts in seconds); with `replicas: 1`, one replica
 * per master (6 nodes) and a short node timeout, so that a killed master's replica takes over within seconds.
 */
export class PrivateRedisCluster {
  readonly ports: number[] = [];
  private readonly servers = new Map<number, ChildProcess>();
  private readonly dir = mkdtempSync(join(tmpdir(), 'ccc-cluster-'));

  constructor(private readonly options: { replicas?: 0 | 1; nodeTimeoutMs?: number } = {}) {}

  get nodes(): Array<{ host: string; port: number }> {
    return this.ports.map((port) => ({ host: '127.0.0.1', port }));
  }

  /** `REDIS_CLUSTER_NODES` for the service. */
  get nodeList(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(',');
  }

  async start(): Promise<void> {
    const replicas = this.options.replicas ?? 0;
    for (let i = 0; i < 3 * (1 + replicas); i++) this.ports.push(await freePort());
    const timeout = ['--cluster-node-timeout', String(this.options.nodeTimeoutMs ?? 15_000)];
    for (const port of this.ports) {
      const nodeDir = join(this.dir, String(port));
      mkdirSync(nodeDir, { recursive: true });
      this.servers.set(
        port,
        spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--save',
            '',
            '--appendonly',
            'no',
            '--dir',
            nodeDir,
            ...timeout,
          ],
          {
            stdio: 'ignore',
          },
        ),
      );
    }
    for (const port of this.ports) await waitForPing(port);
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...this.nodeList.split(','), '--cluster-replicas', String(replicas), '--cluster-yes'],
      { encoding: 'utf8' },
    );
    if (created.status !== 0) throw new Error(`cluster create failed: ${created.stdout}${created.stderr}`);
    await this.waitUntilHealthy(this.ports[0]);
  }

  /** Waits until the node at `port` sees the cluster ok and (with replicas) every master has a connected replica. */
  async waitUntilHealthy(port: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const info = spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' }).stdout;
      const replicasUp =
        !this.options.replicas || this.nodes_().filter((node) => node.role === 'replica' && node.linked).length === 3;
      if (info.includes('cluster_state:ok') && replicasUp) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the cluster did not reach cluster_state:ok');
  }

  /** The port of the master serving the slot of `key` (e.g. a datasource's hash tag `{ds:7}`), as a live node sees it. */
  masterOf(key: string): number {
    const live = this.ports.find((port) => this.servers.get(port)?.exitCode === null) ?? this.ports[0];
    const slot = Number(
      spawnSync('redis-cli', ['-p', String(live), 'cluster', 'keyslot', key], { encoding: 'utf8' }).stdout.trim(),
    );
    const owner = this.nodes_(live).find(
      (node) => node.role === 'master' && node.slots.some(([from, to]) => slot >= from && slot <= to),
    );
    if (!owner) throw new Error(`no master serves slot ${slot}`);
    return owner.port;
  }

  /** Kills one node (SIGKILL: a crash). */
  kill(port: number): void {
    this.servers.get(port)?.kill('SIGKILL');
    this.servers.delete(port);
  }

  private nodes_(
    port = this.ports[0],
  ): Array<{ port: number; role: 'master' | 'replica'; linked: boolean; slots: Array<[number, number]> }> {
    const text = spawnSync('redis-cli', ['-p', String(port), 'cluster', 'nodes'], { encoding: 'utf8' }).stdout;
    return text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [, address, flags, , , , , link, ...slots] = line.split(' ');
        return {
          port: Number(address.split('@')[0].split(':')[1]),
          role: flags.includes('master') && !flags.includes('fail') ? ('master' as const) : ('replica' as const),
          linked: link === 'connected' && !flags.includes('fail'),
          slots: slots
            .filter((range) => /^\d/.test(range))
            .map((range) => range.split('-').map(Number) as [number, number])
            .map(([from, to]) => [from, to ?? from] as [number, number]),
        };
      });
  }

  stop(): void {
    for (const server of this.servers.values()) server.kill('SIGKILL');
    this.servers.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function waitForPing(port: number): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return;
    } catch {
      probe.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`redis-server on ${port} did not start`);
}
