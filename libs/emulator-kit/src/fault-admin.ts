import type { FaultInjector, LatencySettings, ScheduledFaultBase } from './fault-injector';
import type { Json } from './http-io';

/** What the fault routes of an emulator's admin API need from its platform. */
export interface FaultAdminPolicy<Scheduled> {
  /** Why fault settings are refused, or undefined when they are fine. */
  invalidSettings(settings: Record<string, unknown>): string | undefined;
  /** Why a scheduled fault is refused, or undefined when it is fine. */
  invalidScheduled(fault: Partial<Scheduled>): string | undefined;
  /** The fault to schedule from a valid body (`times` absent there means once). */
  scheduled(fault: Partial<Scheduled>): Scheduled;
}

/** An admin answer: its HTTP status and JSON body. */
export interface AdminAnswer {
  status: number;
  body: unknown;
}

/**
 * The fault routes of an emulator's admin API, the same on every emulator: `GET /faults` (settings
 * and scheduled faults), `POST /faults` (settings, and `seed` to restart the draws), `POST
 * /faults/next` (schedule a fault), `DELETE /faults/next` (forget those not used up). Each answers
 * the injector's state; undefined when `method path` is none of them.
 */
export function faultAdminAnswer<
  Settings extends LatencySettings,
  Scheduled extends ScheduledFaultBase,
  Injected extends object,
>(
  faults: FaultInjector<Settings, Scheduled, Injected>,
  policy: FaultAdminPolicy<Scheduled>,
  method: string,
  path: string,
  body: Json,
): AdminAnswer | undefined {
  const current = (): AdminAnswer => ({ status: 200, body: faults.current });
  const refused = (error: string): AdminAnswer => ({ status: 400, body: { error } });
  if (method === 'GET' && path === '/faults') return current();
  if (method === 'POST' && path === '/faults') {
    const { seed, ...settings } = body as Partial<Settings> & { seed?: number };
    const invalid = policy.invalidSettings(settings);
    if (invalid) return refused(invalid);
    if (seed !== undefined && !Number.isInteger(seed)) return refused('seed must be an integer');
    faults.configure(settings as Partial<Settings>, seed);
    return current();
  }
  if (method === 'POST' && path === '/faults/next') {
    const fault = body as Partial<Scheduled>;
    const invalid = policy.invalidScheduled(fault);
    if (invalid) return refused(invalid);
    faults.schedule(policy.scheduled(fault));
    return current();
  }
  if (method === 'DELETE' && path === '/faults/next') {
    faults.clear();
    return current();
  }
  return undefined;
}
