/**
 * Keypad commands during a meeting:
 *   *6  toggle own mute            *1  raise a speak request (申请发言)
 *   #   hear how many are in the meeting
 * A `*` waits up to 3 s for its second digit; any other digit is ignored
 * (phones send stray tones when people lean on the keypad).
 */

import { ClientError } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import type { PromptLibrary } from '../media/PromptLibrary.ts';
import type { LegConnection } from '../signaling/LegConnection.ts';

const logger = createLogger('InCallCommands');

const STAR_WINDOW_MS = 3000;

export class InCallCommands {
  readonly #connection: LegConnection;
  readonly #play: (pcm: Int16Array) => Promise<boolean>;
  readonly #prompts: PromptLibrary;
  #starAt: number | null = null;

  constructor(connection: LegConnection, play: (pcm: Int16Array) => Promise<boolean>, prompts: PromptLibrary) {
    this.#connection = connection;
    this.#play = play;
    this.#prompts = prompts;
  }

  press(digit: string): void {
    const now = Date.now();
    if (digit === '*') {
      this.#starAt = now;
      return;
    }
    const afterStar = this.#starAt !== null && now - this.#starAt <= STAR_WINDOW_MS;
    this.#starAt = null;
    let command: Promise<void> | null = null;
    if (afterStar && digit === '6') command = this.#toggleMute();
    else if (afterStar && digit === '1') command = this.#requestSpeak();
    else if (digit === '#') command = this.#sayCount();
    command?.catch((err: unknown) => logger.warn({ err, digit }, 'keypad command failed'));
  }

  async #toggleMute(): Promise<void> {
    try {
      await this.#connection.setMuted(!this.#connection.muted);
      // The 'muted' event from signaling plays the confirmation.
    } catch (err) {
      // Refused (e.g. the chair muted this phone in a managed meeting): say so.
      if (err instanceof ClientError && err.code === 'forbidden') {
        await this.#play(await this.#prompts.get('muted_by_chair'));
        return;
      }
      throw err;
    }
  }

  async #requestSpeak(): Promise<void> {
    await this.#connection.requestSpeak();
    await this.#play(await this.#prompts.get('speak_requested'));
  }

  async #sayCount(): Promise<void> {
    const n = await this.#connection.participantCount();
    const pcm = await this.#prompts.say(
      `会议中共有 ${n} 人。`,
      `There ${n === 1 ? 'is 1 participant' : `are ${n} participants`}.`,
    );
    await this.#play(pcm);
  }
}
