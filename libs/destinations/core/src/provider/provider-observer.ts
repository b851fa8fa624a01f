/**
 * What a provider's HTTP client and rate limiter tell whoever watches them (the domain's metrics),
 * without depending on it: providers stay free of any metrics library. Every label is bounded: the
 * endpoint is the method and path template (never a URL with ids or a query), the code a status.
 */
export interface ProviderRequestObservation {
  /** The provider id (e.g. `tiktok`). */
  provider: string;
  /** Method and path as the provider's API documents it, e.g. `POST dmp/custom_audience/file/upload/`. */
  endpoint: string;
  /**
   * The HTTP status (`200`, `429`…); the provider's own error code when it answers 2xx with an error in
   * its envelope (TikTok: `40100`…); `timeout` or `network` when no answer came.
   */
  code: string;
  /** From the request leaving (after any rate-limit wait) to its answer read. */
  durationSeconds: number;
}

export interface RateLimitWaitObservation {
  provider: string;
  /** How long one request waited for its slot under the shared limit. */
  waitedSeconds: number;
}

export interface ProviderObserver {
  requestFinished(observation: ProviderRequestObservation): void;
  rateLimitWaited(observation: RateLimitWaitObservation): void;
}

/** Tells the observer, never letting its failure reach the call being observed. */
export function notifyObserver(
  observer: ProviderObserver | undefined,
  notify: (observer: ProviderObserver) => void,
): void {
  if (!observer) return;
  try {
    notify(observer);
  } catch {
    // Metrics are best effort: a broken observer never fails an export.
  }
}
