import { clientBucket } from './client-address.js';

describe('clientBucket', () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['2001:0db8:0001:0002:0:0:0:9', '2001:db8:1:2::/64'],
  ])('%s counts as %s', (address, bucket) => {
    expect(clientBucket(address)).toBe(bucket);
  });

  it('puts every address of one /64 in one bucket and other /64s in others', () => {
    expect(clientBucket('2001:db8:1:2::a')).toBe(clientBucket('2001:db8:1:2:ffff::b'));
    expect(clientBucket('2001:db8:1:3::a')).not.toBe(clientBucket('2001:db8:1:2::a'));
  });

  it('keeps an unknown client in one bucket', () => {
    expect(clientBucket(null)).toBe('unknown');
  });
});
