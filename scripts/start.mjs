#!/usr/bin/env node
// `npm start`: the embedded default. Builds, applies migrations to the SQLite database under ./data
// (PostgreSQL when DATABASE_URL is set: then migrations are left to `npm run migrate`), makes sure
// the demo company exists, starts the API, the scheduler and the TikTok and Meta emulators
// (CONDUIT_START_TIKTOK_EMULATOR=false / CONDUIT_START_META_EMULATOR=false to skip one), and prints
// where to go.
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

// The API's OAuth callback for a provider, under every origin the browser may use.
const callbacks = (provider) =>
  [baseUrl, `http://localhost:${port}`, `http://127.0.0.1:${port}`]
    .map((origin) => `${origin}/oauth/callback/${provider}`)
    .filter((uri, index, all) => all.indexOf(uri) === index)
    .join(',');

/**
 * The bundled emulators: each one started (unless CONDUIT_START_<NAME>_EMULATOR=false) and its
 * connector pointed at it with the emulator's own (fake) app, unless the real app is configured.
 */
const emulators = [
  {
    name: 'tiktok-emulator',
    title: 'TikTok',
    enabled: process.env.CONDUIT_START_TIKTOK_EMULATOR !== 'false',
    url: `http://${process.env.TIKTOK_EMULATOR_HOST || '127.0.0.1'}:${process.env.TIKTOK_EMULATOR_PORT || '3100'}`,
    realApp: 'TIKTOK_APP_ID',
    configure(url) {
      process.env.TIKTOK_EMULATOR_REDIRECT_URIS ??= callbacks('tiktok');
      process.env.TIKTOK_APP_ID = process.env.TIKTOK_EMULATOR_APP_ID || '7100000000000000001';
      process.env.TIKTOK_APP_SECRET = process.env.TIKTOK_EMULATOR_APP_SECRET || 'emulator-app-secret';
      process.env.TIKTOK_API_BASE_URL = `${url}/open_api/v1.3`;
      process.env.TIKTOK_AUTHORIZE_URL = `${url}/portal/auth`;
    },
    banner: (url) => `TikTok emulator: ${url}/open_api/v1.3 (inspect: ${url}/_emulator/audiences)`,
  },
  {
    name: 'meta-emulator',
    title: 'Meta',
    enabled: process.env.CONDUIT_START_META_EMULATOR !== 'false',
    url: `http://${process.env.META_EMULATOR_HOST || '127.0.0.1'}:${process.env.META_EMULATOR_PORT || '3200'}`,
    realApp: 'META_APP_ID',
    configure(url) {
      process.env.META_EMULATOR_REDIRECT_URIS ??= callbacks('meta');
      const version = process.env.META_EMULATOR_GRAPH_VERSION || 'v25.0';
      process.env.META_APP_ID = process.env.META_EMULATOR_APP_ID || '1100000000000001';
      process.env.META_APP_SECRET = process.env.META_EMULATOR_APP_SECRET || 'emulator-meta-app-secret';
      process.env.META_GRAPH_BASE_URL = url;
      process.env.META_GRAPH_VERSION = version;
      process.env.META_DIALOG_URL = `${url}/${version}/dialog/oauth`;
    },
    banner: (url) => `Meta emulator:   ${url} (inspect: ${url}/_emulator/audiences)`,
  },
].filter((emulator) => emulator.enabled);
for (const emulator of emulators) {
  if (process.env[emulator.realApp]) {
    // The real platform is configured: its connector talks to it; the emulator still runs, to try.
    step(
      `${emulator.title}: the real API (${emulator.realApp} is set); its emulator runs at ${emulator.url}`,
    );
    continue;
  }
  emulator.configure(emulator.url);
  step(
    `${emulator.title}: the bundled emulator at ${emulator.url} (set ${emulator.realApp} to use the real one)`,
  );
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
  ...emulators.map(({ name }) => [name, dist(name, 'main.js')]),
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
            ...emulators.map(({ url, banner }) => `  ${banner(url)}`),
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
