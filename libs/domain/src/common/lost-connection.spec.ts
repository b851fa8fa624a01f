import { ConnectionException, DriverException } from '@mikro-orm/core';
import { isLostConnection } from './lost-connection';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isLostConnection', () => {
  it("knows a session PostgreSQL's pg_terminate_backend ended, however it is wrapped", () => {
    const killed = withCode('terminating connection due to administrator command', '57P01');
    expect(isLostConnection(killed)).toBe(true);
    expect(isLostConnection(new DriverException(killed))).toBe(true);
    expect(isLostConnection(new Error('the checkpoint was not saved', { cause: killed }))).toBe(true);
  });

  it('knows a socket that closed, a refused connection and a connection exception', () => {
    expect(isLostConnection(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isLostConnection(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isLostConnection(withCode('connection failure', '08006'))).toBe(true);
    expect(isLostConnection(new ConnectionException(new Error('gone')))).toBe(true);
    expect(isLostConnection(new Error('Connection is closed.'))).toBe(true);
  });

  it('leaves every other error alone: a bug, a constraint, a value that is not an error', () => {
    expect(isLostConnection(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isLostConnection(withCode('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(isLostConnection(withCode('canceling statement due to statement timeout', '57014'))).toBe(false);
    expect(isLostConnection('Connection terminated')).toBe(false);
    expect(isLostConnection(undefined)).toBe(false);
  });
});
