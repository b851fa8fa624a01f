// @conduit/emulator-kit: what the platform emulators (libs/tiktok-emulator, libs/meta-emulator) and
// their apps share: the seeded fault injector and its validation, the generic fault answers, bounded
// body reading and JSON answers, the HTTP server, the process bootstrap. Each platform keeps its
// envelopes, codes and routes, and passes what differs in.
export {
  FaultInjector,
  type FaultPolicy,
  type LatencySettings,
  type NumericKey,
  type ScheduledFaultBase,
} from './fault-injector';
export { faultAdminAnswer, type AdminAnswer, type FaultAdminPolicy } from './fault-admin';
export { invalidFaultSettings, invalidOutcome, invalidTimes } from './fault-validation';
export { HUGE_BODY_BYTES, sendCutBody, sendHugeBody, sendNotJson, withoutFields } from './fault-answers';
export {
  BodyTooLargeError,
  JSON_CONTENT_TYPE,
  readBody,
  sendHtml,
  sendJson,
  sendText,
  sleep,
  type Json,
} from './http-io';
export { EmulatorServer } from './http-server';
export {
  runEmulatorProcess,
  type EmulatorProcess,
  type ProcessPort,
  type StartedEmulator,
} from './emulator-process';
