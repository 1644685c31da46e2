import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const CHILD = path.join(import.meta.dirname, 'parentTokenChild.ts');
let child: ChildProcess | null = null;

afterEach(async () => {
  if (child && child.exitCode === null) {
    child.disconnect();
    await once(child, 'exit');
  }
  child = null;
});

function nextReport(process: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    const onMessage = (message: { current?: string }) => {
      if (typeof message?.current !== 'string') return;
      process.off('message', onMessage);
      resolve(message.current);
    };
    process.on('message', onMessage);
  });
}

describe('ParentToken', () => {
  it('asks the parent for the token over IPC, with nothing in the environment, and takes each renewal', async () => {
    const env = { ...process.env };
    delete env.BEACON_GATEWAY_TOKEN;
    child = fork(CHILD, [], { env, execArgv: ['--conditions=beacon-source', '--import', 'tsx'], stdio: 'inherit' });
    const [request] = (await once(child, 'message')) as [{ type: string }];
    expect(request).toEqual({ type: 'beacon:gateway-token-request' });
    const first = nextReport(child);
    child.send({ type: 'beacon:gateway-token', token: 'token-one' });
    expect(await first).toBe('token-one');
    // Anything that is not a token message changes nothing; a renewal replaces the token.
    const unchanged = nextReport(child);
    child.send({ type: 'something-else', token: 'evil' });
    expect(await unchanged).toBe('token-one');
    const renewed = nextReport(child);
    child.send({ type: 'beacon:gateway-token', token: 'token-two' });
    expect(await renewed).toBe('token-two');
  });
});
