import { validateEnv } from '@conduit/config';
import { DomainModule, logContext, serializeLoggedError } from '@conduit/domain';
import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { AuthorizationsController } from './authorizations/authorizations.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { CollaborationsController } from './collaborations/collaborations.controller';
import { CompaniesController } from './companies/companies.controller';
import { ApiEnv } from './config/api.env';
import { databaseOptionsFrom } from './config/database';
import { DestinationsController } from './destinations/destinations.controller';
import { ProvidersController } from './destinations/providers.controller';
import { domainSettingsFrom } from './config/domain-settings';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { OAuthCallbackService } from './oauth/oauth-callback.service';
import { OAuthController } from './oauth/oauth.controller';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { ApiRateLimitGuard } from './http/rate-limit.guard';
import { rateLimitOptionsFrom } from './http/rate-limits';
import { createValidationPipe } from './http/request-validation';
import { ContentTypeInterceptor } from './http/content-type.interceptor';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { redactUrl } from './http/redact-url';
import { requestId } from './http/request-id';
import { ExportsController } from './exports/exports.controller';
import { SegmentsController } from './segments/segments.controller';

export interface AppModuleOptions {
  /** Read a `.env` file from the working directory (on by default; tests turn it off). */
  envFile?: boolean;
  /** Where JSON log lines go (stdout by default); tests capture them to scan for secrets. */
  logStream?: DestinationStream;
}

/** Headers whose values never reach a log line. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["access-token"]',
  'res.headers["set-cookie"]',
];

@Module({})
export class AppModule {
  /** Validates the environment first, so a bad configuration fails here with every problem listed. */
  static async forRoot(options: AppModuleOptions = {}): Promise<DynamicModule> {
    const config = await ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: options.envFile === false,
      validate: (raw) => validateEnv(ApiEnv, raw),
    });
    return {
      module: AppModule,
      imports: [
        config,
        LoggerModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<ApiEnv, true>) => ({
            pinoHttp: [
              {
                level: config.get('LOG_LEVEL', { infer: true }),
                genReqId: requestId,
                redact: { paths: REDACTED, censor: '[redacted]' },
                serializers: {
                  err: serializeLoggedError,
                  // The URL keeps the query (redacted); the parsed copy would repeat it unredacted.
                  req: ({ query: _query, ...request }: { url?: string; query?: unknown }) =>
                    request.url ? { ...request, url: redactUrl(request.url) } : request,
                },
                customLogLevel: (_request, response, error) =>
                  error || response.statusCode >= 500
                    ? 'error'
                    : response.statusCode >= 400
                      ? 'warn'
                      : 'info',
                // Every line written while a job runs names its export or segment (see withLogContext).
                mixin: () => ({ ...logContext() }),
                // Probes and scrapes come every few seconds: their answers are in the metrics, not the log.
                autoLogging: { ignore: (request) => request.url === '/health' || request.url === '/metrics' },
              },
              options.logStream ?? process.stdout,
            ],
          }),
        }),
        DomainModule.forRootAsync({
          inject: [ConfigService],
          useDatabaseOptions: databaseOptionsFrom,
          useSettings: domainSettingsFrom,
          registerRequestContext: true,
        }),
        TerminusModule.forRoot({ errorLogStyle: 'pretty' }),
        ThrottlerModule.forRootAsync({ inject: [ConfigService], useFactory: rateLimitOptionsFrom }),
      ],
      controllers: [
        HealthController,
        CompaniesController,
        ApiKeysController,
        CollaborationsController,
        AuthorizationsController,
        ProvidersController,
        DestinationsController,
        SegmentsController,
        ExportsController,
        OAuthController,
        MetricsController,
      ],
      providers: [
        OAuthCallbackService,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        // After ApiKeyGuard (guards run in this order): limits count per authenticated key.
        { provide: APP_GUARD, useClass: ApiRateLimitGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: ContentTypeInterceptor },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }
}
