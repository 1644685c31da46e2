import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { collectPin } from './PinCollector.ts';

class Keys extends EventEmitter {
  press(digits: string): void {
    for (const digit of digits) this.emit('dtmf', digit);
  }
}

describe('collectPin', () => {
  it('ends at # and interrupts the prompt on the first digit only', async () => {
    const keys = new Keys();
    let interrupts = 0;
    const { pin } = collectPin([keys], () => interrupts++);
    keys.press('2026#');
    expect(await pin).toBe('2026');
    expect(interrupts).toBe(1);
    expect(keys.listenerCount('dtmf')).toBe(0);
  });

  it('merges RFC 4733 and SIP INFO sources and ignores letters and stars', async () => {
    const rtp = new Keys();
    const info = new Keys();
    const { pin } = collectPin([rtp, info], () => {});
    rtp.press('1*');
    info.press('2A');
    rtp.press('3#');
    expect(await pin).toBe('123');
  });

  it('ends after a pause following a digit, and gives an empty PIN when nothing is typed', async () => {
    const keys = new Keys();
    const paused = collectPin([keys], () => {}, { interDigitMs: 50, firstDigitMs: 1000 });
    keys.press('42');
    expect(await paused.pin).toBe('42');
    const silent = collectPin([new Keys()], () => {}, { firstDigitMs: 30 });
    expect(await silent.pin).toBe('');
  });

  it('counts the first-digit wait from the end of the prompt, not from its start', async () => {
    const keys = new Keys();
    let endPrompt: () => void = () => {};
    const prompt = new Promise<void>((resolve) => {
      endPrompt = resolve;
    });
    const { pin } = collectPin([keys], () => {}, { firstDigitMs: 30, promptPlayed: prompt });
    // The prompt plays longer than firstDigitMs: the caller is still listening, not silent.
    await new Promise((resolve) => setTimeout(resolve, 80));
    endPrompt();
    await new Promise((resolve) => setTimeout(resolve, 10));
    keys.press('7#');
    expect(await pin).toBe('7');
    const silent = collectPin([new Keys()], () => {}, { firstDigitMs: 30, promptPlayed: Promise.resolve() });
    expect(await silent.pin).toBe('');
  });

  it('stops at maxDigits and on cancel', async () => {
    const keys = new Keys();
    const capped = collectPin([keys], () => {}, { maxDigits: 4 });
    keys.press('123456');
    expect(await capped.pin).toBe('1234');
    const cancelled = collectPin([new Keys()], () => {});
    cancelled.cancel();
    expect(await cancelled.pin).toBe('');
  });
});
