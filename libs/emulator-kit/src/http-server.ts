import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An emulator's HTTP server: listens on a port (0 = a free one), closes with its open connections. */
export class EmulatorServer {
  private server?: Server;

  constructor(private readonly listener: RequestListener) {}

  /** Starts listening and resolves with the base URL, e.g. http://127.0.0.1:41234. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer(this.listener);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    return `http://${host}:${address.port}`;
  }

  /** Stops listening; keep-alive connections are closed too, so a client cannot hold the close. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
