import { describeProviderConformance } from '@conduit/destinations-core/testing';
import type { InspectedAudience } from '@conduit/meta-emulator';
import { AD_ACCOUNT, APP, emailHashes, startMetaWorld, type MetaWorld } from './meta-fixture';

let world: MetaWorld;
const ROWS = 400;

describeProviderConformance(
  'MetaProvider (against the emulator)',
  async () => {
    // Small batches so the export sends several, each checkpointed.
    world = await startMetaWorld({}, { batchRows: 60 });
    const revokedToken = await world.logIn();
    world.running.emulator.revokeTokens({ accessToken: revokedToken });
    const expected = [...emailHashes(ROWS)].sort();
    return {
      provider: world.provider,
      configFor: (label) => ({
        adAccountId: AD_ACCOUNT,
        audienceName: `Conformance ${label}`,
        action: 'Create',
        customerFileSource: 'USER_PROVIDED_ONLY',
      }),
      accountIds: [AD_ACCOUNT],
      credentials: { accessToken: world.accessToken },
      revokedCredentials: { accessToken: revokedToken },
      mapping: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
      rows: async function* () {
        for (let index = 0; index < ROWS; index++) yield { email: `user${index}@example.com` };
        for (let index = 0; index < 20; index++) yield { email: `user${index}@example.com` }; // duplicates
        yield { email: 'not an email' };
      },
      distinctValues: ROWS,
      secrets: [world.accessToken, revokedToken, APP.secret],
      inspect: async (config) => {
        const { audiences } = await world.inspect<{ audiences: { audience_id: string; name: string }[] }>(
          '/audiences',
        );
        const named = audiences.filter((audience) => audience.name === config['audienceName']);
        let identifiers = 0;
        for (const summary of named) {
          const audience = await world.inspect<InspectedAudience>(`/audiences/${summary.audience_id}`);
          // The exact set: every email of the segment, hashed, once.
          expect(audience.identifiers.EMAIL).toEqual(expected);
          identifiers += audience.size;
        }
        return { objects: named.length, identifiers };
      },
      acceptedUploads: async () =>
        world.running.emulator.requests.filter(
          (entry) => entry.route === 'POST /{audience_id}/users' && entry.code === null,
        ).length,
      uploadsCoveredBy: (checkpoint) => (checkpoint.state['sent'] as { chunks: number }).chunks,
    };
  },
  () => world.close(),
);
