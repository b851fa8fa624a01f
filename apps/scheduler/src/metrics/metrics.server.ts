import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConduitMetrics } from '@conduit/domain';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { SchedulerEnv } from '../config/scheduler.env';

/**
 * The scheduler has no HTTP server of its own: this tiny one serves `GET /metrics` (Prometheus text)
 * and `GET /health` (the process is up) on METRICS_HOST:METRICS_PORT, and closes on shutdown.
 * METRICS_PORT=0 turns it off. A port already taken (a second scheduler on the same machine with the
 * same port) is logged as an error and the scheduler runs on without metrics: its jobs matter more.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: Server;

  constructor(
    private readonly metrics: ConduitMetrics,
    private readonly config: ConfigService<SchedulerEnv, true>,
  ) {}

  /** Where it listens (the port the system chose when METRICS_PORT asked for any), if it does. */
  get address(): { host: string; port: number } | undefined {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address ? { host: address.address, port: address.port } : undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.get('METRICS_PORT', { infer: true });
    const host = this.config.get('METRICS_HOST', { infer: true });
    if (port === 0) return;
    const server = createServer((request, response) => void this.answer(request, response));
    // A scrape never holds the shutdown: idle keep-alive connections close with the server.
    server.keepAliveTimeout = 5000;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.logger.error(
        code === 'EADDRINUSE'
          ? `Metrics not served: ${host}:${port} is taken (another scheduler on this machine?); give each one its own METRICS_PORT, or 0 to turn metrics off.`
          : `Metrics not served on ${host}:${port} (${code ?? 'error'}).`,
      );
      return;
    }
    server.on('error', (error) => this.logger.warn(`Metrics server: ${error.message}`));
    this.server = server;
    this.logger.log(`Metrics on http://${host}:${this.address?.port ?? port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Method not allowed\n');
      return;
    }
    if (path === '/health') {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      response.end(JSON.stringify({ status: 'ok' }));
      return;
    }
    if (path !== '/metrics') {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Not found: this port serves /metrics and /health\n');
      return;
    }
    try {
      const text = await this.metrics.text();
      response.writeHead(200, { 'Content-Type': this.metrics.contentType, 'Cache-Control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : text);
    } catch (error) {
      this.logger.warn({ err: error }, 'Metrics could not be collected');
      response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Metrics could not be collected\n');
    }
  }
}
