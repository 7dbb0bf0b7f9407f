import { Injectable } from '@nestjs/common';
import type { Principal, RedisSlowlogResetResponse, RedisSlowlogResponse } from '@ccc/shared-types';
import { isAdmin } from '../access/privileges.js';
import { isOfRefusedSource, redactedCommand } from './key-access.js';
import { KeyAccessService } from './key-access.service.js';
import { RedisAdminRepository } from './redis-admin.repository.js';
import { capElement } from './value-preview.js';

/** The slow log of every node (commands on keys of refused sources redacted) and its reset. */
@Injectable()
export class RedisSlowlogService {
  constructor(
    private readonly redis: RedisAdminRepository,
    private readonly access: KeyAccessService,
  ) {}

  /**
   * The slow log of every node. Its entries hold any client's command arguments (other applications' values, cached
   * rows): admins see them capped in size; everyone else sees the command name and, when it is one of the service's
   * own keys, the key — every other argument is redacted. A command on a key of a refused source is redacted for all.
   */
  async slowlog(limit: number, actor: Principal): Promise<RedisSlowlogResponse> {
    const access = await this.access.of(actor);
    const commandOf = (args: string[]): string[] =>
      isAdmin(actor) && !(args.length > 1 && isOfRefusedSource(access, args[1]))
        ? [
            ...args.slice(0, 12).map((arg) => capElement(arg, 120).text),
            ...(args.length > 12 ? [`… (+${args.length - 12} more)`] : []),
          ]
        : redactedCommand(args, access);
    const nodes = this.redis.nodes();
    const perNode = await Promise.all(
      nodes.map(async (node) => {
        const [entries, length, slowerThan, maxLength] = await Promise.all([
          this.redis.slowlog(node, limit),
          this.redis.slowlogLength(node),
          this.redis.config(node, 'slowlog-log-slower-than'),
          this.redis.config(node, 'slowlog-max-len'),
        ]);
        return { node, entries, length, slowerThan, maxLength };
      }),
    );
    return {
      entries: perNode
        .flatMap(({ node, entries }) =>
          entries.map((entry) => ({
            node: node.name,
            id: entry.id,
            timestamp: new Date(entry.timestamp * 1000).toISOString(),
            durationMicros: entry.durationMicros,
            command: commandOf(entry.args),
            clientAddress: entry.clientAddress,
            clientName: entry.clientName,
          })),
        )
        .sort((a, b) => b.timestamp.localeCompare(a.timestamp) || b.durationMicros - a.durationMicros)
        .slice(0, limit),
      nodes: perNode.map(({ node, length, slowerThan, maxLength }) => ({
        node: node.name,
        length,
        slowerThanMicros: slowerThan === null ? null : Number(slowerThan),
        maxLength: maxLength === null ? null : Number(maxLength),
      })),
    };
  }

  async resetSlowlog(): Promise<RedisSlowlogResetResponse> {
    const nodes = this.redis.nodes();
    await Promise.all(nodes.map((node) => this.redis.slowlogReset(node)));
    return { nodesReset: nodes.length };
  }
}
