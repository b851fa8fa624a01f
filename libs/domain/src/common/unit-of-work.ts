import { EntityManager, RequestContext } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';

/**
 * Runs work in its own MikroORM context (a fresh identity map). HTTP requests get one from the
 * request-context middleware; every other entry point (jobs, commands, tests) goes through here.
 */
@Injectable()
export class UnitOfWork {
  constructor(private readonly em: EntityManager) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    return RequestContext.create(this.em, work);
  }
}
