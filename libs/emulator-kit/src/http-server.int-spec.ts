import { EmulatorServer } from './http-server';

describe('EmulatorServer', () => {
  it('listens on a free loopback port, answers, and closes with its keep-alive connections', async () => {
    const server = new EmulatorServer((_request, response) => response.end('hello'));
    const url = await server.listen(0, '127.0.0.1');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await fetch(url, { headers: { connection: 'keep-alive' } });
    expect(await answer.text()).toBe('hello');
    await server.close();
    await expect(fetch(url)).rejects.toThrow();
    await server.close();
  });

  it('refuses a port in use', async () => {
    const first = new EmulatorServer((_request, response) => response.end());
    const url = await first.listen();
    const port = Number(new URL(url).port);
    try {
      await expect(new EmulatorServer(() => undefined).listen(port)).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
