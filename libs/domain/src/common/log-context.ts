import { AsyncLocalStorage } from 'node:async_hooks';

/** Ids every log line written while working on one thing carries (pino's `mixin` adds them). */
export interface LogBindings {
  exportId?: string;
  segmentId?: string;
}

const storage = new AsyncLocalStorage<LogBindings>();

/** The ids bound to the work under way, if any: the apps' loggers merge them into every line. */
export function logContext(): LogBindings | undefined {
  return storage.getStore();
}

/** Runs `work` with these ids bound to every log line it writes (and its provider calls, retries…). */
export function withLogContext<T>(bindings: LogBindings, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...bindings }, work);
}
