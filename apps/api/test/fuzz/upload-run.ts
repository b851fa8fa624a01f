import { JobRunner } from '@conduit/domain';
import type { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import { hostileUpload } from './csv-uploads';
import { describeRequest, type FuzzFailure } from './fuzz-run';
import { inPool, type RawHttpClient, type RawRequest, type RawResponse } from './raw-http';

export interface UploadRunResult {
  failures: FuzzFailure[];
  /** Segments left PENDING or RUNNING once every job is done, with the upload that started them. */
  stuck: string[];
  statuses: Record<string, number>;
}

/**
 * Uploads hostile CSVs in rounds, one per segment per round, drawn reproducibly from `seed`. After
 * each round the job runner is waited for: every segment that accepted an upload must then be READY
 * or FAILED, whatever the file was.
 */
export async function runHostileUploads(options: {
  app: INestApplication;
  client: RawHttpClient;
  authorization: string;
  /** `/collaborations/{id}/segments`, where the upload segments live. */
  segmentsPath: string;
  segmentIds: readonly string[];
  count: number;
  seed: number;
}): Promise<UploadRunResult> {
  const { client, segmentIds } = options;
  const result: UploadRunResult = { failures: [], stuck: [], statuses: {} };
  const lastAccepted = new Map<string, string>();
  for (let round = 0; round * segmentIds.length < options.count; round++) {
    const uploads = fc.sample(hostileUpload, { seed: options.seed + round, numRuns: segmentIds.length });
    const sends = uploads.map((upload, index) => ({ upload, segmentId: segmentIds[index] as string }));
    await inPool(sends, 4, async ({ upload, segmentId }) => {
      const request: RawRequest = {
        method: 'PUT',
        url: `${options.segmentsPath}/${segmentId}/upload`,
        headers: { authorization: options.authorization, ...upload.headers },
        body: upload.body,
      };
      const answer = await client
        .send(request)
        .catch((error: unknown): RawResponse => ({ status: 0, headers: {}, body: String(error), ms: 0 }));
      result.statuses[answer.status] = (result.statuses[answer.status] ?? 0) + 1;
      if (answer.status >= 500 || answer.status === 0) {
        result.failures.push({
          label: upload.label,
          request: describeRequest(request),
          answer: `${answer.status} ${answer.body.slice(0, 300)}`,
        });
      } else if (answer.status === 202) {
        lastAccepted.set(segmentId, upload.label);
      }
    });
    await options.app.get(JobRunner).idle();
    for (const [segmentId, label] of lastAccepted) {
      const answer = await client.send({
        method: 'GET',
        url: `${options.segmentsPath}/${segmentId}`,
        headers: { authorization: options.authorization },
      });
      const status =
        answer.status === 200
          ? (JSON.parse(answer.body) as { status: string }).status
          : `HTTP ${answer.status}`;
      if (status !== 'READY' && status !== 'FAILED')
        result.stuck.push(`${segmentId} ${status} after ${label}`);
    }
  }
  return result;
}
