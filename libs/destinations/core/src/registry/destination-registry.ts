import type { DestinationProvider } from '../provider/destination-provider';

export class DuplicateProviderError extends Error {
  constructor(id: string) {
    super(`Two destination providers are registered with the id "${id}"; provider ids must be unique.`);
    this.name = 'DuplicateProviderError';
  }
}

/** A provider this build knows but this deployment has not configured (e.g. its app secret is unset). */
export interface UnavailableProvider {
  id: string;
  displayName: string;
  /** What an operator must do to enable it, e.g. "set TIKTOK_APP_ID and TIKTOK_APP_SECRET". */
  reason: string;
}

/** The providers an app offers, keyed by id. Built once at boot: a duplicate id stops the boot. */
export class DestinationRegistry {
  private readonly providers = new Map<string, DestinationProvider>();
  private readonly unavailable = new Map<string, UnavailableProvider>();

  constructor(providers: readonly DestinationProvider[], unavailable: readonly UnavailableProvider[] = []) {
    for (const provider of providers) {
      if (this.providers.has(provider.id)) throw new DuplicateProviderError(provider.id);
      this.providers.set(provider.id, provider);
    }
    for (const entry of unavailable) {
      if (this.providers.has(entry.id) || this.unavailable.has(entry.id))
        throw new DuplicateProviderError(entry.id);
      this.unavailable.set(entry.id, entry);
    }
  }

  /** Why a known provider cannot be used here, or undefined when it is configured or unknown. */
  unavailableReason(id: string): UnavailableProvider | undefined {
    return this.unavailable.get(id);
  }

  /** The provider, or undefined when none has the id (callers turn that into their own 404/400). */
  find(id: string): DestinationProvider | undefined {
    return this.providers.get(id);
  }

  /** Known providers this deployment has not configured, by id. */
  listUnavailable(): UnavailableProvider[] {
    return [...this.unavailable.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  list(): DestinationProvider[] {
    return [...this.providers.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
}
