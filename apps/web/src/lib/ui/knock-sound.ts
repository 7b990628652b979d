/** A short two-note chime when someone knocks; silent where audio cannot start (no user gesture yet). */
export function playKnock(): void {
  try {
    const audio = new AudioContext();
    const now = audio.currentTime;
    for (const [i, frequency] of [660, 880].entries()) {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, now + i * 0.15);
      gain.gain.exponentialRampToValueAtTime(0.15, now + i * 0.15 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.15 + 0.14);
      tone.connect(gain).connect(audio.destination);
      tone.start(now + i * 0.15);
      tone.stop(now + i * 0.15 + 0.15);
    }
    setTimeout(() => void audio.close(), 600);
  } catch {
    // No Web Audio here: the announcement and the banner still say it.
  }
}
