import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './redis-server.js';

/** A throw-away 3-master Redis Cluster on loopback (TOOLCHAIN.md: starts in seconds). */
export class PrivateRedisCluster {
  readonly ports: number[] = [];
  private readonly servers: ChildProcess[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'ccc-cluster-'));

  get nodes(): Array<{ host: string; port: number }> {
    return this.ports.map((port) => ({ host: '127.0.0.1', port }));
  }

  /** `REDIS_CLUSTER_NODES` for the service. */
  get nodeList(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(',');
  }

  async start(): Promise<void> {
    for (let i = 0; i < 3; i++) this.ports.push(await freePort());
    for (const port of this.ports) {
      const nodeDir = join(this.dir, String(port));
      mkdirSync(nodeDir, { recursive: true });
      this.servers.push(
        spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--save', '', '--appendonly', 'no', '--dir', nodeDir], { stdio: 'ignore' }),
      );
    }
    for (const port of this.ports) await waitForPing(port);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...this.nodeList.split(','), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`cluster create failed: ${created.stdout}${created.stderr}`);
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const info = spawnSync('redis-cli', ['-p', String(this.ports[0]), 'cluster', 'info'], { encoding: 'utf8' }).stdout;
      if (info.includes('cluster_state:ok')) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the cluster did not reach cluster_state:ok');
  }

  stop(): void {
    for (const server of this.servers) server.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function waitForPing(port: number): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
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
