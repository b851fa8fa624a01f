import { describeProviderConformance } from '@conduit/destinations-core/testing';
import { xorDigest } from '@conduit/tiktok-emulator';
import {
  ADVERTISER,
  APP,
  emailHashes,
  emailRows,
  startTikTokWorld,
  type TikTokWorld,
} from './tiktok-fixture';

let world: TikTokWorld;
const ROWS = 400;

describeProviderConformance(
  'TikTokProvider (against the emulator)',
  async () => {
    // Small files so the export makes several uploads and checkpoints.
    world = await startTikTokWorld({}, { maxFileBytes: 65 * 60 });
    const revoked = await startTikTokWorld();
    const revokedToken = revoked.accessToken;
    await revoked.close();
    world.running.emulator.revokeTokens({ accessToken: revokedToken });
    const expectedDigest = xorDigest(emailHashes(ROWS));
    return {
      provider: world.provider,
      configFor: (label) => ({
        advertiserId: ADVERTISER,
        audienceName: `Conformance ${label}`,
        action: 'Create',
        phoneHashFormat: 'E164_WITH_PLUS',
      }),
      accountIds: [ADVERTISER],
      credentials: { accessToken: world.accessToken },
      revokedCredentials: { accessToken: revokedToken },
      mapping: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
      rows: async function* () {
        yield* emailRows(ROWS);
        yield* emailRows(20); // duplicates
        yield { email: 'not an email' };
      },
      distinctValues: ROWS,
      secrets: [world.accessToken, revokedToken, APP.secret],
      inspect: async (config) => {
        const audiences = world.running.emulator
          .inspectAudiences(ADVERTISER)
          .filter((audience) => audience['name'] === config['audienceName']);
        const identifiers = audiences.reduce((total, audience) => total + (audience['size'] as number), 0);
        for (const audience of audiences)
          expect((audience['identifiers'] as Record<string, { digest: string }>)['EMAIL_SHA256'].digest).toBe(
            expectedDigest,
          );
        return { objects: audiences.length, identifiers };
      },
      acceptedUploads: async () =>
        world.running.emulator.requests.filter(
          (entry) => entry.path === '/dmp/custom_audience/file/upload/' && entry.code === 0,
        ).length,
      uploadsCoveredBy: (checkpoint) => (checkpoint.state['files'] as unknown[]).length,
    };
  },
  () => world.close(),
);
