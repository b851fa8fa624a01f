import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { buildOpenApiDocument } from './docs/openapi-document';

// Generates the committed OpenAPI contract (apps/api/openapi.json) from the controllers' decorators.
//   --write  rewrite the file        --check  fail if the file is out of date (CI)

// Run from the repository root (npm scripts do).
const target = resolve('apps', 'api', 'openapi.json');

async function generate(): Promise<string> {
  // The document depends on code only: boot against a throwaway embedded database, whatever the shell says.
  const dataDir = mkdtempSync(join(tmpdir(), 'conduit-openapi-'));
  Object.assign(process.env, { CONDUIT_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent' });
  const app = await NestFactory.create<NestExpressApplication>(await AppModule.forRoot({ envFile: false }), {
    logger: false,
  });
  try {
    return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  const document = await generate();
  if (mode === '--write') {
    writeFileSync(target, document);
    console.log(`Wrote ${target}`);
    return;
  }
  if (mode === '--check') {
    const committed = readFileSync(target, 'utf8');
    if (committed !== document) {
      console.error(
        `${target} is out of date with the controllers. Run \`npm run openapi\` and commit the result.`,
      );
      process.exit(1);
    }
    console.log('openapi.json is up to date.');
    return;
  }
  process.stdout.write(document);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
