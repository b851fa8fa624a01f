/** How exports run; the apps derive these from their configuration. */
export interface ExportSettings {
  /**
   * A run silent this long is taken for dead (its worker killed) and resumed from its checkpoint by
   * another. Runs renew their heartbeat six times per period.
   */
  stuckAfterMs: number;
  /** Counts are saved at most this often while an export runs (never per row). */
  progressIntervalMs: number;
  /** First wait before asking the provider how processing goes; doubles up to `statusCheckMaxMs`. */
  statusCheckMinMs: number;
  statusCheckMaxMs: number;
  /** After this long in PROCESSING, the export FAILS saying the provider never finished (TikTok: 48 h). */
  processingDeadlineMs: number;
}

export const DEFAULT_EXPORT_SETTINGS: ExportSettings = {
  stuckAfterMs: 90 * 1000,
  progressIntervalMs: 2_000,
  statusCheckMinMs: 30 * 1000,
  statusCheckMaxMs: 30 * 60 * 1000,
  processingDeadlineMs: 48 * 60 * 60 * 1000,
};

export abstract class ExportConfig {
  abstract readonly settings: ExportSettings;
}
