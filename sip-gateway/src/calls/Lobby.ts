/**
 * Legs that are answered but not in a room yet (hearing the PIN prompt,
 * typing the PIN). They need the 20 ms clock too — prompts are played and
 * keypad tones read on it — but must not hear each other, so they are not in
 * any mixer: each hears only its own prompt (or comfort noise).
 */
import type { MixLeg } from '../media/RoomMixer.ts';

export class Lobby {
  readonly #legs = new Map<string, MixLeg>();

  add(legId: string, leg: MixLeg): void {
    this.#legs.set(legId, leg);
  }

  remove(legId: string): void {
    this.#legs.delete(legId);
  }

  tick(): void {
    for (const leg of this.#legs.values()) {
      leg.readFrame();
      leg.writeFrame(null);
    }
  }
}
