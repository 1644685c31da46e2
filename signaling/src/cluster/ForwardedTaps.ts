/**
 * The gateway's room taps in a cluster. A tap (`sip:tap`, `sip:untap`: a
 * room's audio as RTP for the phones' mix) needs the room's media, which is
 * on the room's owner; the gateway's socket may be on another node. So these
 * events, which name their room in the payload, run on the room's live owner
 * (ForwardedRooms forwards them like a room event), and the nodes holding a
 * socket's taps are remembered: when the socket goes, they are told, and its
 * taps there end with it.
 */
import type { ClientEventName } from '@beacon/protocol';
import type { ClusterNode } from './ClusterNode.ts';
import type { RoomOwnership } from './RoomOwnership.ts';

/** The gateway's events that act on the room named in their payload. */
const ROOM_ADDRESSED: ReadonlySet<ClientEventName> = new Set<ClientEventName>(['sip:tap', 'sip:untap']);

export function isRoomAddressed(event: ClientEventName): boolean {
  return ROOM_ADDRESSED.has(event);
}

export class ForwardedTaps {
  readonly #node: ClusterNode;
  readonly #ownership: RoomOwnership;
  /** Local sockets with taps on other nodes → those nodes. */
  readonly #holders = new Map<string, Set<string>>();

  constructor(node: ClusterNode, ownership: RoomOwnership) {
    this.#node = node;
    this.#ownership = ownership;
  }

  /** The node to run the event on: the room's owner when it is another live node; null: here. */
  async target(payload: unknown): Promise<string | null> {
    const roomId = (payload as { roomId: string }).roomId;
    const owner = await this.#ownership.owner(roomId);
    if (owner === null || owner === this.#node.nodeId || (await this.#node.isDead(owner))) return null;
    return owner;
  }

  /** `event` ran on `nodeId` for the socket: a tap there is remembered. */
  ran(socketId: string, event: ClientEventName, nodeId: string): void {
    if (event !== 'sip:tap') return;
    const nodes = this.#holders.get(socketId) ?? new Set<string>();
    nodes.add(nodeId);
    this.#holders.set(socketId, nodes);
  }

  /** The socket went: the nodes holding its taps (forgotten here). */
  release(socketId: string): string[] {
    const nodes = [...(this.#holders.get(socketId) ?? [])];
    this.#holders.delete(socketId);
    return nodes;
  }
}
