import 'reflect-metadata';
import { validateEnv } from '@conduit/config';
import { runEmulatorProcess } from '@conduit/emulator-kit';
import { MetaEmulator } from '@conduit/meta-emulator';
import { MetaEmulatorEnv } from './emulator.env';
import { emulatorOptionsFrom } from './emulator-options';

// The Meta emulator as a process: `node dist/apps/meta-emulator/src/main.js`.

void runEmulatorProcess({
  title: 'Meta emulator',
  app: 'meta-emulator',
  readEnv: (raw) => validateEnv(MetaEmulatorEnv, raw),
  start: async (env) => {
    const emulator = new MetaEmulator(emulatorOptionsFrom(env));
    const url = await emulator.listen(env.META_EMULATOR_PORT, env.META_EMULATOR_HOST);
    return { url, close: () => emulator.close() };
  },
  endpoints: (url, env) => ({
    graphUrl: `${url}/${env.META_EMULATOR_GRAPH_VERSION}`,
    dialogUrl: `${url}/${env.META_EMULATOR_GRAPH_VERSION}/dialog/oauth`,
    admin: `${url}/_emulator/`,
  }),
});
