#!/usr/bin/env node
// `npm start`: the embedded default. Builds, applies migrations to the SQLite database under ./data
// (PostgreSQL when DATABASE_URL is set: then migrations are left to `npm run migrate`), makes sure
// the demo company exists, starts the API, the scheduler and the TikTok emulator
// (CONDUIT_START_TIKTOK_EMULATOR=false to skip it), and prints where to go.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
// A .env file configures the embedded default as it configures the apps (they inherit this env).
if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env'));
const dist = (app, file) => join(root, 'dist', 'apps', app, 'src', file);
const embedded = !process.env.DATABASE_URL;
const dataDir = process.env.CONDUIT_DATA_DIR || './data';
const port = process.env.PORT || '3000';
const host = process.env.HOST || '127.0.0.1';
const baseUrl = process.env.PUBLIC_URL || `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;

const step = (text) => console.log(`[conduit] ${text}`);
const run = (args) =>
  execFileSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

const withEmulator = process.env.CONDUIT_START_TIKTOK_EMULATOR !== 'false';
// The emulator must know this API's OAuth callback, whatever port the API runs on.
process.env.TIKTOK_EMULATOR_REDIRECT_URIS ??= [
  baseUrl,
  `http://localhost:${port}`,
  `http://127.0.0.1:${port}`,
]
  .map((origin) => `${origin}/oauth/callback/tiktok`)
  .filter((uri, index, all) => all.indexOf(uri) === index)
  .join(',');
const emulatorUrl = `http://${process.env.TIKTOK_EMULATOR_HOST || '127.0.0.1'}:${process.env.TIKTOK_EMULATOR_PORT || '3100'}`;
if (withEmulator && !process.env.TIKTOK_APP_ID) {
  // Point Conduit's TikTok connector at the emulator, with the emulator's own (fake) app.
  process.env.TIKTOK_APP_ID = process.env.TIKTOK_EMULATOR_APP_ID || '7100000000000000001';
  process.env.TIKTOK_APP_SECRET = process.env.TIKTOK_EMULATOR_APP_SECRET || 'emulator-app-secret';
  process.env.TIKTOK_API_BASE_URL = `${emulatorUrl}/open_api/v1.3`;
  process.env.TIKTOK_AUTHORIZE_URL = `${emulatorUrl}/portal/auth`;
  step(`TikTok: the bundled emulator at ${emulatorUrl} (set TIKTOK_APP_ID to use the real TikTok)`);
}

try {
  step('building…');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (embedded) {
    step(`embedded database: ${join(dataDir, 'conduit.sqlite')}`);
    step(run([dist('api', 'cli.js'), 'db:migrate']).trim());
  } else {
    step('DATABASE_URL is set: using PostgreSQL (apply migrations with `npm run migrate`)');
  }
  var demo = JSON.parse(run([dist('api', 'cli.js'), 'demo:ensure', '--json']));
} catch (error) {
  console.error(`[conduit] could not start: ${error.message}`);
  process.exit(1);
}

const children = [
  ['api', dist('api', 'main.js')],
  ['scheduler', dist('scheduler', 'main.js')],
  ...(withEmulator ? [['tiktok-emulator', dist('tiktok-emulator', 'main.js')]] : []),
].map(([name, entry]) => {
  const child = spawn(process.execPath, ['--enable-source-maps', entry], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[conduit] ${name} exited (${signal ?? code}); stopping the others`);
      stop(code || 1);
    }
  });
  return child;
});

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 5000).unref();
  Promise.all(
    children.map((child) => (child.exitCode === null ? new Promise((r) => child.on('exit', r)) : null)),
  ).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

/** Where the data is, without credentials: the SQLite file, or the PostgreSQL host and database. */
function describeDatabase() {
  if (embedded) return `SQLite ${join(dataDir, 'conduit.sqlite')}`;
  try {
    const url = new URL(process.env.DATABASE_URL);
    return `PostgreSQL ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname.length > 1 ? url.pathname : ''}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** Where jobs run: in the process that asks for them, or on the schedulers' BullMQ workers. */
function describeJobs() {
  if (!process.env.REDIS_URL) return 'jobs in process';
  try {
    const url = new URL(process.env.REDIS_URL);
    return `jobs on BullMQ (Redis ${url.hostname}:${url.port || '6379'})`;
  } catch {
    return 'jobs on BullMQ (Redis)';
  }
}

// Announce once the API answers its health check.
const started = Date.now();
(async function announce() {
  while (!stopping && Date.now() - started < 60_000) {
    try {
      const response = await fetch(`${baseUrl}/health`);
      if (response.ok) {
        console.log(
          [
            '',
            `  Conduit is running: ${describeDatabase()}, ${describeJobs()}.`,
            `  API:       ${baseUrl}`,
            `  Docs:      ${baseUrl}/docs`,
            ...(withEmulator
              ? [
                  `  TikTok emulator: ${emulatorUrl}/open_api/v1.3 (inspect: ${emulatorUrl}/_emulator/audiences)`,
                ]
              : []),
            `  Demo company ${demo.companyId}, API key:`,
            `    ${demo.apiKey}`,
            `  Demo data source ${demo.dataSourceId} (a synthetic CRM, tables customers and orders)`,
            `  Try: curl -H "Authorization: Bearer ${demo.apiKey}" ${baseUrl}/companies/me`,
            '',
          ].join('\n'),
        );
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!stopping) console.error('[conduit] the API did not become healthy within 60 s');
})();
