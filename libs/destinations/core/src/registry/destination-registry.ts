import type { DestinationProvider } from '../provider/destination-provider';

export class DuplicateProviderError extends Error {
  constructor(id: string) {
    super(`Two destination providers are registered with the id "${id}"; provider ids must be unique.`);
    this.name = 'DuplicateProviderError';
  }
}

/** The providers an app offers, keyed by id. Built once at boot: a duplicate id stops the boot. */
export class DestinationRegistry {
  private readonly providers = new Map<string, DestinationProvider>();

  constructor(providers: readonly DestinationProvider[]) {
    for (const provider of providers) {
      if (this.providers.has(provider.id)) throw new DuplicateProviderError(provider.id);
      this.providers.set(provider.id, provider);
    }
  }

  /** The provider, or undefined when none has the id (callers turn that into their own 404/400). */
  find(id: string): DestinationProvider | undefined {
    return this.providers.get(id);
  }

  list(): DestinationProvider[] {
    return [...this.providers.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
}
