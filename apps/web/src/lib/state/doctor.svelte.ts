import type { CheckResult, Verdict } from '../media/connectivity-doctor';

/** The lobby's connectivity check, run when the person asks for it. */
export class DoctorState {
  running = $state(false);
  checks = $state.raw<CheckResult[]>([]);
  verdict = $state.raw<Verdict | null>(null);

  readonly #room: string;
  readonly #signalingUrl: string;

  constructor(room: string, signalingUrl: string) {
    this.#room = room;
    this.#signalingUrl = signalingUrl;
  }

  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.verdict = null;
    try {
      // Only someone who asks for the check downloads it.
      const { fetchIceServers, findDevices, probeSignaling, runDoctor } = await import('../media/connectivity-doctor');
      const report = await runDoctor(
        {
          iceServers: await fetchIceServers(this.#room),
          devices: findDevices,
          signaling: () => probeSignaling(this.#signalingUrl),
        },
        (checks) => (this.checks = checks),
      );
      this.checks = report.checks;
      this.verdict = report.verdict;
    } finally {
      this.running = false;
    }
  }
}
