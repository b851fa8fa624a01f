import { validateEnv } from '@conduit/config';
import { DomainModule } from '@conduit/domain';
import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { ApiEnv } from '../config/api.env';
import { databaseOptionsFrom } from '../config/database';
import { domainSettingsFrom } from '../config/domain-settings';
import { DemoService } from './demo.service';

/** The operator commands' context: configuration and the domain, no HTTP server. */
@Module({})
export class CliModule {
  static async forRoot(): Promise<DynamicModule> {
    return {
      module: CliModule,
      imports: [
        await ConfigModule.forRoot({ isGlobal: true, validate: (raw) => validateEnv(ApiEnv, raw) }),
        DomainModule.forRootAsync({
          inject: [ConfigService],
          useDatabaseOptions: databaseOptionsFrom,
          useSettings: domainSettingsFrom,
        }),
      ],
      providers: [DemoService],
    };
  }
}
