import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Address ranges a data-source URL may not reach unless the operator allows them: the platform's own
 * machine and network (loopback, private, link-local — cloud metadata lives at 169.254.169.254 —,
 * carrier-grade NAT, unspecified, multicast and reserved). A tenant must not use Conduit to probe
 * what listens next to it.
 */
const INTERNAL_RANGES: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 3, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

/** Why a host was refused, for the caller (no more than what they already know: their own host name). */
export class HostNotAllowedError extends Error {}

/** A host could not be resolved at all. */
export class HostUnresolvedError extends Error {}

/**
 * Which hosts data sources may reach (`DATA_SOURCE_ALLOWED_HOSTS`): public addresses always; an
 * internal address only when its host name, its address or a range holding it is listed.
 * `check()` resolves the name once and returns the address to connect to, so a DNS answer that
 * changes between the check and the connection (rebinding) cannot slip an internal address through.
 */
export class DataSourceHostPolicy {
  private readonly internal = new BlockList();
  private readonly allowedRanges = new BlockList();
  private readonly allowedNames = new Set<string>();

  constructor(allowed: readonly string[]) {
    for (const [address, prefix, family] of INTERNAL_RANGES) this.internal.addSubnet(address, prefix, family);
    for (const entry of allowed) {
      const range = parseRange(entry);
      if (range) this.allowedRanges.addSubnet(range.address, range.prefix, range.family);
      else this.allowedNames.add(entry.toLowerCase());
    }
  }

  /** The address to connect to for `host`, or an error saying why it may not be reached. */
  async check(host: string): Promise<string> {
    const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const addresses = isIP(name) ? [{ address: name, family: isIP(name) }] : await resolve(name);
    const refused = addresses.filter(({ address, family }) => !this.allows(name, address, family));
    if (refused.length > 0) {
      throw new HostNotAllowedError(
        `${host} is on an internal network (loopback, private or link-local address), which data sources may not reach unless the operator allows it (DATA_SOURCE_ALLOWED_HOSTS)`,
      );
    }
    return addresses[0].address;
  }

  private allows(name: string, address: string, family: number): boolean {
    // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) matches the IPv4 ranges: BlockList checks it as both.
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (!this.internal.check(address, type)) return true;
    return this.allowedNames.has(name) || this.allowedRanges.check(address, type);
  }
}

async function resolve(name: string): Promise<Array<{ address: string; family: number }>> {
  try {
    // Answers in the resolver's order (Node's default since 17: verbatim); never an empty list (ENOTFOUND).
    return await lookup(name, { all: true });
  } catch {
    // Without the resolver's details.
    throw new HostUnresolvedError(`${name} could not be resolved`);
  }
}

/** An address or CIDR range (the config's IsHostList admits no brackets); anything else is a name. */
function parseRange(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address, bits, extra] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  // Digits only, so never negative; NaN fails the comparison too.
  if (!(prefix <= max)) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}
