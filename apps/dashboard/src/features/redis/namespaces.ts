/** What each key namespace the service reports holds, in words. */
export const NAMESPACE_LABELS: Record<string, string> = {
  'analytics-entry': 'Analytics cache entries',
  'analytics-index': 'Analytics index sets',
  'analytics-meta': 'Live-generation pointers',
  'analytics-stats': 'Analytics counters',
  lock: 'Locks',
  queue: 'Queue keys',
  'rate-limit': 'Rate limits',
  lease: 'Leases',
  service: 'Service state',
  other: 'Other',
};

export function namespaceLabel(namespace: string): string {
  return NAMESPACE_LABELS[namespace] ?? namespace;
}
