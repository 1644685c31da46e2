/**
 * CAP feed subscriptions and the CAP messages received (migration 18). A
 * message is one row per sender + identifier (CAP's own identity of a
 * message): a second copy is recognised by `find`, and the unique key settles
 * two nodes storing the same message at once.
 */
import type { CapFeedView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { assertFree, columnsOf, pageRows, rethrowConstraint, updateRow } from './adminQueries.ts';
import type { CapFeedRepository, CapMessageRecord, CapMessageRepository } from './capTypes.ts';
import { constraintOf, type SqlQueries } from './sqlDb.ts';

interface MessageRow {
  id: string;
  sender: string;
  identifier: string;
  sent: string;
  status: CapMessageRecord['status'];
  msg_type: CapMessageRecord['msgType'];
  xml: string;
  alert: string;
  feed_id: string | null;
  warning_id: string | null;
  outcome: CapMessageRecord['outcome'];
  received_at: string;
}

const toMessage = (r: MessageRow): CapMessageRecord => ({
  id: r.id,
  sender: r.sender,
  identifier: r.identifier,
  sent: r.sent,
  status: r.status,
  msgType: r.msg_type,
  xml: r.xml,
  alert: JSON.parse(r.alert) as unknown,
  feedId: r.feed_id,
  warningId: r.warning_id,
  outcome: r.outcome,
  receivedAt: r.received_at,
});

export function capMessageRepository(db: SqlQueries): CapMessageRepository {
  return {
    add: async (m) => {
      try {
        await db.run(
          `INSERT INTO cap_messages (id, sender, identifier, sent, status, msg_type, xml, alert, feed_id, warning_id,
             outcome, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            m.id,
            m.sender,
            m.identifier,
            m.sent,
            m.status,
            m.msgType,
            m.xml,
            JSON.stringify(m.alert),
            m.feedId,
            m.warningId,
            m.outcome,
            m.receivedAt,
          ],
        );
      } catch (err) {
        const kind = constraintOf(err);
        if (kind === 'unique' || kind === 'primary_key') {
          throw BeaconError.conflict('identifier', `CAP message ${m.sender},${m.identifier} is held already`);
        }
        throw err;
      }
      return m;
    },
    find: async (sender, identifier) => {
      const row = await db.get<MessageRow>('SELECT * FROM cap_messages WHERE sender = ? AND identifier = ?', [
        sender,
        identifier,
      ]);
      return row && toMessage(row);
    },
    settle: async (id, outcome, warningId) => {
      await db.run('UPDATE cap_messages SET outcome = ?, warning_id = ? WHERE id = ?', [outcome, warningId, id]);
    },
    remove: async (id) => {
      await db.run('DELETE FROM cap_messages WHERE id = ?', [id]);
    },
    listByWarning: async (warningId) =>
      (
        await db.all<MessageRow>(
          'SELECT * FROM cap_messages WHERE warning_id = ? ORDER BY sent DESC, received_at DESC',
          [warningId],
        )
      ).map(toMessage),
  };
}

interface FeedRow {
  id: string;
  name: string;
  url: string;
  poll_seconds: number;
  enabled: number;
  created_at: string;
  last_polled_at: string | null;
  last_ok_at: string | null;
  last_error: string | null;
}

const toFeed = (r: FeedRow): CapFeedView => ({
  id: r.id,
  name: r.name,
  url: r.url,
  pollSeconds: Number(r.poll_seconds),
  enabled: Number(r.enabled) === 1,
  createdAt: r.created_at,
  lastPolledAt: r.last_polled_at,
  lastOkAt: r.last_ok_at,
  lastError: r.last_error,
});

const FEED_URL = { table: 'cap_feeds', column: 'url', field: 'url', label: '订阅地址' };
const FEED_COLUMNS = { name: 'name', url: 'url', pollSeconds: 'poll_seconds' };

export function capFeedRepository(db: SqlQueries): CapFeedRepository {
  const spec = { table: 'cap_feeds', what: 'capFeed', toView: toFeed };
  return {
    page: async (query) => {
      const page = await pageRows<FeedRow>(
        db,
        { from: 'cap_feeds', search: ['name', 'url'], orderBy: 'created_at, id' },
        query,
      );
      return { total: page.total, items: page.items.map(toFeed) };
    },
    get: async (id) => {
      const row = await db.get<FeedRow>('SELECT * FROM cap_feeds WHERE id = ?', [id]);
      return row && toFeed(row);
    },
    update: (id, patch) =>
      updateRow(db, spec, id, columnsOf(patch, FEED_COLUMNS), (tx) => assertFree(tx, FEED_URL, patch.url, id)).catch(
        (err: unknown) => rethrowConstraint(err, 'url', 'CAP feed'),
      ),
    setEnabled: (id, enabled) => updateRow(db, spec, id, { enabled: enabled ? 1 : 0 }),
    create: async (input) => {
      await assertFree(db, FEED_URL, input.url);
      const createdAt = new Date().toISOString();
      try {
        await db.run(
          'INSERT INTO cap_feeds (id, name, url, poll_seconds, enabled, created_at) VALUES (?, ?, ?, ?, 1, ?)',
          [input.id, input.name, input.url, input.pollSeconds, createdAt],
        );
      } catch (err) {
        rethrowConstraint(err, 'url', 'CAP feed');
      }
      const row = await db.get<FeedRow>('SELECT * FROM cap_feeds WHERE id = ?', [input.id]);
      return toFeed(row as FeedRow);
    },
    listEnabled: async () =>
      (await db.all<FeedRow>('SELECT * FROM cap_feeds WHERE enabled = 1 ORDER BY created_at, id')).map(toFeed),
    recordPoll: async (id, at, error) => {
      if (error === null) {
        await db.run('UPDATE cap_feeds SET last_polled_at = ?, last_ok_at = ?, last_error = NULL WHERE id = ?', [
          at,
          at,
          id,
        ]);
      } else {
        await db.run('UPDATE cap_feeds SET last_polled_at = ?, last_error = ? WHERE id = ?', [at, error, id]);
      }
    },
  };
}
