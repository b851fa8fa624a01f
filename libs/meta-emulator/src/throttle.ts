import {
  GraphCode,
  GraphSubcode,
  USAGE_HEADERS,
  type WireAdAccountUsage,
  type WireBusinessUseCaseUsage,
} from '@conduit/destinations-meta-wire';
import type { MetaThrottleSettings } from './emulator.options';
import { fail, GRAPH_MESSAGES } from './graph-errors';

/** Calls within a rolling window, oldest first; refused calls are not recorded. */
class Window {
  readonly calls: number[] = [];

  count(now: number, windowMs: number): number {
    while (this.calls.length > 0 && this.calls[0] <= now - windowMs) this.calls.shift();
    return this.calls.length;
  }

  /** Milliseconds until the oldest call leaves the window. */
  untilFree(now: number, windowMs: number): number {
    return this.calls.length === 0 ? 0 : Math.max(0, this.calls[0] + windowMs - now);
  }
}

/**
 * Meta's custom_audience business-use-case limit per ad account (reference §7): `calls + 40 × the
 * account's audiences` per rolling hour, at most 700,000, refused with 80003/2446079 and reported in
 * `X-Business-Use-Case-Usage`; and an app-level limit refused with code 4 (`X-App-Usage`).
 */
export class Throttle {
  private readonly accounts = new Map<string, Window>();
  private readonly apps = new Map<string, Window>();

  constructor(private settings: MetaThrottleSettings) {}

  get current(): MetaThrottleSettings {
    return { ...this.settings };
  }

  configure(settings: Partial<MetaThrottleSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  reset(): void {
    this.accounts.clear();
    this.apps.clear();
  }

  limitFor(audiences: number): number {
    const { customAudienceCalls, perAudienceCalls, maxCalls } = this.settings;
    return Math.min(maxCalls, customAudienceCalls + perAudienceCalls * audiences);
  }

  /** Counts an app's call, or answers code 4; returns the `X-App-Usage` header. */
  app(appId: string, now: number): Record<string, string> {
    const window = this.window(this.apps, appId);
    const used = window.count(now, this.settings.windowMs);
    if (used >= this.settings.appCalls)
      fail(GraphCode.APP_THROTTLED, GRAPH_MESSAGES[GraphCode.APP_THROTTLED], {
        status: this.settings.httpStatus,
        headers: this.appHeader(100),
      });
    window.calls.push(now);
    return this.appHeader(percent(used + 1, this.settings.appCalls));
  }

  /**
   * Counts a call on an ad account's custom audiences, or answers 80003 with the usage header (whose
   * `estimated_time_to_regain_access`, in minutes, says when the oldest call leaves the window).
   */
  adAccount(adAccountId: string, audiences: number, now: number): Record<string, string> {
    const window = this.window(this.accounts, adAccountId);
    const limit = this.limitFor(audiences);
    const used = window.count(now, this.settings.windowMs);
    if (used >= limit) {
      const minutes = Math.ceil(window.untilFree(now, this.settings.windowMs) / 60_000);
      fail(GraphCode.CUSTOM_AUDIENCE_THROTTLED, GRAPH_MESSAGES[GraphCode.CUSTOM_AUDIENCE_THROTTLED], {
        subcode: GraphSubcode.RATE_LIMIT,
        status: this.settings.httpStatus,
        transient: true,
        headers: usageHeader(adAccountId, 100, minutes),
      });
    }
    window.calls.push(now);
    const accountUsage: WireAdAccountUsage = {
      acc_id_util_pct: percent(used + 1, limit),
      reset_time_duration: Math.ceil(window.untilFree(now, this.settings.windowMs) / 1000),
      ads_api_access_tier: 'standard_access',
    };
    return {
      ...usageHeader(adAccountId, percent(used + 1, limit), 0),
      [USAGE_HEADERS.adAccount]: JSON.stringify(accountUsage),
    };
  }

  /** The usage an injected 80003 reports: full, back in a minute. */
  static throttledHeader(adAccountId: string | undefined): Record<string, string> {
    return adAccountId ? usageHeader(adAccountId, 100, 1) : {};
  }

  private appHeader(callCount: number): Record<string, string> {
    return {
      [USAGE_HEADERS.app]: JSON.stringify({
        call_count: callCount,
        total_time: callCount,
        total_cputime: callCount,
      }),
    };
  }

  private window(windows: Map<string, Window>, key: string): Window {
    let window = windows.get(key);
    if (!window) {
      window = new Window();
      windows.set(key, window);
    }
    return window;
  }
}

function percent(used: number, limit: number): number {
  return Math.min(100, Math.round((used / Math.max(1, limit)) * 100));
}

function usageHeader(adAccountId: string, callCount: number, minutes: number): Record<string, string> {
  const usage: WireBusinessUseCaseUsage = {
    [adAccountId]: [
      {
        type: 'custom_audience',
        call_count: callCount,
        total_cputime: Math.min(callCount, 10),
        total_time: Math.min(callCount, 10),
        estimated_time_to_regain_access: minutes,
        ads_api_access_tier: 'standard_access',
      },
    ],
  };
  return { [USAGE_HEADERS.businessUseCase]: JSON.stringify(usage) };
}
