import { javaHostAddress } from './HostAddress';

describe('javaHostAddress', () => {
  it('writes an IPv4 client of a dual-stack listener as IPv4', () => {
    expect(javaHostAddress('::ffff:10.0.0.5')).toBe('10.0.0.5');
    expect(javaHostAddress('::FFFF:127.0.0.1')).toBe('127.0.0.1');
    expect(javaHostAddress('192.168.1.20')).toBe('192.168.1.20');
  });

  it('writes IPv6 as Java does: eight groups, no leading zeros, no ::', () => {
    expect(javaHostAddress('::1')).toBe('0:0:0:0:0:0:0:1');
    expect(javaHostAddress('fe80::a00:27ff:fe4e:66a1%eth0')).toBe('fe80:0:0:0:a00:27ff:fe4e:66a1%eth0');
    expect(javaHostAddress('2001:db8:0:0:1:0:0:1')).toBe('2001:db8:0:0:1:0:0:1');
    expect(javaHostAddress('2001:DB8::8:800:200C:417A')).toBe('2001:db8:0:0:8:800:200c:417a');
    expect(javaHostAddress('::')).toBe('0:0:0:0:0:0:0:0');
  });

  it('leaves anything else alone', () => {
    expect(javaHostAddress('unknown')).toBe('unknown');
  });
});
