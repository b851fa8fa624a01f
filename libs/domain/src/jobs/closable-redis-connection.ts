import { RedisConnection } from 'bullmq';

/**
 * BullMQ 5's connection, safe to close at any moment of its start-up. Closed while its start-up is
 * still under way (connected, its version check's INFO in flight), BullMQ's connection removes every
 * listener and disconnects; the start-up then fails with "Connection is closed" and is emitted as an
 * 'error' that no one listens to, which kills the process (a CLI command is over in milliseconds, so
 * it hits this window). BullMQ 6 emits that error only when something listens; until then a closed
 * connection keeps one listener that drops it: nothing is left to tell once the owner has closed it.
 * A Worker builds its blocking connection from BullMQ's own class: `BullMqJobRunner.close` covers it.
 */
export class ClosableRedisConnection extends RedisConnection {
  override async close(force?: boolean): Promise<void> {
    try {
      await super.close(force);
    } finally {
      // The start-up fails on the socket's 'close' event, an I/O event: always after this line.
      this.on('error', ignoreAfterClose);
    }
  }
}

function ignoreAfterClose(): void {
  // The connection's owner closed it; a start-up that failed since concerns no one.
}
