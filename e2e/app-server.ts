/**
 * A Parley server process that a spec owns, so it can kill it and start it again on the same
 * port (the config's webServer entries live for the whole run and cannot be restarted).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PORT_OFFSET } from '../playwright.config';

const MAIN = fileURLToPath(new URL('../apps/api/dist/main.js', import.meta.url));

export interface AppServer {
  readonly url: string;
  /** Starts the process and waits until /healthz answers. */
  start(): Promise<void>;
  /**
   * Kills the process with `signal` and waits until it has exited; resolves with its exit code
   * (null when a signal ended it, undefined when it was not running). Safe to call when stopped.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null | undefined>;
  /** Everything it printed (for failure messages). */
  output(): string;
}

export function appServer(basePort: number, env: Record<string, string> = {}): AppServer {
  const port = basePort + PORT_OFFSET;
  const url = `http://localhost:${port}`;
  let child: ChildProcess | null = null;
  let output = '';

  async function healthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child?.exitCode !== null) throw new Error(`server on ${port} exited:\n${output}`);
      try {
        if ((await fetch(`${url}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`server on ${port} did not become healthy:\n${output}`);
  }

  return {
    url,
    async start() {
      if (child) throw new Error(`server on ${port} is already running`);
      child = spawn(process.execPath, [MAIN], {
        env: {
          ...process.env,
          PORT: String(port),
          // No STUN: every candidate is a host candidate, and nothing leaves the machine.
          STUN_URLS: '',
          LOG_LEVEL: 'warn',
          // The same secret across restarts, so tokens issued before a restart stay valid.
          RESUME_SECRET: `e2e-resume-secret-${port}`,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (chunk) => (output += chunk));
      child.stderr!.on('data', (chunk) => (output += chunk));
      await healthy(20_000);
    },
    async stop(signal = 'SIGKILL') {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null || running.signalCode !== null) return undefined;
      const exited = new Promise<number | null>((resolve) => running.once('exit', (code) => resolve(code)));
      running.kill(signal);
      return exited;
    },
    output: () => output,
  };
}
