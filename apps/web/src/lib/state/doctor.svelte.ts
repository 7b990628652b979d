import type { CheckResult, Verdict } from '../connectivity/connectivity-check';

export interface DoctorSource {
  /** The gateway's WebSocket URL. */
  signalingUrl(): Promise<string>;
  /** The server's ticket for `GET /api/ice-servers`, when it gave one. */
  ticket(): Promise<string | null>;
  /** The room token the link carried. */
  token?: string;
}

/** The lobby's connectivity check, run when the person asks for it. */
export class DoctorState {
  running = $state(false);
  checks = $state.raw<CheckResult[]>([]);
  verdict = $state.raw<Verdict | null>(null);

  readonly #room: string;
  readonly #source: DoctorSource;

  constructor(room: string, source: DoctorSource) {
    this.#room = room;
    this.#source = source;
  }

  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.verdict = null;
    try {
      // Only someone who asks for the check downloads it.
      const { fetchIceServers, findDevices, probeSignaling, runDoctor } = await import('../connectivity/connectivity-check');
      const [url, ticket] = await Promise.all([this.#source.signalingUrl(), this.#source.ticket()]);
      const report = await runDoctor(
        {
          iceServers: await fetchIceServers(this.#room, { ticket, token: this.#source.token }),
          devices: findDevices,
          signaling: () => probeSignaling(url),
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
