/**
 * The alert banner's alarm: a two-tone siren from a WebAudio oscillator (no
 * sound files to ship), repeating until stopped. Browsers may keep an
 * AudioContext suspended until the page gets a gesture; `unlock()` is called
 * on any click so a terminal left alone still sounds after its first touch.
 */
const TONES_HZ = [880, 660] as const;
const TONE_MS = 400;
const PAUSE_MS = 600;

export class Alarm {
  #context: AudioContext | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #playing = false;

  get playing(): boolean {
    return this.#playing;
  }

  start(): void {
    if (this.#playing) return;
    this.#playing = true;
    this.#cycle();
  }

  stop(): void {
    this.#playing = false;
    clearTimeout(this.#timer);
  }

  /** Resumes a context the autoplay policy suspended. */
  unlock(): void {
    void this.#context?.resume().catch(() => undefined);
  }

  close(): void {
    this.stop();
    void this.#context?.close().catch(() => undefined);
    this.#context = null;
  }

  #cycle(): void {
    if (!this.#playing) return;
    this.#beep();
    this.#timer = setTimeout(() => this.#cycle(), TONES_HZ.length * TONE_MS + PAUSE_MS);
  }

  #beep(): void {
    let context = this.#context;
    try {
      context ??= this.#context = new AudioContext();
    } catch (error) {
      console.warn('[beacon] no WebAudio for the alarm', error);
      this.stop();
      return;
    }
    if (context.state === 'suspended') void context.resume().catch(() => undefined);
    const gain = context.createGain();
    gain.gain.value = 0.25;
    gain.connect(context.destination);
    const oscillator = context.createOscillator();
    oscillator.type = 'square';
    const start = context.currentTime;
    for (const [i, hz] of TONES_HZ.entries()) oscillator.frequency.setValueAtTime(hz, start + (i * TONE_MS) / 1000);
    oscillator.connect(gain);
    oscillator.start(start);
    oscillator.stop(start + (TONES_HZ.length * TONE_MS) / 1000);
    oscillator.onended = () => gain.disconnect();
  }
}
