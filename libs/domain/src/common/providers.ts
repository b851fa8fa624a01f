import type { DestinationProvider, DestinationRegistry } from '@conduit/destinations-core';
import { DomainException, ErrorCode } from './domain.exception';

/** The provider, or a clear error: unknown (with the list of known ids) or not configured here. */
export function requireProvider(registry: DestinationRegistry, id: string): DestinationProvider {
  const provider = registry.find(id);
  if (provider) return provider;
  const unavailable = registry.unavailableReason(id);
  if (unavailable) {
    throw new DomainException(ErrorCode.PROVIDER_NOT_CONFIGURED, unavailable.reason, [
      { field: 'provider', rule: 'configured', message: unavailable.reason },
    ]);
  }
  const known = registry.list().map((candidate) => candidate.id);
  throw new DomainException(ErrorCode.VALIDATION_FAILED, `There is no destination provider "${id}".`, [
    {
      field: 'provider',
      rule: 'isIn',
      message: `must be one of: ${known.length ? known.join(', ') : '(none configured)'}`,
    },
  ]);
}
