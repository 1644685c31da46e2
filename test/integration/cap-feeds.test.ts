/**
 * A CAP feed served locally (an Atom index on a plain http server in this
 * test), subscribed by an admin on a real node: a new alert for the city
 * becomes a draft in the duty desk's list with its source (REST and the staff
 * socket), an Update rewrites that draft, a Cancel withdraws it; an alert for
 * elsewhere is skipped. A feed that serves HTML or an XML bomb is rejected
 * whole, logged on the feed, nothing stored, and Beacon keeps answering.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CapFeedPollResult, CapFeedView, WarningView } from '@beacon/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foreignMessage } from '../../signaling/src/command/cap/capFixtures.ts';
import { api, login, nextEvent, useTestNode } from './helpers.ts';

const t = useTestNode();
const HOUR = 3_600_000;
const capTime = (offsetMs: number) => `${new Date(Date.now() + offsetMs).toISOString().slice(0, 19)}+00:00`;
const SENT = capTime(0);

function cap(id: string, msgType: 'Alert' | 'Update' | 'Cancel', headline: string, references?: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${id}</identifier>
  <sender>yn@12379.cn</sender>
  <sent>${SENT}</sent>
  <status>Actual</status>
  <msgType>${msgType}</msgType>
  <scope>Public</scope>${references ? `\n  <references>${references}</references>` : ''}
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <responseType>${msgType === 'Cancel' ? 'AllClear' : 'Prepare'}</responseType>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>${capTime(6 * HOUR)}</expires>
    <senderName>楚雄州气象台</senderName>
    <headline>${headline}</headline>
    <area><areaDesc>鹿城镇</areaDesc><circle>25.04,101.54 3</circle></area>
  </info>
</alert>`;
}

/** What the local server serves: path → [content type, body]. */
const served = new Map<string, [string, string]>();
let server: Server;
let base = '';

function atom(entries: string[]): string {
  const items = entries
    .map(
      (id) => `<entry><id>urn:${id}</id><title>${id}</title><updated>${SENT}</updated>
    <link rel="alternate" type="application/cap+xml" href="/cap/${id}.xml"/></entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>云南省预警信息</title><id>urn:feed</id><updated>${SENT}</updated>
${items}
</feed>`;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const page = served.get(req.url ?? '');
    if (!page) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': page[0] }).end(page[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  served.set('/cap/yn-1.xml', ['application/cap+xml', cap('yn-1', 'Alert', '楚雄州气象台发布暴雨橙色预警')]);
  served.set('/cap/far-1.xml', ['application/cap+xml', foreignMessage('oasis-a2-thunderstorm')]);
  served.set('/feed.atom', ['application/atom+xml', atom(['far-1', 'yn-1'])]);
  served.set('/html', ['text/html; charset=utf-8', '<!doctype html><html><body>维护中</body></html>']);
  served.set('/html-as-xml', ['application/xml', '<html><body>not a feed</body></html>']);
  served.set('/bomb', [
    'application/xml',
    `<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
${cap('bomb-1', 'Alert', '&c;').replace(/^<\?xml[^>]*>\n/, '')}`,
  ]);
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function json<T>(token: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await api(t.url, token, `/api/v1${path}`, init);
  expect(res.status, `${init.method ?? 'GET'} ${path}`).toBeLessThan(300);
  return (await res.json()) as T;
}

const subscribe = (admin: string, name: string, path: string) =>
  json<CapFeedView>(admin, '/admin/capFeeds', {
    method: 'POST',
    body: JSON.stringify({ name, url: `${base}${path}`, pollSeconds: 3600 }),
  });
const pollNow = (admin: string, feed: CapFeedView) =>
  json<CapFeedPollResult>(admin, `/admin/capFeeds/${feed.id}/poll`, { method: 'POST' });

describe('CAP feed subscriptions', () => {
  it('new alert → draft with its source, update → the draft updated, cancel → withdrawn', async () => {
    const admin = await login(t.url, 'admin');
    const duty = await login(t.url, 'duty');
    const desk = await t.client('duty');
    const drafted = nextEvent(desk, 'warning:updated', 30_000);

    const feed = await subscribe(admin, '云南省预警信息发布中心', '/feed.atom');
    const first = await pollNow(admin, feed);
    // The alert for California was read and skipped; the one for 鹿城镇 drafted (by this poll or the first tick's).
    expect(first.ok).toBe(true);
    const live = await drafted;
    expect(live).toMatchObject({ status: 'draft', headline: '楚雄州气象台发布暴雨橙色预警' });
    const list = await json<WarningView[]>(duty, '/warnings');
    expect(list.map((w) => w.id)).toEqual([live.id]);
    expect(list[0]).toMatchObject({
      colour: 'orange',
      affectedTownshipIds: expect.arrayContaining(['lucheng']),
      source: {
        kind: 'feed',
        feedId: feed.id,
        feedName: '云南省预警信息发布中心',
        identifier: 'yn-1',
        senderName: '楚雄州气象台',
      },
    });

    served.set('/cap/yn-2.xml', [
      'application/cap+xml',
      cap('yn-2', 'Update', '楚雄州气象台升级暴雨红色预警', `yn@12379.cn,yn-1,${SENT}`),
    ]);
    served.set('/feed.atom', ['application/atom+xml', atom(['yn-2', 'far-1', 'yn-1'])]);
    expect(await pollNow(admin, feed)).toMatchObject({ ok: true, updated: 1, drafted: 0 });
    const updated = await json<WarningView>(duty, `/warnings/${live.id}`);
    expect(updated).toMatchObject({ status: 'draft', colour: 'red', headline: '楚雄州气象台升级暴雨红色预警' });
    expect(updated.source).toMatchObject({ identifier: 'yn-2', msgType: 'Update' });

    served.set('/cap/yn-3.xml', [
      'application/cap+xml',
      cap('yn-3', 'Cancel', '楚雄州气象台解除暴雨预警', `yn@12379.cn,yn-1,${SENT} yn@12379.cn,yn-2,${SENT}`),
    ]);
    served.set('/feed.atom', ['application/atom+xml', atom(['yn-3', 'yn-2', 'far-1', 'yn-1'])]);
    expect(await pollNow(admin, feed)).toMatchObject({ ok: true, withdrawn: 1, drafted: 0 });
    const withdrawn = await json<WarningView>(duty, `/warnings/${live.id}`);
    expect(withdrawn).toMatchObject({ status: 'cancelled', source: { cancelledBy: 'yn-3' } });
    // Still one warning: the Cancel drafted nothing (no red all-clear).
    expect((await json<WarningView[]>(duty, '/warnings')).map((w) => w.id)).toEqual([live.id]);

    const exported = await api(t.url, duty, `/api/v1/warnings/${live.id}/cap`);
    expect(await exported.text()).toContain('<identifier>yn-3</identifier>');
    // A withdrawn warning is no draft to complete; an empty change is bad input.
    const patch = (body: unknown) =>
      api(t.url, duty, `/api/v1/warnings/${live.id}`, { method: 'PATCH', body: JSON.stringify(body) });
    expect((await patch({ expires: new Date(Date.now() + HOUR).toISOString() })).status).toBe(409);
    expect((await patch({})).status).toBe(400);
  });

  it('answers a CAP file by what it did: 201 drafted, 200 held, 202 recorded', async () => {
    const duty = await login(t.url, 'duty');
    const importCap = (xml: string) =>
      fetch(`${t.url}/api/v1/warnings/import`, {
        method: 'POST',
        body: xml,
        headers: { authorization: `Bearer ${duty}`, 'content-type': 'application/cap+xml' },
      });
    const xml = cap('file-1', 'Alert', '文件导入的预警');
    const first = await importCap(xml);
    expect([first.status, first.headers.get('beacon-cap-outcome')]).toEqual([201, 'drafted']);
    const drafted = (await first.json()) as WarningView;
    const again = await importCap(xml);
    expect([again.status, again.headers.get('beacon-cap-outcome')]).toEqual([200, 'held']);
    expect(((await again.json()) as WarningView).id).toBe(drafted.id);
    const ack = await importCap(cap('file-ack', 'Alert', 'x').replace('<msgType>Alert', '<msgType>Ack'));
    expect(ack.status).toBe(202);
    expect(await ack.json()).toMatchObject({ outcome: 'recorded', reason: 'ack', identifier: 'file-ack' });
  });

  it('rejects a feed serving HTML or an XML bomb: logged on the feed, nothing stored, Beacon keeps running', async () => {
    const admin = await login(t.url, 'admin');
    const duty = await login(t.url, 'duty');
    const before = (await json<WarningView[]>(duty, '/warnings')).length;
    for (const [path, reason] of [
      ['/html', /HTML/],
      ['/html-as-xml', /HTML/],
      ['/bomb', /DOCTYPE/],
    ] as const) {
      const feed = await subscribe(admin, `bad ${path}`, path);
      const result = await pollNow(admin, feed);
      expect(result).toMatchObject({ ok: false, drafted: 0, messages: 0 });
      expect(result.error).toMatch(reason);
      expect((await json<CapFeedView>(admin, `/admin/capFeeds/${feed.id}`)).lastError).toMatch(reason);
    }
    expect((await json<WarningView[]>(duty, '/warnings')).length).toBe(before);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    // A bad subscription is a coded error, nothing stored.
    const bad = await api(t.url, admin, '/api/v1/admin/capFeeds', {
      method: 'POST',
      body: JSON.stringify({ name: 'x', url: 'file:///etc/passwd' }),
    });
    expect(bad.status).toBe(400);
  });
});
