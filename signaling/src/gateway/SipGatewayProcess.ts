/**
 * Runs the SIP gateway (sip-gateway/src/main.ts) as a child process of this
 * signaling node, with a service token minted here, and restarts it when it
 * dies (back-off 1 s → 30 s). The gateway in turn runs Kamailio; stopping
 * signaling stops both. `BEACON_SIP=off` disables all of it; the console then
 * shows that phones are unavailable.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TokenService } from '../auth/tokens.ts';
import { createLogger } from '../logger.ts';

const logger = createLogger('SipGatewayProcess');

const GATEWAY_MAIN = fileURLToPath(new URL('../../../sip-gateway/src/main.ts', import.meta.url));

/** The gateway reconnects with this token whenever its socket drops, so it must outlive the process. */
const SERVICE_TOKEN_TTL_SECONDS = 10 * 365 * 24 * 3600;

export interface SipGatewayProcessOptions {
  /** Where the gateway reaches signaling (loopback URL of this node). */
  signalingUrl: string;
  tokens: TokenService;
  dataDir: string;
  /** Extra environment (tests pass ports); default: this process's environment. */
  env?: NodeJS.ProcessEnv;
}

export class SipGatewayProcess {
  readonly #opts: SipGatewayProcessOptions;
  #child: ChildProcess | null = null;
  #stopped = false;
  #restartDelayMs = 1000;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(opts: SipGatewayProcessOptions) {
    this.#opts = opts;
  }

  async start(): Promise<void> {
    const { token } = await this.#opts.tokens.issue(
      { userId: 'sip-gateway', username: 'sip-gateway', displayName: 'SIP gateway', role: 'service', townshipId: null },
      { ttlSeconds: SERVICE_TOKEN_TTL_SECONDS },
    );
    this.#spawn(token);
  }

  #spawn(token: string): void {
    const child = spawn(process.execPath, ['--import', 'tsx', GATEWAY_MAIN], {
      env: {
        ...(this.#opts.env ?? process.env),
        BEACON_SIGNALING_URL: this.#opts.signalingUrl,
        BEACON_GATEWAY_TOKEN: token,
        BEACON_DATA_DIR: this.#opts.dataDir,
      },
      // The gateway logs JSON lines like we do: same stdout, same stderr. The IPC
      // channel only tells the gateway when we are gone (it then stops Kamailio).
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child = child;
    const startedAt = Date.now();
    logger.info({ pid: child.pid }, 'SIP gateway started');
    child.on('exit', (code, signal) => {
      this.#child = null;
      if (this.#stopped) return;
      // A gateway that ran for a while gets a quick restart; one that keeps dying backs off.
      if (Date.now() - startedAt > 60_000) this.#restartDelayMs = 1000;
      logger.error({ code, signal, restartInMs: this.#restartDelayMs }, 'SIP gateway exited; restarting');
      this.#restartTimer = setTimeout(() => this.#spawn(token), this.#restartDelayMs);
      this.#restartDelayMs = Math.min(this.#restartDelayMs * 2, 30_000);
    });
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** SIGTERM, then SIGKILL after 8 s; resolves when the gateway is gone. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 8000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
