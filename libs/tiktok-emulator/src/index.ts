// @conduit/tiktok-emulator: a faithful local TikTok Marketing API v1.3, served by apps/tiktok-emulator
// and started in-process by test suites (`startTikTokEmulator`).
export { TikTokEmulator, type AnswerAlteration, type RequestLogEntry } from './tiktok-emulator';
export {
  DEFAULT_EMULATOR_OPTIONS,
  NO_FAULTS,
  SYSTEM_CLOCK,
  withDefaults,
  type EmulatorAdvertiser,
  type EmulatorApp,
  type EmulatorClock,
  type EmulatorOptions,
  type FaultSettings,
} from './emulator.options';
export { FAULT_OUTCOMES, type FaultOutcome, type ScheduledFault } from './faults';
export { HUGE_BODY_BYTES, USED_FIELDS } from './fault-answers';
export { TIKTOK_MESSAGES, TikTokCode } from './tiktok-codes';
export { SINGLE_CALCULATE_TYPES, type CalculateType, type SingleCalculateType } from './calculate-types';
export { xorDigest } from './audience-store';
export { startTikTokEmulator, type RunningEmulator } from './start-emulator';
