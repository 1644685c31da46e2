/**
 * The inbox's alarm for a new report: three short beeps from a WebAudio
 * oscillator (no sound file to ship). A context the autoplay policy keeps
 * suspended stays silent until the officer's first click, which resumes it.
 */
let context: AudioContext | null = null;

export function unlockInboxSound(): void {
  context ??= typeof AudioContext === 'undefined' ? null : new AudioContext();
  void context?.resume().catch(() => undefined);
}

export function beepNewReport(): void {
  unlockInboxSound();
  if (!context) return;
  const start = context.currentTime;
  for (let i = 0; i < 3; i += 1) {
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.frequency.value = 988;
    gain.gain.value = 0.2;
    osc.connect(gain).connect(context.destination);
    osc.start(start + i * 0.3);
    osc.stop(start + i * 0.3 + 0.18);
  }
}
