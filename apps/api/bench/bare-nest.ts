import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';

// The yardstick of the API bench: NestJS on Express with one controller answering the same JSON body
// as Conduit's GET /companies/me (BARE_NEST_BODY), no database, no guard, no logging. Run from sources
// (`node -r ./tools/swc-register.cjs`) by api.bench.ts, as its own process on BARE_NEST_PORT.

const body: unknown = JSON.parse(process.env['BARE_NEST_BODY'] ?? '{"id":"cmp_0","name":"Bare"}');

@Controller('companies')
class BareController {
  @Get('me')
  me(): unknown {
    return body;
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(BareModule, { logger: false });
  await app.listen(Number(process.env['BARE_NEST_PORT'] ?? 3999), '127.0.0.1');
}

bootstrap().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
