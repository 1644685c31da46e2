/**
 * What the SIP bridge needs from a cluster to reach a gateway connected to
 * another signaling node (cluster/GatewayRelay.ts implements it over the
 * sealed node-to-node channel). The gateway's socket is on one node; a room
 * is driven by its owner, which may be another: the owner's dial-outs and
 * link controls travel to the gateway's node, the gateway's progress and a
 * call-in travel back to the owner.
 */
import type { DialRequest, DialState, UpstreamControl, UpstreamDialRequest } from '@beacon/protocol';

/** One message between two nodes' SIP bridges (kinds `gateway:*`, checked with zod on arrival). */
export type RelayMessage =
  /** Owner → gateway's node: ring a phone into the owner's room. */
  | { kind: 'gateway:dial'; request: DialRequest }
  /** Owner → gateway's node: dial the room's upstream conference. */
  | { kind: 'gateway:upstream'; request: UpstreamDialRequest }
  /** Owner → gateway's node: hang up, mute or unmute an upstream call. */
  | { kind: 'gateway:upstreamControl'; control: UpstreamControl }
  /** Gateway's node → owner: progress of a call the owner asked for (or took over as a call-in). */
  | { kind: 'gateway:callState'; requestId: string; state: DialState; reason: string | null }
  /** Gateway's node → owner: the upstream called the owner's room; answer `{ accepted }`. */
  | { kind: 'gateway:upstreamIn'; requestId: string; roomId: string; source: string };

export interface RemoteGateways {
  /** This node's id. */
  readonly nodeId: string;
  /** Another node whose gateway can take calls now; null: none known. */
  gatewayNode(): string | null;
  /** The node that drives the room: its owner, or this node when it now claims it (nobody did). */
  roomDriver(roomId: string): Promise<string>;
  /** Whether a node is known to be gone (its calls cannot be reported any more). */
  isDead(nodeId: string): Promise<boolean>;
  /** Delivers a message to another node's bridge; resolves its answer, rejects when it was not taken. */
  send(nodeId: string, message: RelayMessage): Promise<unknown>;
}

/** Where a request to a gateway went: a gateway socket on this node, or another node's gateway. */
export type GatewayRoute = { socketId: string } | { nodeId: string };

/** A Map that forgets its oldest entry beyond `max` (a gateway that never reports must not grow it forever). */
export class BoundedMap<K, V> extends Map<K, V> {
  readonly #max: number;

  constructor(max: number) {
    super();
    this.#max = max;
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.#max) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}
