// @conduit/meta-emulator: a faithful local Meta Marketing API (customer-list custom audiences),
// served by apps/meta-emulator and started in-process by test suites (`startMetaEmulator`).
export { MetaEmulator, type AnswerAlteration } from './meta-emulator';
export type { RequestLogEntry } from './graph-call';
export {
  DEFAULT_META_EMULATOR_OPTIONS,
  DEFAULT_THROTTLE,
  NO_FAULTS,
  SYSTEM_CLOCK,
  withDefaults,
  type EmulatorClock,
  type MetaEmulatorAdAccount,
  type MetaEmulatorApp,
  type MetaEmulatorOptions,
  type MetaEmulatorUser,
  type MetaFaultSettings,
  type MetaThrottleSettings,
} from './emulator.options';
export { FAULT_OUTCOMES, type FaultOutcome, type ScheduledFault } from './faults';
export { HUGE_BODY_BYTES, USED_FIELDS } from './fault-answers';
export { REVOKE_REASONS, type RevokeReason } from './token-store';
export { KNOWN_SCOPES } from './dialog-page';
export { startMetaEmulator, type RunningMetaEmulator } from './start-emulator';
export type {
  AudienceSummary,
  InspectedAudience,
  InspectedBatch,
  InspectedSession,
} from './inspection.types';
