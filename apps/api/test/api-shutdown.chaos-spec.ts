import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createTestDatabase, recordFigures } from '@conduit/domain/testing';
import { bootApi } from './api-harness';
import { buildApps, until } from './worker-processes';

// The built API as a real process, told to stop (SIGTERM) while requests are still arriving: an upload
// half sent and a JSON body half sent. It refuses new connections at once, closes idle keep-alive
// connections, answers both requests in full once their bodies arrive, then exits 0 within its grace.

const root = resolve(__dirname, '..', '..', '..');
const API = join(root, 'dist', 'apps', 'api', 'src', 'main.js');
const GRACE_SECONDS = 10;

const freePort = () =>
  new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

/** Whether a new TCP connection to the port is refused. */
const refused = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
  });

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

function answerOf(request: ClientRequest): Promise<Answer> {
  return new Promise((done, fail) => {
    request.once('error', fail);
    request.once('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () =>
        done({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
      );
    });
  });
}

describe('the API stops gracefully on SIGTERM (real process)', () => {
  let api: ChildProcess | undefined;

  afterAll(() => {
    if (api?.exitCode === null) api.kill('SIGKILL');
  });

  it('refuses new connections, answers the requests in flight in full, exits 0 within its grace', async () => {
    buildApps();
    // A migrated database with one company and its key, then the built API on it.
    const db = await createTestDatabase();
    const seeding = await bootApi({ db });
    const company = await seeding.seedCompany('Rolling deploy Co');
    const keys = process.env['CONDUIT_ENCRYPTION_KEYS'] as string;
    await seeding.close();
    const port = await freePort();
    const output: string[] = [];
    api = spawn(process.execPath, [API], {
      cwd: root,
      env: {
        PATH: process.env['PATH'] ?? '',
        ...db.env,
        CONDUIT_ENCRYPTION_KEYS: keys,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    api.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    api.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    const exited = new Promise<number | null>((done) => api?.once('exit', (code) => done(code)));
    const base = `http://127.0.0.1:${port}`;
    const auth = { Authorization: `Bearer ${company.apiKey}` };
    await until('the API to listen', async () => {
      if (api?.exitCode !== null) throw new Error(`The API exited: ${output.join('')}`);
      return fetch(`${base}/health`).then(
        (answer) => (answer.ok ? true : undefined),
        () => undefined,
      );
    });
    const post = async (path: string, body: unknown) =>
      (await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }).then((answer) => answer.json())) as { id: string };
    const collaboration = await post('/collaborations', { name: 'Shutdown' });
    const segments = `/collaborations/${collaboration.id}/segments`;
    const segment = await post(segments, {
      name: 'Uploaded during a shutdown',
      source: { type: 'upload' },
      keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
    });

    // An idle keep-alive connection: the server closes it when it stops.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const idle = httpRequest(`${base}/companies/me`, { agent, headers: auth });
    idle.end();
    const idleAnswer = await new Promise<IncomingMessage>((done) => idle.once('response', done));
    idleAnswer.resume();
    const idleClosed = new Promise<number>((done) => idle.socket?.once('close', () => done(Date.now())));

    // An upload, half sent (about 2 MB of rows so far, the rest after the SIGTERM).
    const rows = Array.from({ length: 200_000 }, (_, index) => `drain-${index}@example.com`);
    const boundary = 'conduit-shutdown-boundary';
    const upload = httpRequest(`${base}${segments}/${segment.id}/upload`, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    });
    const uploaded = answerOf(upload);
    upload.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="segment.csv"\r\n` +
        `Content-Type: text/csv\r\n\r\nemail\n${rows.slice(0, 100_000).join('\n')}\n`,
    );
    // A JSON body, half sent.
    const json = Buffer.from(JSON.stringify({ name: 'Created during a shutdown' }));
    const create = httpRequest(`${base}/collaborations`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json', 'Content-Length': String(json.length) },
    });
    const created = answerOf(create);
    create.write(json.subarray(0, 10));
    // Both requests reached the server's handlers (the log line counts them) before the SIGTERM.
    await new Promise((done) => setTimeout(done, 300));

    const sigtermAt = Date.now();
    api.kill('SIGTERM');
    await until(
      'new connections to be refused',
      async () => ((await refused(port)) ? true : undefined),
      5000,
    );
    const refusedMs = Date.now() - sigtermAt;
    // Still running: it waits for the two requests it accepted.
    expect(api.exitCode).toBeNull();
    const idleClosedMs = (await idleClosed) - sigtermAt;

    upload.end(`${rows.slice(100_000).join('\n')}\n\r\n--${boundary}--\r\n`);
    create.end(json.subarray(10));
    const [uploadAnswer, createAnswer] = await Promise.all([uploaded, created]);
    expect(uploadAnswer).toMatchObject({ status: 202, body: { id: segment.id } });
    expect(createAnswer).toMatchObject({ status: 201, body: { name: 'Created during a shutdown' } });

    const code = await exited;
    const exitMs = Date.now() - sigtermAt;
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(GRACE_SECONDS * 1000);
    const log = output.join('');
    const inFlight = Number(/finishing (\d+) request\(s\) in flight/.exec(log)?.[1]);
    expect(inFlight).toBe(2);
    expect(log).toMatch(/Stopped in \d+ ms/);
    agent.destroy();
    await db.destroy();

    recordFigures('Graceful shutdown (API)', {
      'requests in flight at SIGTERM': inFlight,
      'answered in full': [uploadAnswer, createAnswer].filter((answer) => answer.status < 300).length,
      'upload (MB)': Math.round((rows.join('\n').length / 1024 / 1024) * 10) / 10,
      'new connections refused after (ms)': refusedMs,
      'idle keep-alive closed after (ms)': idleClosedMs,
      'API exit after SIGTERM (ms)': exitMs,
      'grace (s)': GRACE_SECONDS,
    });
  }, 120_000);
});
