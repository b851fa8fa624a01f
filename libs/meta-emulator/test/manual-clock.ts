import type { EmulatorClock } from '../src';

/** A clock that stands still until a spec moves it: lifetimes and windows are crossed on purpose. */
export class ManualClock implements EmulatorClock {
  private current: number;

  constructor(start = Date.parse('2026-03-01T12:00:00.000Z')) {
    this.current = start;
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
