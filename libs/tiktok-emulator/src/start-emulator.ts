import type { EmulatorOptions } from './emulator.options';
import { TikTokEmulator } from './tiktok-emulator';

export interface RunningEmulator {
  emulator: TikTokEmulator;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** The TikTok API base, e.g. http://127.0.0.1:41234/open_api/v1.3 */
  apiBaseUrl: string;
  close(): Promise<void>;
}

/** Starts an emulator on a free loopback port: what every spec that needs "TikTok" calls. */
export async function startTikTokEmulator(options: Partial<EmulatorOptions> = {}): Promise<RunningEmulator> {
  const emulator = new TikTokEmulator(options);
  const url = await emulator.listen(0, '127.0.0.1');
  return { emulator, url, apiBaseUrl: `${url}/open_api/v1.3`, close: () => emulator.close() };
}
