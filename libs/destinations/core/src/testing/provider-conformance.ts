import { isDestinationError } from '../errors/destination-errors';
import { KEY_ENCODINGS, KEY_TYPES } from '../identifiers/identifier-types';
import type {
  DestinationProvider,
  ExportCheckpoint,
  ExportReporter,
  KeyMapping,
  ProviderCredentials,
  SegmentRow,
} from '../provider/destination-provider';
import { validateConfig, type ConfigValues } from '../schema/field-schema';

/** What a provider's spec hands the conformance suite: a provider wired to a real (or emulated) backend. */
export interface ConformanceSubject {
  provider: DestinationProvider;
  /** A valid, resolved config for an export, distinct per `label` (e.g. its audience name). */
  configFor(label: string): ConfigValues;
  accountIds: readonly string[];
  credentials: ProviderCredentials;
  /** Credentials the backend refuses (e.g. a revoked token). */
  revokedCredentials: ProviderCredentials;
  mapping: readonly KeyMapping[];
  /** A deterministic segment: `rows()` yields the same rows every time it is called. */
  rows(): AsyncIterable<SegmentRow>;
  /** Distinct valid key values in `rows()`. */
  distinctValues: number;
  /** Secrets that must never appear in an error (tokens, app secrets). */
  secrets: readonly string[];
  /** Objects (audiences) the backend holds for the config, and the distinct identifiers in them. */
  inspect(config: ConfigValues): Promise<{ objects: number; identifiers: number }>;
  /** Uploads the backend accepted so far (all configs): proves a resume re-sends nothing. */
  acceptedUploads(): Promise<number>;
  /** Uploads a checkpoint records as accepted (the provider's own checkpoint format). */
  uploadsCoveredBy(checkpoint: ExportCheckpoint): number;
}

class SimulatedCrash extends Error {}

/** Records checkpoints durably (in memory), and "crashes" right after storing the Nth one. */
function crashingReporter(crashAfter: number | undefined) {
  const stored: ExportCheckpoint[] = [];
  const reporter: ExportReporter = {
    async checkpoint(checkpoint) {
      stored.push(JSON.parse(JSON.stringify(checkpoint)) as ExportCheckpoint);
      if (crashAfter !== undefined && stored.length === crashAfter)
        throw new SimulatedCrash('simulated crash after a checkpoint');
    },
  };
  return { reporter, stored };
}

/**
 * The suite every provider's spec runs: identity, field schema, keys and limits, authorization URL,
 * typed errors without secrets, and an export that resumes from its checkpoint without re-sending
 * what the backend already accepted.
 */
export function describeProviderConformance(
  name: string,
  setup: () => Promise<ConformanceSubject>,
  teardown: () => Promise<void> = async () => undefined,
): void {
  describe(`${name} conforms to the DestinationProvider contract`, () => {
    let subject: ConformanceSubject;
    let provider: DestinationProvider;

    beforeAll(async () => {
      subject = await setup();
      provider = subject.provider;
    }, 120_000);

    afterAll(() => teardown(), 60_000);

    it('has a well-formed identity', () => {
      expect(provider.id).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(provider.displayName.trim()).not.toBe('');
      expect(provider.documentationUrl).toMatch(/^https:\/\//);
    });

    it('has a well-formed field schema', () => {
      const keys = provider.fields.map((field) => field.key);
      expect(new Set(keys).size).toBe(keys.length);
      for (const field of provider.fields) {
        expect(field.key).toMatch(/^[a-z][A-Za-z0-9]*$/);
        expect(field.label.trim()).not.toBe('');
        expect(field.description.trim()).not.toBe('');
        expect(typeof field.editable).toBe('boolean');
        if (field.type === 'enum') expect(field.rules?.values?.length).toBeGreaterThan(0);
        if (field.rules?.min !== undefined && field.rules.max !== undefined)
          expect(field.rules.min).toBeLessThanOrEqual(field.rules.max);
        if (field.rules?.pattern)
          expect(() => new RegExp(field.rules?.pattern?.regex as string, 'u')).not.toThrow();
        // The documented example and the default satisfy the field's own rules.
        const base = subject.configFor('schema');
        for (const sample of [field.example, field.default].filter((value) => value !== undefined)) {
          const problems = validateConfig(provider.fields, { ...base, [field.key]: sample }).filter(
            (problem) => problem.field === `config.${field.key}`,
          );
          expect(problems).toEqual([]);
        }
      }
    });

    it('accepts the subject config and names every missing required field', () => {
      const config = subject.configFor('schema');
      expect(validateConfig(provider.fields, config, { accountIds: subject.accountIds })).toEqual([]);
      for (const field of provider.fields.filter(
        (candidate) => candidate.required && candidate.default === undefined,
      )) {
        const { [field.key]: _omitted, ...rest } = config;
        expect(validateConfig(provider.fields, rest)).toContainEqual(
          expect.objectContaining({ field: `config.${field.key}`, rule: 'required' }),
        );
      }
    });

    it('declares supported keys and sane limits', () => {
      expect(provider.keys.types.length).toBeGreaterThan(0);
      for (const type of provider.keys.types) expect(KEY_TYPES).toContain(type);
      for (const encoding of provider.keys.encodings) expect(KEY_ENCODINGS).toContain(encoding);
      expect(provider.keys.minKeys).toBeGreaterThanOrEqual(1);
      // A key type received unhashed is one the provider takes, and only a RAW column can be mapped to it.
      const plainTypes = provider.keys.plainTypes ?? [];
      for (const type of plainTypes) expect(provider.keys.types).toContain(type);
      if (plainTypes.length > 0) expect(provider.keys.encodings).toContain('RAW');
      for (const value of Object.values(provider.limits)) expect(value).toBeGreaterThan(0);
    });

    it('builds an authorize URL carrying the state and redirect URI', () => {
      const url = new URL(
        provider.authorization.buildAuthorizeUrl({
          state: 'st4te',
          redirectUri: 'https://conduit.example/oauth/callback/x',
        }),
      );
      expect(url.protocol).toMatch(/^https?:$/);
      expect(url.toString()).toContain('st4te');
      expect(url.toString()).toContain(encodeURIComponent('https://conduit.example/oauth/callback/x'));
      expect(provider.authorization.callbackCodeParameter).toMatch(/^[a-z_]+$/);
    });

    it('throws typed errors that carry no secret', async () => {
      const failures: unknown[] = [];
      await provider.authorization
        .checkHealth(subject.revokedCredentials)
        .catch((error: unknown) => failures.push(error));
      const { reporter } = crashingReporter(undefined);
      await provider
        .export(
          {
            exportId: 'conformance-revoked',
            rows: () => subject.rows(),
            mapping: subject.mapping,
            config: subject.configFor('revoked'),
            credentials: subject.revokedCredentials,
          },
          reporter,
        )
        .catch((error: unknown) => failures.push(error));
      expect(failures).toHaveLength(2);
      for (const failure of failures) {
        expect(isDestinationError(failure)).toBe(true);
        expect(failure).toMatchObject({ kind: 'INVALID_CREDENTIALS', retryable: false });
        const text = `${String(failure)} ${JSON.stringify(failure)} ${(failure as Error).stack ?? ''}`;
        for (const secret of subject.secrets) expect(text).not.toContain(secret);
      }
    });

    it('resumes an interrupted export without re-sending what was accepted', async () => {
      const run = (config: ConfigValues, checkpoint: ExportCheckpoint | null, crashAfter?: number) => {
        const { reporter, stored } = crashingReporter(crashAfter);
        const request = {
          exportId: `conformance-${String(config[provider.fields[1]?.key ?? 'x'])}`,
          rows: () => subject.rows(),
          mapping: subject.mapping,
          config,
          credentials: subject.credentials,
          checkpoint,
        };
        return { promise: provider.export(request, reporter), stored };
      };
      const before = await subject.acceptedUploads();
      const clean = run(subject.configFor('clean'), null);
      const cleanResult = await clean.promise;
      const cleanUploads = (await subject.acceptedUploads()) - before;
      expect(cleanResult.counts.uploaded).toBe(subject.distinctValues);

      const resumedConfig = subject.configFor('resumed');
      const crashed = run(resumedConfig, null, 2);
      await expect(crashed.promise).rejects.toBeInstanceOf(SimulatedCrash);
      const lastCheckpoint = crashed.stored[crashed.stored.length - 1];
      const covered = subject.uploadsCoveredBy(lastCheckpoint);
      const crashedUploads = (await subject.acceptedUploads()) - before - cleanUploads;
      const resumed = run(resumedConfig, lastCheckpoint);
      const resumedResult = await resumed.promise;
      const resumedUploads = (await subject.acceptedUploads()) - before - cleanUploads - crashedUploads;

      // The crash left part of the work recorded; the resume sends exactly what the checkpoint does not
      // cover. (An upload in flight at the crash was never checkpointed, so the resume sends it again;
      // the backend dedupes identifiers, which the inspection below proves.)
      expect(covered).toBeGreaterThan(0);
      expect(crashedUploads).toBeGreaterThanOrEqual(covered);
      expect(resumedUploads).toBe(cleanUploads - covered);
      expect(resumedResult.counts).toEqual(cleanResult.counts);
      expect(await subject.inspect(resumedConfig)).toEqual({
        objects: 1,
        identifiers: subject.distinctValues,
      });
      expect(await subject.inspect(subject.configFor('clean'))).toEqual({
        objects: 1,
        identifiers: subject.distinctValues,
      });
    }, 120_000);
  });
}
