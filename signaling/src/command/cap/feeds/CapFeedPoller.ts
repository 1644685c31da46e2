/**
 * Polls the CAP feeds an admin subscribed (预警信息接入). Every tick it reads
 * the enabled feeds and fetches those due (last fetch + their interval), one
 * fetch per feed at a time; an admin's change is seen at the next tick, no
 * restart. What a feed serves goes through CapIntake as the system: alerts
 * that reach the deployment become drafts, Updates and Cancels follow their
 * references. A feed that serves HTML, a bomb, garbage or nothing in time is
 * rejected whole: logged, its error kept on the feed for the admin page,
 * nothing stored; Beacon carries on. An index entry already handled (same
 * link and update stamp) is not fetched again while the index lists it.
 */
import type { CapFeedPollResult, CapFeedView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { createLogger } from '../../../logger.ts';
import type { Store } from '../../../store/index.ts';
import { SYSTEM_ACTOR } from '../../CommandBus.ts';
import type { CapIntake, CapIntakeResult } from '../CapIntake.ts';
import { DEFAULT_FETCH_LIMITS, type FetchLimits, fetchXml, readFeedDocument } from './fetchFeed.ts';

const logger = createLogger('CapFeedPoller');

export interface CapFeedPollerOptions {
  /** How often due feeds are looked for (default 5 s; each feed has its own interval). */
  tickMs: number;
  /** Entries of an index fetched per poll at most (default 50, the newest first as listed). */
  maxEntries: number;
  fetch: FetchLimits;
}

export const DEFAULT_CAP_FEED_OPTIONS: CapFeedPollerOptions = {
  tickMs: 5000,
  maxEntries: 50,
  fetch: DEFAULT_FETCH_LIMITS,
};

export class CapFeedPoller {
  readonly #store: Store;
  readonly #intake: CapIntake;
  readonly #options: CapFeedPollerOptions;
  readonly #timer: NodeJS.Timeout;
  readonly #running = new Map<string, Promise<CapFeedPollResult>>();
  /** Per feed: index entries handled, as `link|updated`. */
  readonly #seen = new Map<string, Set<string>>();
  #closed = false;

  constructor(store: Store, intake: CapIntake, options: Partial<CapFeedPollerOptions> = {}) {
    this.#store = store;
    this.#intake = intake;
    this.#options = { ...DEFAULT_CAP_FEED_OPTIONS, ...options };
    this.#timer = setInterval(() => void this.#tick(), this.#options.tickMs);
    this.#timer.unref();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }

  /** Fetches the feed now (the admin's "poll now", tests); joins a fetch already running. */
  poll(feed: CapFeedView): Promise<CapFeedPollResult> {
    const running = this.#running.get(feed.id);
    if (running) return running;
    const done = this.#poll(feed).finally(() => this.#running.delete(feed.id));
    this.#running.set(feed.id, done);
    return done;
  }

  async #tick(): Promise<void> {
    if (this.#closed) return;
    try {
      const now = Date.now();
      for (const feed of await this.#store.capFeeds.listEnabled()) {
        const last = feed.lastPolledAt ? Date.parse(feed.lastPolledAt) : 0;
        if (now - last >= feed.pollSeconds * 1000 && !this.#running.has(feed.id)) void this.poll(feed);
      }
    } catch (err) {
      logger.error({ err }, 'CAP feed tick failed');
    }
  }

  async #poll(feed: CapFeedView): Promise<CapFeedPollResult> {
    const result: CapFeedPollResult = {
      feedId: feed.id,
      ok: true,
      messages: 0,
      drafted: 0,
      updated: 0,
      withdrawn: 0,
      error: null,
    };
    const origin = { kind: 'feed' as const, feedId: feed.id, feedName: feed.name };
    const count = (handled: CapIntakeResult) => {
      result.messages += 1;
      if (handled.outcome === 'drafted') result.drafted += 1;
      if (handled.outcome === 'updated') result.updated += 1;
      if (handled.outcome === 'withdrawn') result.withdrawn += 1;
    };
    try {
      const limits = this.#options.fetch;
      const document = readFeedDocument(await fetchXml(feed.url, limits), feed.url, limits.maxBytes);
      if (document.kind === 'cap') {
        count(await this.#intake.receive(SYSTEM_ACTOR, document.xml, origin, true));
      } else {
        const seen = this.#seen.get(feed.id) ?? new Set<string>();
        const listed = new Set<string>();
        // Oldest first, so that an alert is drafted before the update listed above it.
        for (const entry of document.entries.slice(0, this.#options.maxEntries).reverse()) {
          listed.add(entry.key);
          if (seen.has(entry.key)) continue;
          try {
            count(await this.#intake.receive(SYSTEM_ACTOR, await fetchXml(entry.url, limits), origin, true));
            listed.add(entry.key);
          } catch (err) {
            // One bad entry is skipped (and retried next time); the rest of the index still counts.
            listed.delete(entry.key);
            if (!(err instanceof BeaconError)) throw err;
            logger.warn(
              { feedId: feed.id, url: entry.url, code: err.code, reason: err.message },
              'CAP feed entry rejected',
            );
            result.error ??= err.message;
          }
        }
        this.#seen.set(feed.id, listed);
      }
    } catch (err) {
      result.ok = false;
      result.error = err instanceof BeaconError ? err.message : 'internal error';
      if (err instanceof BeaconError) {
        logger.warn({ feedId: feed.id, code: err.code, reason: err.message }, 'CAP feed rejected');
      } else {
        logger.error({ err, feedId: feed.id }, 'CAP feed poll failed');
      }
    }
    await this.#store.capFeeds.recordPoll(feed.id, new Date().toISOString(), result.error).catch((err: unknown) => {
      logger.warn({ err, feedId: feed.id }, 'CAP feed poll not recorded');
    });
    if (result.drafted + result.updated + result.withdrawn > 0) {
      logger.info(result, 'CAP feed brought warnings');
    }
    return result;
  }
}
