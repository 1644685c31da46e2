/**
 * A media node's entry in the Redis directory, signed with the media nodes'
 * pre-shared key (MEDIA_NODE_KEY): whoever can write to Redis but does not
 * hold the key cannot slip in a control URL of their own, to which signaling
 * would otherwise present that key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface MediaNodeEntry {
  nodeId: string;
  /** Control URL signaling connects to. */
  url: string;
  region: string;
}

export interface SignedMediaNodeEntry extends MediaNodeEntry {
  /** HMAC-SHA256 (hex) over the three fields, keyed with MEDIA_NODE_KEY. */
  sig: string;
}

/** Domain-separated so the key's other uses (the control channel's auth) cannot be replayed here. */
function mac(entry: MediaNodeEntry, key: string): Buffer {
  return createHmac('sha256', key)
    .update(JSON.stringify(['beacon-media-node-registration/1', entry.nodeId, entry.url, entry.region]))
    .digest();
}

export function signMediaNodeEntry(entry: MediaNodeEntry, key: string): SignedMediaNodeEntry {
  return { nodeId: entry.nodeId, url: entry.url, region: entry.region, sig: mac(entry, key).toString('hex') };
}

/** Whether `sig` was made with `key` over exactly these fields. */
export function mediaNodeEntrySigned(entry: MediaNodeEntry & { sig?: unknown }, key: string): boolean {
  if (typeof entry.sig !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sig)) return false;
  return timingSafeEqual(Buffer.from(entry.sig, 'hex'), mac(entry, key));
}
