import { sourceAddress } from '../../lib/server/source-address';

describe('sourceAddress', () => {
  test('keeps IPv4 as it is and unwraps IPv4-mapped IPv6', () => {
    expect(sourceAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(sourceAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  test('cuts IPv6 to its /64, so one host cannot count as 2^64 sources', () => {
    expect(sourceAddress('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(sourceAddress('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(sourceAddress('2001:DB8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceAddress('::1')).toBe('0:0:0:0::/64');
    expect(sourceAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  test('answers a fixed word for anything else', () => {
    expect(sourceAddress(undefined)).toBe('none');
    expect(sourceAddress('not an address')).toBe('other');
  });
});
