/**
 * The one fixture of the e2e files: starts Beacon (or what the file needs
 * instead), launches Chromium, logs users in and opens their pages, collects
 * what goes wrong in those pages, reports it when a test fails, and stops
 * everything in the reverse order it was started.
 *
 *   describe('…', () => {
 *     const e2e = useE2e({ beacon: { env: { BEACON_ESCALATION_TICK_MS: '500' } } });
 *     it('…', async () => {
 *       const chair = await e2e.openTerminal('chair', 'city-weekly');
 *       …
 *     });
 *   });
 *
 * - beforeAll: `start` (default: a Beacon process with `beacon` options),
 *   then the default Chromium (`browser: false` for none).
 * - Every page opened through the fixture (or handed to `track`) reports
 *   uncaught errors, console errors and warnings, failed requests and HTTP
 *   5xx answers. An uncaught error fails the test during which it happened:
 *   it is a console bug whether or not an assertion looked there.
 * - A failed test prints screenshots of those pages, what they reported,
 *   what the file added with `diagnose`, and the tail of the server output.
 * - afterAll: every resource registered with `own`/`defer` — the fixture's
 *   own, and any a test adds — stops, the last started first; a failing
 *   stop does not keep the others from running, and is reported at the end.
 */
import { basename } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type BeaconProcess, type BeaconProcessOptions, DEMO_PASSWORD, startBeaconProcess } from './beaconProcess.ts';
import {
  type JoinOptions,
  joinRoom,
  type LaunchOptions,
  launchChromium,
  loginThroughUi,
  newTerminalContext,
  screenshotAll,
  type Terminal,
} from './browser.ts';
import { loginApi, SignalingClient } from './signaling.ts';

/** What the pages and clients talk to: a Beacon process, or anything with a URL (a load balancer, an in-process node). */
export interface E2eServer {
  url: string;
  /** The server's output, for failure reports. */
  output?(): string;
}

export interface E2eOptions<S extends E2eServer> {
  /** Options of the Beacon process started when there is no `start`. */
  beacon?: BeaconProcessOptions;
  /** Starts what the tests talk to instead; register its teardown with `own`/`defer` (`startBeacon` does). */
  start?: (e2e: E2eResources) => Promise<S>;
  /** The default Chromium's options, read after `start`; false: no default browser. */
  browser?: LaunchOptions | (() => LaunchOptions) | false;
  /** Let uncaught page errors pass (default false: they fail the test). */
  allowPageErrors?: boolean;
}

/** Registers what must be stopped at the end. */
export interface E2eResources {
  /** `resource`, stopped by `stop` at teardown before anything registered earlier. */
  own<T>(resource: T, stop: (resource: T) => unknown): T;
  /** Runs `stop` at teardown before anything registered earlier. */
  defer(stop: () => unknown): void;
  /** A Beacon process (beaconProcess.ts), stopped at teardown. */
  startBeacon(options?: BeaconProcessOptions): Promise<BeaconProcess>;
  /** A Chromium (options, or a launcher such as `launchChromiumInNamespace`), closed at teardown. */
  launchBrowser(options?: LaunchOptions | (() => Promise<Browser>)): Promise<Browser>;
}

interface PageReport {
  at: string;
  page: string;
  kind: 'pageerror' | 'console.error' | 'console.warning' | 'requestfailed' | 'http';
  text: string;
}

/** Reports kept per file: enough for a failure, bounded for a two-minute run that keeps warning. */
const MAX_REPORTS = 1000;

export interface PageOptions {
  /** Another browser than the default one (e.g. one in a network namespace). */
  browser?: Browser;
  /** Another base URL than the server's (e.g. the address a namespace reaches). */
  baseUrl?: string;
}

export class E2e<S extends E2eServer = BeaconProcess> implements E2eResources {
  readonly #options: E2eOptions<S>;
  readonly #teardown: (() => unknown)[] = [];
  readonly #pages: { label: string; page: Page }[] = [];
  readonly #reports: PageReport[] = [];
  /** Uncaught page errors, all of them (they are rare and each one matters). */
  readonly #pageErrors: string[] = [];
  readonly #diagnostics: { title: string; read: () => unknown }[] = [];
  #server: S | undefined;
  #browser: Browser | undefined;

  constructor(options: E2eOptions<S>) {
    this.#options = options;
  }

  /** The server `start` returned (by default the Beacon process). */
  get beacon(): S {
    if (!this.#server) throw new Error('the e2e fixture has not started (use it inside describe, after beforeAll)');
    return this.#server;
  }

  get url(): string {
    return this.beacon.url;
  }

  /** The default Chromium. */
  get browser(): Browser {
    if (!this.#browser) throw new Error('no default browser (started with browser: false)');
    return this.#browser;
  }

  /** Every page opened through the fixture or tracked, in order. */
  get pages(): Page[] {
    return this.#pages.map((entry) => entry.page);
  }

  own<T>(resource: T, stop: (resource: T) => unknown): T {
    this.#teardown.push(() => stop(resource));
    return resource;
  }

  defer(stop: () => unknown): void {
    this.#teardown.push(stop);
  }

  async startBeacon(options?: BeaconProcessOptions): Promise<BeaconProcess> {
    return this.own(await startBeaconProcess(options), (beacon) => beacon.stop());
  }

  async launchBrowser(options: LaunchOptions | (() => Promise<Browser>) = {}): Promise<Browser> {
    const browser = typeof options === 'function' ? await options() : await launchChromium(options);
    // A browser that crashed (or a namespace already gone) has nothing left to close.
    return this.own(browser, (b) => b.close().catch(() => undefined));
  }

  /** A fresh terminal-sized context and page (camera and mic allowed), tracked for failure reports. */
  async newPage(label: string, options: PageOptions = {}): Promise<Page> {
    const context = await newTerminalContext(options.browser ?? this.browser);
    return this.track(await context.newPage(), label);
  }

  /** `user` logged in through the login form on a new page that then goes to `hash`. */
  async openPage(user: string, hash = '', options: PageOptions & { password?: string } = {}): Promise<Page> {
    const page = await this.newPage(user, options);
    await loginThroughUi(page, options.baseUrl ?? this.url, user, options.password ?? DEMO_PASSWORD, hash);
    return page;
  }

  /** `user` in room `roomId` on a new page (joined, unless `expectJoined` is false). */
  async openTerminal(user: string, roomId: string, options: PageOptions & JoinOptions = {}): Promise<Terminal> {
    const page = await this.newPage(user, options);
    await joinRoom(page, options.baseUrl ?? this.url, user, roomId, options);
    return { user, context: page.context(), page };
  }

  /** A bearer token of `user` (demo password). */
  async token(user: string): Promise<string> {
    return (await loginApi(this.url, user)).token;
  }

  /** A socket.io client of `user`, closed at teardown. */
  async client(user: string): Promise<SignalingClient> {
    return this.own(await SignalingClient.connect(this.url, await this.token(user)), (client) => client.close());
  }

  /** Watches `page` for errors and includes it in failure screenshots. */
  track(page: Page, label = `page ${this.#pages.length + 1}`): Page {
    this.#pages.push({ label, page });
    const report = (kind: PageReport['kind'], text: string) => {
      this.#reports.push({ at: new Date().toISOString().slice(11, 23), page: label, kind, text });
      if (this.#reports.length > MAX_REPORTS) this.#reports.shift();
    };
    page.on('pageerror', (error) => {
      report('pageerror', error.stack ?? error.message);
      this.#pageErrors.push(`[${label}] ${error.stack ?? error.message}`);
    });
    page.on('console', (message) => {
      const type = message.type();
      if (type === 'error' || type === 'warning') report(`console.${type}`, message.text());
    });
    page.on('requestfailed', (request) =>
      report('requestfailed', `${request.method()} ${request.url()}: ${request.failure()?.errorText ?? '?'}`),
    );
    page.on('response', (response) => {
      if (response.status() >= 500)
        report('http', `${response.status()} ${response.request().method()} ${response.url()}`);
    });
    return page;
  }

  /** Adds `read()` (a string or anything JSON) under `title` to every failure report of the file. */
  diagnose(title: string, read: () => unknown): void {
    this.#diagnostics.push({ title, read });
  }

  /** @internal beforeAll */
  async setUp(): Promise<void> {
    const start = this.#options.start ?? ((e2e) => e2e.startBeacon(this.#options.beacon) as unknown as Promise<S>);
    this.#server = await start(this);
    const browser = this.#options.browser;
    if (browser !== false)
      this.#browser = await this.launchBrowser(typeof browser === 'function' ? browser() : browser);
  }

  /** @internal afterAll: everything registered, the last first. */
  async tearDown(): Promise<void> {
    const errors: unknown[] = [];
    for (const stop of this.#teardown.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} e2e teardown step(s) failed`);
  }

  /** @internal How many uncaught page errors there were so far. */
  get pageErrorCount(): number {
    return this.#pageErrors.length;
  }

  /** @internal Uncaught page errors after the first `count`, unless allowed. */
  pageErrorsAfter(count: number): string[] {
    return this.#options.allowPageErrors ? [] : this.#pageErrors.slice(count);
  }

  /** @internal onTestFailed: screenshots, page reports, diagnostics, server output. */
  async failureReport(label: string): Promise<string> {
    const shots = await screenshotAll(this.pages, label);
    const lines = [`e2e failure report (${label})`];
    lines.push(`screenshots (${this.#pages.map((p) => p.label).join(', ')}): ${shots.join(', ')}`);
    if (this.#reports.length > 0) {
      lines.push('what the pages reported (last 60):');
      for (const r of this.#reports.slice(-60)) lines.push(`  ${r.at} [${r.page}] ${r.kind}: ${r.text.slice(0, 500)}`);
    }
    for (const { title, read } of this.#diagnostics) {
      let value: unknown;
      try {
        value = await read();
      } catch (error) {
        value = `(could not read: ${(error as Error).message})`;
      }
      lines.push(`${title}:\n${typeof value === 'string' ? value : JSON.stringify(value)}`);
    }
    const output = this.#server?.output?.();
    if (output) lines.push(`server output (tail):\n${output.slice(-4000)}`);
    return lines.join('\n');
  }
}

/**
 * The fixture for the enclosing describe (or file): registers its beforeAll,
 * afterAll and per-test failure reporting, and returns it.
 */
export function useE2e<S extends E2eServer = BeaconProcess>(options: E2eOptions<S> = {}): E2e<S> {
  const e2e = new E2e<S>(options);
  beforeAll(() => e2e.setUp());
  afterAll(() => e2e.tearDown());
  let pageErrorsAtStart = 0;
  beforeEach((context) => {
    pageErrorsAtStart = e2e.pageErrorCount;
    const file = basename(context.task.file.name).replace(/\.test\.ts$/, '');
    const label = `${file}-${context.task.name}`.replace(/[^a-z0-9-]+/gi, '_').slice(0, 80);
    context.onTestFailed(async () => {
      console.error(await e2e.failureReport(label));
    });
  });
  afterEach(() => {
    const errors = e2e.pageErrorsAfter(pageErrorsAtStart);
    if (errors.length > 0) {
      throw new Error(`uncaught error(s) in a page during this test:\n${errors.join('\n')}`);
    }
  });
  return e2e;
}
