import { LibSqlDriver } from '@mikro-orm/libsql';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { ApiKeyService } from './api-keys/api-key.service';
import { CollaborationService } from './collaborations/collaboration.service';
import { UnitOfWork } from './common/unit-of-work';
import { CompanyService } from './companies/company.service';
import { SchedulerInstanceService } from './scheduler/scheduler-instance.service';
import { createOrmOptions, type DatabaseOptions } from './database/database.options';

const SERVICES = [UnitOfWork, CompanyService, ApiKeyService, CollaborationService, SchedulerInstanceService];

export interface DomainModuleOptions {
  imports?: ModuleMetadata['imports'];
  // Nest's own factory signature: injected values arrive untyped.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inject?: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useDatabaseOptions: (...args: any[]) => DatabaseOptions | Promise<DatabaseOptions>;
  /** Bind a MikroORM request context to every HTTP request (the API); off for workers and commands. */
  registerRequestContext?: boolean;
}

/** The domain's services on top of MikroORM, for any app (API, scheduler, operator commands). */
@Module({})
export class DomainModule {
  static forRootAsync(options: DomainModuleOptions): DynamicModule {
    return {
      module: DomainModule,
      imports: [
        MikroOrmModule.forRootAsync({
          // Both dialects' drivers use knex's SqlEntityManager; naming one lets Nest register that class
          // as an injection token before the factory has chosen the real driver.
          driver: LibSqlDriver,
          imports: options.imports,
          inject: options.inject,
          useFactory: async (...args: unknown[]) => ({
            ...createOrmOptions(await options.useDatabaseOptions(...args)),
            registerRequestContext: options.registerRequestContext ?? false,
          }),
        }),
      ],
      providers: SERVICES,
      exports: SERVICES,
    };
  }
}
