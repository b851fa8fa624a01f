import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { resolve } from 'node:path';
import { ADVERTISER, type ChaosWorld } from '../test/chaos/chaos-world';
import { GiveUp, waitFor } from '../test/chaos/conduit-processes';

// What the benches do through Conduit's own API before they measure: a company with a connected
// TikTok authorization, a collaboration, a TikTok destination and a READY segment of emails.

export const ROOT = resolve(__dirname, '..', '..', '..');

export interface BenchTenant {
  companyId: string;
  apiKey: string;
  collaborationId: string;
  destinationId: string;
  segmentsPath: string;
  segmentId: string;
}

/** A company through the CLI, its TikTok connected, one destination and one READY segment of `emails`. */
export async function prepareTenant(world: ChaosWorld, name: string, emails: string[]): Promise<BenchTenant> {
  const { companyId, apiKey } = world.company(name);
  const authorizationId = await world.connectTikTok(apiKey, `${name} TikTok`);
  const collaboration = await world.expect<{ id: string }>(201, apiKey, 'POST', '/collaborations', { name });
  const segmentsPath = `/collaborations/${collaboration.id}/segments`;
  const destination = await world.expect<{ id: string }>(201, apiKey, 'POST', '/destinations', {
    name: `${name} TikTok`,
    provider: 'tiktok',
    authorizationId,
    config: { advertiserId: ADVERTISER, audienceName: `${name} audience`, action: 'Create' },
    editableFields: ['audienceName', 'action'],
  });
  const segment = await world.expect<{ id: string }>(201, apiKey, 'POST', segmentsPath, {
    name: `${name} segment`,
    source: { type: 'upload' },
    keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
  });
  const uploaded = await world.upload(
    apiKey,
    `${segmentsPath}/${segment.id}`,
    ['email', ...emails].join('\n'),
  );
  if (uploaded.status !== 202) throw new Error(`upload: ${uploaded.status} ${JSON.stringify(uploaded.body)}`);
  await waitFor(
    `segment ${segment.id} to be READY`,
    async () => {
      const view = await world.expect<{ status: string }>(
        200,
        apiKey,
        'GET',
        `${segmentsPath}/${segment.id}`,
      );
      if (view.status === 'FAILED') throw new GiveUp(`segment ${segment.id} FAILED`);
      return view.status === 'READY' ? true : undefined;
    },
    { timeoutMs: 120_000, everyMs: 100, context: () => world.lastOutput },
  );
  return {
    companyId,
    apiKey,
    collaborationId: collaboration.id,
    destinationId: destination.id,
    segmentsPath,
    segmentId: segment.id,
  };
}

/**
 * A Node process from `entry` whose output goes to `logFile` (the kernel writes it: nothing in the
 * bench's process reads it while it measures). `nodeArgs` e.g. `--cpu-prof`.
 */
export function spawnQuiet(
  entry: string,
  env: Record<string, string>,
  logFile: string,
  nodeArgs: string[] = [],
): ChildProcess {
  const out = openSync(logFile, 'a');
  return spawn(process.execPath, [...nodeArgs, entry], { cwd: ROOT, env, stdio: ['ignore', out, out] });
}

/** SIGTERM (a graceful exit writes a --cpu-prof profile), SIGKILL after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Polls `url` until it answers 2xx (a process just started). */
export function untilHealthy(url: string, context: () => string, timeoutMs = 60_000): Promise<true> {
  return waitFor(url, async () => ((await fetch(url)).ok ? true : undefined), {
    timeoutMs,
    everyMs: 50,
    context,
  });
}
