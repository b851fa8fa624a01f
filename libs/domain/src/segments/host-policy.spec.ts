import { DataSourceHostPolicy, HostNotAllowedError, HostUnresolvedError } from './host-policy';

describe('DataSourceHostPolicy', () => {
  const closed = new DataSourceHostPolicy([]);

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback range'],
    ['10.1.2.3', 'private 10/8'],
    ['172.20.0.5', 'private 172.16/12'],
    ['192.168.1.1', 'private 192.168/16'],
    ['169.254.169.254', 'cloud metadata (link-local)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['[::1]', 'IPv6 loopback'],
    ['[fd00::1]', 'IPv6 unique local'],
    ['[fe80::1]', 'IPv6 link-local'],
    ['[::ffff:127.0.0.1]', 'IPv4-mapped loopback'],
    ['localhost', 'a name resolving to loopback'],
  ])('refuses %s (%s) unless allowed', async (host) => {
    await expect(closed.check(host)).rejects.toThrow(HostNotAllowedError);
    await expect(closed.check(host)).rejects.toThrow(/DATA_SOURCE_ALLOWED_HOSTS/);
  });

  it('allows public addresses, and answers the address to connect to', async () => {
    await expect(closed.check('8.8.8.8')).resolves.toBe('8.8.8.8');
    await expect(closed.check('[2001:4860:4860::8888]')).resolves.toBe('2001:4860:4860::8888');
  });

  it('allows an internal host listed by name, by address or by range, and nothing next to it', async () => {
    const policy = new DataSourceHostPolicy(['LocalHost', '10.0.0.7', '192.168.10.0/24', 'fd00::/64']);
    await expect(policy.check('localhost')).resolves.toMatch(/^(127\.0\.0\.1|::1)$/);
    await expect(policy.check('10.0.0.7')).resolves.toBe('10.0.0.7');
    await expect(policy.check('192.168.10.200')).resolves.toBe('192.168.10.200');
    await expect(policy.check('[fd00::5]')).resolves.toBe('fd00::5');
    await expect(policy.check('10.0.0.8')).rejects.toThrow(HostNotAllowedError);
    await expect(policy.check('192.168.11.1')).rejects.toThrow(HostNotAllowedError);
    await expect(policy.check('127.0.0.1')).rejects.toThrow(HostNotAllowedError);
  });

  it('judges an IPv4-mapped IPv6 address as the IPv4 address it carries', async () => {
    const policy = new DataSourceHostPolicy(['10.0.0.7']);
    await expect(policy.check('[::ffff:10.0.0.7]')).resolves.toBe('::ffff:10.0.0.7');
    await expect(policy.check('[::ffff:10.0.0.8]')).rejects.toThrow(HostNotAllowedError);
    await expect(closed.check('[::ffff:8.8.8.8]')).resolves.toBe('::ffff:8.8.8.8');
  });

  it('reads a range from prefix 0 to the full length', async () => {
    await expect(new DataSourceHostPolicy(['0.0.0.0/0']).check('10.1.2.3')).resolves.toBe('10.1.2.3');
    const single = new DataSourceHostPolicy(['10.0.0.7/32', 'fd00::7/128']);
    await expect(single.check('10.0.0.7')).resolves.toBe('10.0.0.7');
    await expect(single.check('[fd00::7]')).resolves.toBe('fd00::7');
    await expect(single.check('10.0.0.6')).rejects.toThrow(HostNotAllowedError);
  });

  it.each([
    '10.0.0.0/33',
    '10.0.0.0/8/1',
    'fd00::/129',
    '10.0.0.0/x',
    '10.0.0.0/-1',
    '10.0.0.0/ 8',
    '10.0.0.0/8 ',
  ])('reads %j as a name, not a range: the addresses in it stay refused', async (entry) => {
    const policy = new DataSourceHostPolicy([entry]);
    await expect(policy.check('10.0.0.5')).rejects.toThrow(HostNotAllowedError);
    await expect(policy.check('[fd00::5]')).rejects.toThrow(HostNotAllowedError);
  });

  it('names the host it refuses, as the caller wrote it', async () => {
    await expect(closed.check('[::1]')).rejects.toThrow(
      new HostNotAllowedError(
        '[::1] is on an internal network (loopback, private or link-local address), which data sources may not reach unless the operator allows it (DATA_SOURCE_ALLOWED_HOSTS)',
      ),
    );
  });

  it('says a name does not resolve without the resolver’s details', async () => {
    await expect(closed.check('no-such-host.invalid')).rejects.toThrow(
      new HostUnresolvedError('no-such-host.invalid could not be resolved'),
    );
    // Only a whole bracketed host is an IPv6 literal.
    await expect(closed.check('x[::1]')).rejects.toThrow(
      new HostUnresolvedError('x[::1] could not be resolved'),
    );
    await expect(closed.check('[::1]x')).rejects.toThrow(
      new HostUnresolvedError('[::1]x could not be resolved'),
    );
  });
});
