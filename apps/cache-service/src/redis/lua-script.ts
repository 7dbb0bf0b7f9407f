import { createHash } from 'node:crypto';
import type { RedisClient } from './redis.module.js';

type Argument = string | number | Buffer;

// Scripts are module constants, so this holds one digest per script the process runs.
const digests = new Map<string, string>();

const digestOf = (script: string): string => {
  let sha = digests.get(script);
  if (sha === undefined) {
    sha = createHash('sha1').update(script).digest('hex');
    digests.set(script, sha);
  }
  return sha;
};

const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.startsWith('NOSCRIPT');

/**
 * EVAL by digest: EVALSHA, and the script's text only when Redis does not hold it (after a restart, a SCRIPT FLUSH,
 * or on a Cluster node that has not run it yet); the EVAL loads it for the next call. For scripts on a hot path:
 * EVAL sends the whole text and Redis hashes it again on every call.
 */
export async function evalByDigest(
  redis: RedisClient,
  script: string,
  numKeys: number,
  ...args: Argument[]
): Promise<unknown> {
  try {
    return await redis.evalsha(digestOf(script), numKeys, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return redis.eval(script, numKeys, ...args);
  }
}
