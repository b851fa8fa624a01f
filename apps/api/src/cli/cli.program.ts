import { join } from 'node:path';
import {
  ApiKeyService,
  AuthorizationService,
  CompanyService,
  CredentialCipher,
  generateEncryptionKeySpec,
  migrateDatabase,
  pendingMigrations,
  SchedulerInstanceService,
  UnitOfWork,
} from '@conduit/domain';
import { MikroORM } from '@mikro-orm/core';
import { ConsoleLogger, type INestApplicationContext, type LogLevel } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { Command } from 'commander';
import { CliModule } from './cli.module';
import { DemoService } from './demo.service';
import type { ApiEnv } from '../config/api.env';

/** Nest's warnings and errors, on stderr: stdout holds only a command's output (one JSON object with --json). */
class StderrLogger extends ConsoleLogger {
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _stream?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack);
  }
}

async function withContext<T>(work: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const app = await NestFactory.createApplicationContext(await CliModule.forRoot(), {
    logger: new StderrLogger({ logLevels: ['error', 'warn'] }),
    abortOnError: false,
  });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

/** A command's one output: for people, or with --json one JSON object on stdout (advice goes to stderr). */
function print(json: boolean, value: Record<string, unknown>, text: string): void {
  // eslint-disable-next-line no-console -- stdout is what an operator command is for
  console.log(json ? JSON.stringify(value) : text);
}

/**
 * Operator commands: `npm run conduit -- <command>`. Output is for people unless --json is given, then
 * one JSON object on stdout. Built by a function so the specs run the commands in process.
 */
export function buildCli(): Command {
  const program = new Command('conduit').description('Conduit operator commands').showHelpAfterError();

  program
    .command('db:migrate')
    .description('Apply pending database migrations')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      withContext(async (app) => {
        const applied = await migrateDatabase(app.get(MikroORM));
        print(
          !!options.json,
          { applied },
          applied.length
            ? `Applied ${applied.length} migration(s): ${applied.join(', ')}`
            : 'Database is up to date.',
        );
      }),
    );

  program
    .command('keys:generate')
    .description('Print a new credential-encryption key entry for CONDUIT_ENCRYPTION_KEYS')
    .option('--id <id>', 'key id (letters, digits, - and _)')
    .option('--json', 'print JSON')
    .action((options: { id?: string; json?: boolean }) => {
      const entry = generateEncryptionKeySpec(options.id);
      const keyId = entry.slice(0, entry.indexOf(':'));
      print(!!options.json, { keyId, entry }, entry);
      // The advice goes to stderr: stdout stays the entry alone (or its JSON), for scripts.
      if (!options.json)
        console.error(
          'Put it FIRST in CONDUIT_ENCRYPTION_KEYS (comma-separated, keep the old keys after it), restart every ' +
            'process, then run `npm run conduit -- credentials:reencrypt`.',
        );
    });

  program
    .command('credentials:reencrypt')
    .description('Re-encrypt every stored credential with the current (first) key, after a key rotation')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      withContext(async (app) => {
        const rewritten = await app.get(UnitOfWork).run(() => app.get(AuthorizationService).reencryptAll());
        const keyId = app.get(CredentialCipher).currentKeyId;
        print(
          Boolean(options.json),
          { reencrypted: rewritten, currentKeyId: keyId },
          `Re-encrypted ${rewritten} credential(s) with key "${keyId}". Older keys can now be removed from CONDUIT_ENCRYPTION_KEYS.`,
        );
      }),
    );

  program
    .command('db:status')
    .description('List migrations not applied yet (exit code 3 when some are pending)')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      withContext(async (app) => {
        const pending = await pendingMigrations(app.get(MikroORM));
        print(
          !!options.json,
          { pending, upToDate: pending.length === 0 },
          pending.length ? `Pending: ${pending.join(', ')}` : 'Database is up to date.',
        );
        if (pending.length) process.exitCode = 3;
      }),
    );

  program
    .command('company:create')
    .description('Create a company and its first API key (the key is printed once)')
    .argument('<name>', 'company name')
    .option('--key-name <name>', 'name of the first API key', 'initial key')
    .option('--json', 'print JSON')
    .action((name: string, options: { keyName: string; json?: boolean }) =>
      withContext((app) =>
        app.get(UnitOfWork).run(async () => {
          const company = await app.get(CompanyService).create(name);
          const { apiKey, secret } = await app.get(ApiKeyService).create(company.id, options.keyName);
          print(
            !!options.json,
            { companyId: company.id, name: company.name, apiKeyId: apiKey.id, apiKey: secret },
            `Created company ${company.name} (${company.id}).\nAPI key ${apiKey.id} — store it now, it is not shown again:\n  ${secret}`,
          );
        }),
      ),
    );

  program
    .command('api-key:create')
    .description('Create another API key for a company (e.g. when its last key was lost)')
    .argument('<companyId>', 'company id (cmp_…)')
    .option('--name <name>', 'key name', 'operator key')
    .option('--json', 'print JSON')
    .action((companyId: string, options: { name: string; json?: boolean }) =>
      withContext((app) =>
        app.get(UnitOfWork).run(async () => {
          const { apiKey, secret } = await app.get(ApiKeyService).create(companyId, options.name);
          print(
            !!options.json,
            { companyId, apiKeyId: apiKey.id, apiKey: secret },
            `API key ${apiKey.id} — store it now, it is not shown again:\n  ${secret}`,
          );
        }),
      ),
    );

  program
    .command('scheduler:status')
    .description(
      'List scheduler instances that beat recently; with --host, exit 1 unless that host is alive (container healthcheck)',
    )
    .option('--within <seconds>', 'how recent a heartbeat must be', '120')
    .option('--host <hostname>', 'require a live instance on this host')
    .option('--json', 'print JSON')
    .action((options: { within: string; host?: string; json?: boolean }) =>
      withContext((app) =>
        app.get(UnitOfWork).run(async () => {
          const alive = await app.get(SchedulerInstanceService).alive(Number(options.within) * 1000);
          const rows = alive.map((instance) => ({
            id: instance.id,
            hostname: instance.hostname,
            pid: instance.pid,
            lastBeatAt: instance.lastBeatAt.toISOString(),
          }));
          print(
            !!options.json,
            { alive: rows },
            rows.length
              ? rows
                  .map((row) => `${row.id} ${row.hostname} pid ${row.pid} last beat ${row.lastBeatAt}`)
                  .join('\n')
              : 'No scheduler instance is alive.',
          );
          if (options.host && !alive.some((instance) => instance.hostname === options.host)) {
            // A healthcheck's refusal says why, on stderr: stdout stays the list (or its one JSON object).
            console.error(
              `No scheduler instance on host "${options.host}" beat in the last ${options.within} s.`,
            );
            process.exitCode = 1;
          }
        }),
      ),
    );

  program
    .command('demo:ensure')
    .description(
      'Create the demo company, its API key and its demo data source (a synthetic CRM in SQLite, tables ' +
        'customers and orders) if needed (embedded default) and print them',
    )
    .option('--key-file <path>', 'where the demo key is kept (default: <CONDUIT_DATA_DIR>/demo-api-key)')
    .option('--json', 'print JSON')
    .action((options: { keyFile?: string; json?: boolean }) =>
      withContext(async (app) => {
        const config = app.get<ConfigService<ApiEnv, true>>(ConfigService);
        const keyFile =
          options.keyFile ?? join(config.get('CONDUIT_DATA_DIR', { infer: true }), 'demo-api-key');
        const demo = await app.get(DemoService).ensure(keyFile);
        print(
          !!options.json,
          { ...demo, keyFile },
          `Demo company ${demo.companyId}; API key (kept in ${keyFile}):\n  ${demo.apiKey}\n` +
            `Demo data source ${demo.dataSourceId} (a synthetic CRM: ${demo.dataSourceFile})`,
        );
      }),
    );

  return program;
}
