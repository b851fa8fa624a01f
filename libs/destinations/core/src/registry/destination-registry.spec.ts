import type { DestinationProvider } from '../provider/destination-provider';
import { DestinationRegistry, DuplicateProviderError } from './destination-registry';

const provider = (id: string) => ({ id }) as DestinationProvider;

describe('DestinationRegistry', () => {
  it('finds providers by id and lists them sorted', () => {
    const registry = new DestinationRegistry([provider('tiktok'), provider('acme')]);
    expect(registry.find('tiktok')?.id).toBe('tiktok');
    expect(registry.find('nope')).toBeUndefined();
    expect(registry.list().map((p) => p.id)).toEqual(['acme', 'tiktok']);
  });

  it('refuses duplicate ids at construction (boot)', () => {
    expect(() => new DestinationRegistry([provider('tiktok'), provider('tiktok')])).toThrow(
      DuplicateProviderError,
    );
    expect(() => new DestinationRegistry([provider('tiktok'), provider('tiktok')])).toThrow(
      'Two destination providers are registered with the id "tiktok"',
    );
  });

  it('tells why a known provider is unavailable, and refuses one listed twice', () => {
    const unavailable = { id: 'acme', displayName: 'Acme Ads', reason: 'set ACME_APP_ID' };
    const registry = new DestinationRegistry([provider('tiktok')], [unavailable]);
    expect(registry.find('acme')).toBeUndefined();
    expect(registry.unavailableReason('acme')).toEqual(unavailable);
    expect(registry.unavailableReason('tiktok')).toBeUndefined();
    expect(registry.listUnavailable()).toEqual([unavailable]);
    expect(() => new DestinationRegistry([provider('acme')], [unavailable])).toThrow(DuplicateProviderError);
  });
});
