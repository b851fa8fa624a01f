import 'reflect-metadata';
import { InvalidEnvironmentError } from '@conduit/config';
import { buildCli } from './cli/cli.program';

buildCli()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    console.error(
      error instanceof InvalidEnvironmentError
        ? error.message
        : error instanceof Error
          ? error.message
          : error,
    );
    process.exit(1);
  });
