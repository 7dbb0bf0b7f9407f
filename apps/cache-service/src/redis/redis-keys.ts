/**
 * The one place that formats Redis key names. Keys of one datasource carry the hash tag `{ds:<id>}`
 * so that they share a Redis Cluster slot; service-wide keys live under the `ccc:` namespace.
 */
export const SERVICE_PREFIX = 'ccc';

export const RedisKeys = {
  /** Fixed-window rate-limit counter of one tracker (user, API key or IP) for one named limit. */
  throttleHits: (limitName: string, tracker: string): string => `${SERVICE_PREFIX}:throttle:{${tracker}}:${limitName}:hits`,
  throttleBlock: (limitName: string, tracker: string): string => `${SERVICE_PREFIX}:throttle:{${tracker}}:${limitName}:block`,
  /** Lease that lets one replica run a periodic task. */
  lease: (task: string): string => `${SERVICE_PREFIX}:lease:${task}`,
} as const;
