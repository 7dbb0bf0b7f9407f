import { isIP } from 'node:net';

/**
 * What a per-client limit counts for an address: an IPv4 address as it is, an IPv6 address by its /64 — one host
 * (one customer line, one cloud instance) usually holds a whole /64, so counting single IPv6 addresses would give
 * it 2^64 fresh budgets. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) counts as its IPv4 address.
 */
export function clientBucket(ip: string | null): string {
  if (!ip) return 'unknown';
  if (isIP(ip) !== 6) return ip;
  const groups = ipv6Groups(ip);
  if (!groups) return ip;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted IPv4 part converted). */
function ipv6Groups(address: string): number[] | null {
  const plain = address.split('%')[0];
  const halves = plain.split('::');
  if (halves.length > 2) return null;
  const parts = halves.map((half) => (half === '' ? [] : half.split(':')));
  const last = parts[parts.length - 1];
  const dotted = last[last.length - 1];
  if (dotted?.includes('.')) {
    const octets = dotted.split('.').map(Number);
    last.splice(
      last.length - 1,
      1,
      ((octets[0] << 8) | octets[1]).toString(16),
      ((octets[2] << 8) | octets[3]).toString(16),
    );
  }
  const missing = 8 - parts.reduce((sum, part) => sum + part.length, 0);
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return null;
  const groups = [...parts[0], ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...(parts[1] ?? [])].map(
    (group) => parseInt(group, 16),
  );
  return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff)
    ? groups
    : null;
}
