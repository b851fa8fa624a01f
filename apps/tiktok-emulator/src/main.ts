import 'reflect-metadata';
import { validateEnv } from '@conduit/config';
import { runEmulatorProcess } from '@conduit/emulator-kit';
import { TikTokEmulator } from '@conduit/tiktok-emulator';
import { EmulatorEnv } from './emulator.env';
import { emulatorOptionsFrom } from './emulator-options';

// The TikTok emulator as a process: `node dist/apps/tiktok-emulator/src/main.js` (npm start runs it).

void runEmulatorProcess({
  title: 'TikTok emulator',
  app: 'tiktok-emulator',
  readEnv: (raw) => validateEnv(EmulatorEnv, raw),
  start: async (env) => {
    const emulator = new TikTokEmulator(emulatorOptionsFrom(env));
    const url = await emulator.listen(env.TIKTOK_EMULATOR_PORT, env.TIKTOK_EMULATOR_HOST);
    return { url, close: () => emulator.close() };
  },
  endpoints: (url) => ({ apiBaseUrl: `${url}/open_api/v1.3`, admin: `${url}/_emulator/` }),
});
