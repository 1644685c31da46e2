import { describe, expect, it } from 'vitest';
import { Lifecycle, LifecycleError } from './Lifecycle.ts';

function recorder() {
  const events: string[] = [];
  const part = (name: string) => ({
    start: async () => {
      events.push(`start ${name}`);
      return name;
    },
    stop: async (value: string) => {
      events.push(`stop ${value}`);
    },
  });
  return { events, part };
}

describe('Lifecycle', () => {
  it('stops the parts in reverse order of starting, once', async () => {
    const life = new Lifecycle({ name: 'test' });
    const { events, part } = recorder();
    for (const name of ['store', 'media', 'http']) {
      const { start, stop } = part(name);
      await life.start(name, start, stop);
    }
    life.add('timer', () => {
      events.push('stop timer');
    });
    expect(life.parts).toEqual(['timer', 'http', 'media', 'store']);

    const [first, second] = await Promise.all([life.stop(), life.stop()]);
    expect(first).toEqual({ failed: [] });
    expect(second).toBe(first);
    await life.stop();
    expect(events).toEqual([
      'start store',
      'start media',
      'start http',
      'stop timer',
      'stop http',
      'stop media',
      'stop store',
    ]);
  });

  it('stops the parts already started when a start fails, and rethrows', async () => {
    const life = new Lifecycle({ name: 'test' });
    const { events, part } = recorder();
    await life.start('store', part('store').start, part('store').stop);
    await life.start('media', part('media').start, part('media').stop);
    const failure = new Error('port 3000 in use');
    await expect(
      life.start('http', async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(events).toEqual(['start store', 'start media', 'stop media', 'stop store']);
    expect(life.stopping).toBe(true);
    await expect(life.start('late', part('late').start)).rejects.toBeInstanceOf(LifecycleError);
  });

  it('a stop that throws or hangs does not keep the others from stopping', async () => {
    const life = new Lifecycle({ name: 'test', stopTimeoutMs: 5000 });
    const stopped: string[] = [];
    life.add('store', () => {
      stopped.push('store');
    });
    life.add('hangs', () => new Promise<void>(() => undefined), { stopTimeoutMs: 100 });
    life.add('throws', () => {
      throw new Error('already closed');
    });
    life.add('http', async () => {
      stopped.push('http');
    });
    const report = await life.stop();
    expect(stopped).toEqual(['http', 'store']);
    expect(report.failed).toEqual(['throws', 'hangs']);
  });

  it('waits for a part still starting when stop begins, and stops it first', async () => {
    const life = new Lifecycle({ name: 'test' });
    const { events, part } = recorder();
    let release: () => void = () => undefined;
    const starting = life.start(
      'slow',
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('slow');
        }),
      part('slow').stop,
    );
    await life.start('store', part('store').start, part('store').stop).catch(() => undefined);
    const stopping = life.stop();
    release();
    await expect(starting).rejects.toBeInstanceOf(LifecycleError);
    await stopping;
    expect(events).toEqual(['start store', 'stop slow', 'stop store']);
  });

  it('stops on a signal and exits with 1 when a part failed to stop', async () => {
    const life = new Lifecycle({ name: 'test' });
    life.add('throws', () => {
      throw new Error('boom');
    });
    const exited = new Promise<number>((resolve) => {
      const remove = life.stopOnSignals({
        signals: ['SIGUSR2'],
        exit: (code) => {
          remove();
          resolve(code);
        },
      });
    });
    process.kill(process.pid, 'SIGUSR2');
    expect(await exited).toBe(1);
  });
});
