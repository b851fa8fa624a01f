/**
 * What a provider's environment section is applied to: `BaseEnv`, or `BaseEnv` with other sections
 * already applied. A section is a mixin (see `tiktok.env.ts`) so that every app keeps ONE flat,
 * validated schema that reports all problems at once; TypeScript requires a mixin's base to be a
 * constructor of `any[]` (environment classes take no arguments).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeScript's rule for mixin bases (TS2545)
export type EnvClass = new (...args: any[]) => object;

/** class-validator's `IsUrl` options for the providers' URLs: http or https, hosts without a TLD allowed. */
export const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
