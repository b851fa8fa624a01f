import type { SeededCompany } from '@conduit/domain/testing';
import type { RunningEmulator } from '@conduit/tiktok-emulator';
import type { OpenAPIObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { buildOpenApiDocument } from '../../src/docs/openapi-document';
import { bearer, bootApi, type ApiHarness } from '../api-harness';
import { ADVERTISERS, connectTikTok, startEmulator, tiktokEnv } from '../tiktok-world';
import { FUZZ_UPLOAD_MAX_MB } from './csv-uploads';
import { IdPool } from './id-pool';

/** The booted API with one of everything the fuzzing company can name, and the ids to name them. */
export interface FuzzWorld {
  api: ApiHarness;
  tiktok: RunningEmulator;
  /** The fuzzing company. */
  acme: SeededCompany;
  /** Its partner in `collaborationId`, and the owner of ids acme must never reach. */
  globex: SeededCompany;
  collaborationId: string;
  document: OpenAPIObject;
  ids: IdPool;
  close(): Promise<void>;
}

/**
 * Boots the API (against the TikTok emulator, uploads capped at `FUZZ_UPLOAD_MAX_MB`) and creates a
 * collaboration, authorizations, a shared destination and a loaded segment, so generated requests
 * reach the code behind the lookups, not only the 404s.
 */
export async function buildFuzzWorld(): Promise<FuzzWorld> {
  const tiktok = await startEmulator();
  const api = await bootApi({
    env: {
      ...tiktokEnv(tiktok),
      LOG_LEVEL: 'warn',
      SEGMENT_UPLOAD_MAX_MB: String(FUZZ_UPLOAD_MAX_MB),
      // Data-source URLs the fuzzer sends point at closed loopback ports: refused at once, never out.
      DATA_SOURCE_ALLOWED_HOSTS: '127.0.0.1,::1',
    },
  });
  const [acme, globex] = [await api.seedCompany('Acme'), await api.seedCompany('Globex')];
  const as = (company: SeededCompany) => ({
    post: async (path: string, body: object, status = 201) =>
      (await api.http.post(path).set(bearer(company.apiKey)).send(body).expect(status)).body,
  });
  // The fuzzer must not revoke the key it authenticates with; every other id is fair game.
  const ids = new IdPool(new Set([acme.apiKeyId]));
  ids.add('companyId', acme.companyId);
  ids.add('companyId', globex.companyId);
  ids.add('providerId', 'tiktok');
  ids.add('provider', 'tiktok');
  ids.learn((await as(acme).post('/api-keys', { name: 'spare key' })).id);

  const collaboration = await as(acme).post('/collaborations', {
    name: 'Acme x Globex',
    memberCompanyIds: [globex.companyId],
  });
  ids.learn(collaboration.id);
  const authorization = await connectTikTok(api, tiktok, acme, 'Acme TikTok');
  ids.learn(authorization);
  // Globex's ids: acme naming them must meet a 404, never another company's data or a 500.
  ids.learn(await connectTikTok(api, tiktok, globex, 'Globex TikTok'));
  const destination = await as(acme).post('/destinations', {
    name: 'TikTok spring',
    provider: 'tiktok',
    authorizationId: authorization,
    config: {
      advertiserId: ADVERTISERS[0]?.advertiserId,
      audienceName: 'Spring sale buyers',
      action: 'Create',
      retentionInDays: 180,
    },
    editableFields: ['audienceName', 'action'],
  });
  ids.learn(destination.id);
  const share = await as(acme).post(`/destinations/${destination.id}/shares`, {
    collaborationId: collaboration.id,
    companyId: globex.companyId,
  });
  ids.learn(share.id);
  const segment = await as(acme).post(`/collaborations/${collaboration.id}/segments`, {
    name: 'Uploaded',
    source: { type: 'upload' },
    keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
  });
  ids.learn(segment.id);
  await api.http
    .put(`/collaborations/${collaboration.id}/segments/${segment.id}/upload`)
    .set(bearer(acme.apiKey))
    .attach('file', Buffer.from('email,country\na@example.com,FR\nb@example.com,DE\n'), 'segment.csv')
    .expect(202);
  return {
    api,
    tiktok,
    acme,
    globex,
    collaborationId: collaboration.id,
    document: buildOpenApiDocument(api.app),
    ids,
    close: async () => {
      await api.close();
      await tiktok.close();
    },
  };
}
