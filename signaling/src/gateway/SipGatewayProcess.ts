/**
 * Runs the SIP gateway (@beacon/sip-gateway's main) as a child process of
 * this signaling node, under a ProcessSupervisor, with a service token minted
 * here; it is restarted when it dies (back-off 1 s → 30 s). The gateway in
 * turn runs Kamailio; stopping signaling stops both. `BEACON_SIP=off`
 * disables all of it; the console then shows that phones are unavailable.
 *
 * The gateway gets only the environment it needs (no JWT secret, database
 * URL or other secret of signaling's, which Kamailio and every tool it starts
 * would inherit), and its token never enters the environment: it asks for
 * it over the IPC channel, and gets a fresh one every hour. A token lives
 * 12 h: a leaked one is worth hours, not years; the gateway's service socket
 * reconnects with the newest token when the one it opened with expires.
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

/** A service token's life; a renewed one reaches the gateway long before (RENEW_MS). */
const SERVICE_TOKEN_TTL_SECONDS = 12 * 3600;
/** How often a fresh token is pushed to the running gateway. */
const RENEW_MS = 3600_000;
/** What of this process's environment the gateway may see: its own settings and what Node and the tools need. */
const GATEWAY_ENV =
  /^(PATH|HOME|USER|LANG|LANGUAGE|LC_[A-Z]+|TZ|TMPDIR|NODE_OPTIONS|NODE_ENV|LOG_LEVEL|BEACON_SIP(_[A-Z_]+)?|BEACON_KAMAILIO_BIN|BEACON_PROMPT_DIR)$/;
const TOKEN_REQUEST = 'beacon:gateway-token-request';

/** The allowed part of `env`. */
export function gatewayEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => GATEWAY_ENV.test(key)));
}

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
  #renewTimer: NodeJS.Timeout | undefined;

  constructor(opts: SipGatewayProcessOptions) {
    this.#opts = opts;
  }

  /** Resolves once the gateway process is spawned (it connects back on its own). */
  async start(): Promise<void> {
    const supervisor = new ProcessSupervisor({
      name: 'SIP gateway',
      command: process.execPath,
      args: gatewayCommandArgs(),
      env: {
        ...gatewayEnvironment(this.#opts.env ?? process.env),
        BEACON_SIGNALING_URL: this.#opts.signalingUrl,
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
    this.#process = supervisor;
    supervisor.on('message', (message) => {
      if ((message as { type?: unknown } | null)?.type === TOKEN_REQUEST) void this.#sendToken();
    });
    this.#renewTimer = setInterval(() => void this.#sendToken(), RENEW_MS);
    this.#renewTimer.unref();
    await supervisor.start();
  }

  /** Mints a token and hands it to the running gateway (on its request and every RENEW_MS). */
  async #sendToken(): Promise<void> {
    try {
      const { token } = await this.#opts.tokens.issue(
        {
          userId: 'sip-gateway',
          username: 'sip-gateway',
          displayName: 'SIP gateway',
          role: 'service',
          townshipId: null,
        },
        { ttlSeconds: SERVICE_TOKEN_TTL_SECONDS },
      );
      this.#process?.send({ type: 'beacon:gateway-token', token });
    } catch (err) {
      logger.error({ err }, 'could not issue the SIP gateway a service token');
    }
  }

  get pid(): number | null {
    return this.#process?.pid ?? null;
  }

  /** SIGTERM, then SIGKILL after 8 s; resolves when the gateway is gone. */
  async stop(): Promise<void> {
    clearInterval(this.#renewTimer);
    await this.#process?.stop();
  }
}
