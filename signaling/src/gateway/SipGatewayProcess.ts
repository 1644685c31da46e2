/**
 * Runs the SIP gateway (@beacon/sip-gateway's main) as a child process of
 * this signaling node, under a ProcessSupervisor, with a service token minted
 * here; it is restarted when it dies (back-off 1 s → 30 s). The gateway in
 * turn runs Kamailio; stopping signaling stops both. `BEACON_SIP=off`
 * disables all of it; the console then shows that phones are unavailable.
 */
import { createRequire } from 'node:module';
import { ProcessSupervisor } from '@beacon/common';
import type { TokenService } from '../auth/tokens.ts';
import { createLogger } from '../logger.ts';

const logger = createLogger('SipGatewayProcess');

/**
 * How to run the gateway's main: a declared dependency of signaling, resolved like any package (not by a
 * path into its folder) with this process's export conditions. Started from source (`--conditions=beacon-source
 * --import tsx`, tests) that is src/main.ts, run through tsx the same way; started from the build
 * (`node signaling/dist/main.js`) it is dist/main.js, run by plain node.
 */
function gatewayCommandArgs(): string[] {
  const main = createRequire(import.meta.url).resolve('@beacon/sip-gateway/main');
  return main.endsWith('.ts') ? ['--conditions=beacon-source', '--import', 'tsx', main] : [main];
}

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
  #process: ProcessSupervisor | null = null;

  constructor(opts: SipGatewayProcessOptions) {
    this.#opts = opts;
  }

  /** Resolves once the gateway process is spawned (it connects back on its own). */
  async start(): Promise<void> {
    const { token } = await this.#opts.tokens.issue(
      { userId: 'sip-gateway', username: 'sip-gateway', displayName: 'SIP gateway', role: 'service', townshipId: null },
      { ttlSeconds: SERVICE_TOKEN_TTL_SECONDS },
    );
    this.#process = new ProcessSupervisor({
      name: 'SIP gateway',
      command: process.execPath,
      args: gatewayCommandArgs(),
      env: {
        ...(this.#opts.env ?? process.env),
        BEACON_SIGNALING_URL: this.#opts.signalingUrl,
        BEACON_GATEWAY_TOKEN: token,
        BEACON_DATA_DIR: this.#opts.dataDir,
      },
      // The gateway logs JSON lines like we do: same stdout, same stderr. The IPC
      // channel only tells the gateway when we are gone (it then stops Kamailio).
      output: 'inherit',
      ipc: true,
      restart: { initialDelayMs: 1000, maxDelayMs: 30_000, resetAfterMs: 60_000 },
      // The gateway hangs up its calls and stops Kamailio (up to 5 s) before it exits.
      stopGraceMs: 8000,
      logger,
    });
    await this.#process.start();
  }

  get pid(): number | null {
    return this.#process?.pid ?? null;
  }

  /** SIGTERM, then SIGKILL after 8 s; resolves when the gateway is gone. */
  async stop(): Promise<void> {
    await this.#process?.stop();
  }
}
