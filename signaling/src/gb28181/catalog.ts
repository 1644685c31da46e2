/**
 * Catalog (目录) responses: a device answers one `Query Catalog` with as many
 * `Response Catalog` MESSAGEs as it needs, each with `SumNum` (all channels)
 * and a `DeviceList` page. `CatalogCollector` gathers the pages of one query by
 * its SN until SumNum items arrived (a device that stops early leaves what it
 * sent, which the caller stores once the wait runs out).
 */
import { GB_ID } from './GbError.ts';
import { type Manscdp, textField } from './manscdp.ts';

export interface CatalogChannel {
  channelId: string;
  name: string;
  manufacturer: string | null;
  model: string | null;
  /** Device type from the ID's digits 11–13 (131 camera, 132 IP camera, 118 NVR, …). */
  typeCode: string;
  /** `ON` / `OFF` as the device reports it. */
  online: boolean;
  longitude: number | null;
  latitude: number | null;
  address: string | null;
}

export interface CatalogPage {
  sn: number;
  deviceId: string;
  sumNum: number;
  items: CatalogChannel[];
  /** Items the page carried that were dropped (bad ID), so the log can say why the count is short. */
  dropped: number;
}

function coordinate(text: string | undefined, limit: number): number | null {
  if (text === undefined) return null;
  const value = Number(text);
  // 0,0 is what devices send when nobody set a position.
  return Number.isFinite(value) && Math.abs(value) <= limit && value !== 0 ? value : null;
}

export function readCatalogPage(doc: Manscdp): CatalogPage {
  const sumNum = Math.max(0, Number(doc.fields.SumNum) || 0);
  const list = doc.fields.DeviceList as { Item?: unknown[] } | undefined;
  const raw = Array.isArray(list?.Item) ? list.Item : [];
  const items: CatalogChannel[] = [];
  let dropped = 0;
  for (const entry of raw) {
    const item = (entry ?? {}) as Record<string, unknown>;
    const channelId = textField(item, 'DeviceID') ?? '';
    if (!GB_ID.test(channelId)) {
      dropped += 1;
      continue;
    }
    items.push({
      channelId,
      name: (textField(item, 'Name') ?? channelId).slice(0, 100),
      manufacturer: textField(item, 'Manufacturer')?.slice(0, 100) ?? null,
      model: textField(item, 'Model')?.slice(0, 100) ?? null,
      typeCode: channelId.slice(10, 13),
      online: (textField(item, 'Status') ?? 'ON').toUpperCase() !== 'OFF',
      longitude: coordinate(textField(item, 'Longitude'), 180),
      latitude: coordinate(textField(item, 'Latitude'), 90),
      address: textField(item, 'Address')?.slice(0, 200) ?? null,
    });
  }
  return { sn: doc.sn, deviceId: doc.deviceId, sumNum, items, dropped };
}

/** The pages of one catalog query, collected by SN. */
export class CatalogCollector {
  readonly #channels = new Map<string, CatalogChannel>();
  #sumNum: number | null = null;

  constructor(readonly sn: number) {}

  /** Adds a page; true once every channel SumNum announced is in. */
  add(page: CatalogPage): boolean {
    this.#sumNum = page.sumNum;
    for (const item of page.items) this.#channels.set(item.channelId, item);
    return this.complete;
  }

  get complete(): boolean {
    return this.#sumNum !== null && this.#channels.size >= this.#sumNum;
  }

  get channels(): CatalogChannel[] {
    return [...this.#channels.values()];
  }
}
