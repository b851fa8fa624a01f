/** How segments behave; the apps derive these from their configuration. */
export interface SegmentSettings {
  /** Root of the segment row store and the upload staging area. */
  dataDir: string;
  /** How long a segment stays READY after it is materialized (the seed: 36 hours). */
  readyWindowMs: number;
  /** How long rows of an EXPIRED segment are kept before they are deleted. */
  retentionAfterExpiryMs: number;
  /** A SQL source's statement timeout. */
  sqlTimeoutMs: number;
  /** Most rows a SQL source may return. */
  sqlRowLimit: number;
  /** Largest CSV upload (compressed size as sent). */
  uploadMaxBytes: number;
  /**
   * A run silent this long is considered dead and retried (or failed after three attempts). Runs renew
   * their heartbeat six times per period, so a live run is never taken for a dead one; maintenance
   * (every 30 s by default) notices a killed one within this period plus one maintenance round.
   */
  stuckAfterMs: number;
  /**
   * Internal hosts data sources may reach (host names, addresses, CIDR ranges); public addresses are
   * always allowed, loopback and private ones only when listed.
   */
  dataSourceAllowedHosts: readonly string[];
}

export const DEFAULT_SEGMENT_SETTINGS: Omit<SegmentSettings, 'dataDir'> = {
  readyWindowMs: 36 * 60 * 60 * 1000,
  retentionAfterExpiryMs: 24 * 60 * 60 * 1000,
  sqlTimeoutMs: 10 * 60 * 1000,
  sqlRowLimit: 50_000_000,
  uploadMaxBytes: 1024 * 1024 * 1024,
  stuckAfterMs: 90 * 1000,
  dataSourceAllowedHosts: [],
};

export abstract class SegmentConfig {
  abstract readonly settings: SegmentSettings;
}
