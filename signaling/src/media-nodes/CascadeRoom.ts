/**
 * One conference room spread over media nodes: which node hosts which peer,
 * where each producer originates, and the pipes that carry a producer to a
 * node where someone consumes it.
 *
 * Pipe life: the first consumer of producer P on node T (P from node S)
 * opens the room's PipeTransport pair S⇄T if needed, pipes P once
 * (`pipeConsume` on S, `pipeProduce` on T) and takes a reference; every
 * further consumer of P on T takes a reference on the same pipe. When the
 * last reference goes, S stops piping P (`unpipe`), which closes the piped
 * producer on T through the relayed `pipeconsumerclosed` event.
 *
 * The endpoint each node reports for its pipe transport must be an address
 * that node is registered under (nodeAddresses.ts), and each node is told
 * the other's registered addresses so it connects to nothing else: a node
 * reporting a foreign address is refused (`pipe_endpoint_not_registered`,
 * `onPipeRefused`), and neither end is connected.
 */
import { MediaError } from '@beacon/media-server';
import { createLogger } from '../logger.ts';
import { isRegisteredAddress } from './nodeAddresses.ts';
import type { RemoteMediaControl } from './RemoteMediaControl.ts';

const logger = createLogger('CascadeRoom');

interface Pipe {
  sourceNodeId: string;
  targetNodeId: string;
  producerId: string;
  /** Consumers on the target node (and consumes in flight) using this pipe. */
  users: number;
  ready: Promise<void>;
}

/** A pipe endpoint a node reported that is not one of its registered addresses. */
export interface PipeRefusal {
  roomId: string;
  nodeId: string;
  /** The node at the other end, which would have sent the room's media there. */
  peerNodeId: string;
  ip: string;
  port: number;
  registered: string[];
}

export interface CascadeRoomOptions {
  roomId: string;
  node: (nodeId: string) => RemoteMediaControl;
  enableSrtp: boolean;
  /** A refused pipe endpoint (audit). Default: only logged. */
  onPipeRefused?: ((refusal: PipeRefusal) => void) | undefined;
}

export class CascadeRoom {
  readonly id: string;
  readonly #node: (nodeId: string) => RemoteMediaControl;
  readonly #enableSrtp: boolean;
  readonly #onPipeRefused: ((refusal: PipeRefusal) => void) | undefined;
  /** Nodes with this room's router, in order of creation. */
  readonly hosts = new Set<string>();
  /** peerId → node id (placement, or placement in flight). */
  readonly peers = new Map<string, Promise<string>>();
  readonly #peerNodes = new Map<string, string>();
  /** producerId → origin node and peer. */
  readonly producers = new Map<string, { nodeId: string; peerId: string }>();
  /** consumerId → its peer and the pipe it holds a reference on (none for a local producer). */
  readonly #consumers = new Map<string, { peerId: string; pipe: Pipe | undefined }>();
  readonly #pipes = new Map<string, Pipe>();
  /** Connected PipeTransport pairs, by sorted node pair. */
  readonly #links = new Map<string, Promise<void>>();

  constructor(opts: CascadeRoomOptions) {
    this.id = opts.roomId;
    this.#node = opts.node;
    this.#enableSrtp = opts.enableSrtp;
    this.#onPipeRefused = opts.onPipeRefused;
  }

  /** The node of a placed peer; throws peer_not_found before placement. */
  nodeOfPeer(peerId: string): string {
    const nodeId = this.#peerNodes.get(peerId);
    if (!nodeId) throw MediaError.peerNotFound(peerId);
    return nodeId;
  }

  settlePeer(peerId: string, nodeId: string): void {
    this.#peerNodes.set(peerId, nodeId);
  }

  /** Forgets the peer; returns its node when it hosted it. */
  removePeer(peerId: string): string | undefined {
    const nodeId = this.#peerNodes.get(peerId);
    this.peers.delete(peerId);
    this.#peerNodes.delete(peerId);
    for (const [producerId, origin] of this.producers) if (origin.peerId === peerId) this.producers.delete(producerId);
    return nodeId;
  }

  peersOn(nodeId: string): number {
    return [...this.#peerNodes.values()].filter((id) => id === nodeId).length;
  }

  /**
   * Makes `producerId` consumable on `targetNodeId` and takes a reference on
   * its pipe (none when it originates there). Pair with `release` or
   * `holdFor`.
   */
  async acquire(producerId: string, targetNodeId: string): Promise<Pipe | undefined> {
    const origin = this.producers.get(producerId);
    if (!origin) throw MediaError.producerNotFound(producerId);
    if (origin.nodeId === targetNodeId) return undefined;
    const key = pipeKey(producerId, targetNodeId);
    let pipe = this.#pipes.get(key);
    if (!pipe) {
      const created: Pipe = {
        sourceNodeId: origin.nodeId,
        targetNodeId,
        producerId,
        users: 0,
        ready: this.#pipe(producerId, origin.nodeId, targetNodeId),
      };
      pipe = created;
      this.#pipes.set(key, pipe);
      created.ready.catch(() => {
        if (this.#pipes.get(key) === created) this.#pipes.delete(key);
      });
    }
    pipe.users += 1;
    try {
      await pipe.ready;
    } catch (error) {
      pipe.users -= 1;
      throw error;
    }
    return pipe;
  }

  /** The consumer `consumerId` of `peerId` keeps the reference `acquire` took. */
  holdFor(consumerId: string, pipe: Pipe | undefined, peerId: string): void {
    this.#consumers.set(consumerId, { peerId, pipe });
  }

  /** The consumer is gone: drop its reference. */
  consumerGone(consumerId: string): void {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) return;
    this.#consumers.delete(consumerId);
    this.release(consumer.pipe);
  }

  /** The peer's media was closed (its consumers went without a consumerclosed event). */
  peerConsumersGone(peerId: string): void {
    for (const [consumerId, consumer] of this.#consumers) if (consumer.peerId === peerId) this.consumerGone(consumerId);
  }

  /** Drops one reference; the last one stops the pipe. */
  release(pipe: Pipe | undefined): void {
    if (!pipe) return;
    pipe.users -= 1;
    if (pipe.users > 0) return;
    const key = pipeKey(pipe.producerId, pipe.targetNodeId);
    if (this.#pipes.get(key) !== pipe) return;
    this.#pipes.delete(key);
    logger.debug({ roomId: this.id, producerId: pipe.producerId, to: pipe.targetNodeId }, 'unpiping');
    this.#node(pipe.sourceNodeId)
      .call('unpipe', { roomId: this.id, remoteNodeId: pipe.targetNodeId, producerId: pipe.producerId })
      .catch((err: unknown) => logger.warn({ roomId: this.id, err }, 'unpipe failed'));
  }

  /** The source node closed a pipe consumer (producer closed, or unpiped): close its copy on the target. */
  pipeClosed(sourceNodeId: string, targetNodeId: string, producerId: string): void {
    const key = pipeKey(producerId, targetNodeId);
    if (this.#pipes.get(key)?.sourceNodeId === sourceNodeId) this.#pipes.delete(key);
    this.relay(sourceNodeId, targetNodeId, producerId, 'close');
  }

  relay(sourceNodeId: string, targetNodeId: string, producerId: string, action: 'pause' | 'resume' | 'close'): void {
    if (!this.hosts.has(targetNodeId)) return;
    this.#node(targetNodeId)
      .call('setPipedProducer', { roomId: this.id, remoteNodeId: sourceNodeId, producerId, action })
      .catch((err: unknown) => logger.warn({ roomId: this.id, action, err }, 'pipe relay failed'));
  }

  /** The room left `nodeId` (closed there or the node died): forget its pipes and links. */
  dropNode(nodeId: string): void {
    this.hosts.delete(nodeId);
    for (const [key, pipe] of this.#pipes) {
      if (pipe.sourceNodeId === nodeId || pipe.targetNodeId === nodeId) this.#pipes.delete(key);
    }
    for (const key of this.#links.keys()) if (key.split('\n').includes(nodeId)) this.#links.delete(key);
  }

  /** Number of live pipes (tests, logs). */
  get pipeCount(): number {
    return this.#pipes.size;
  }

  async #pipe(producerId: string, sourceNodeId: string, targetNodeId: string): Promise<void> {
    await this.#link(sourceNodeId, targetNodeId);
    const source = this.#node(sourceNodeId);
    const params = await source.call('pipeConsume', { roomId: this.id, remoteNodeId: targetNodeId, producerId });
    try {
      await this.#node(targetNodeId).call('pipeProduce', { roomId: this.id, remoteNodeId: sourceNodeId, params });
    } catch (error) {
      await source.call('unpipe', { roomId: this.id, remoteNodeId: targetNodeId, producerId }).catch(() => undefined);
      throw error;
    }
    logger.debug({ roomId: this.id, producerId, from: sourceNodeId, to: targetNodeId }, 'producer piped');
  }

  /** Opens and connects the room's PipeTransport pair between two nodes, once. */
  #link(nodeA: string, nodeB: string): Promise<void> {
    const key = [nodeA, nodeB].sort().join('\n');
    let link = this.#links.get(key);
    if (!link) {
      const created = this.#connectLink(nodeA, nodeB);
      link = created;
      this.#links.set(key, created);
      created.catch(() => {
        if (this.#links.get(key) === created) this.#links.delete(key);
      });
    }
    return link;
  }

  async #connectLink(nodeA: string, nodeB: string): Promise<void> {
    const roomId = this.id;
    const [a, b] = [this.#node(nodeA), this.#node(nodeB)];
    const enableSrtp = this.#enableSrtp;
    const [addressesA, addressesB] = await Promise.all([a.registeredAddresses(), b.registeredAddresses()]);
    const peer = (addresses: string[]) => (addresses.length > 0 ? { peerAddresses: addresses } : {});
    const [endA, endB] = await Promise.all([
      a.call('openPipe', { roomId, remoteNodeId: nodeB, enableSrtp, ...peer(addressesB) }),
      b.call('openPipe', { roomId, remoteNodeId: nodeA, enableSrtp, ...peer(addressesA) }),
    ]);
    const refused = [
      { nodeId: nodeA, peerNodeId: nodeB, end: endA, registered: addressesA },
      { nodeId: nodeB, peerNodeId: nodeA, end: endB, registered: addressesB },
    ].find(({ end, registered }) => !isRegisteredAddress(end.ip, registered));
    if (refused) {
      const { nodeId, peerNodeId, end, registered } = refused;
      // Nothing was connected: close both transports so the next consume starts the link afresh.
      await Promise.all([
        a.call('closePipe', { roomId, remoteNodeId: nodeB }).catch(() => undefined),
        b.call('closePipe', { roomId, remoteNodeId: nodeA }).catch(() => undefined),
      ]);
      const refusal: PipeRefusal = { roomId, nodeId, peerNodeId, ip: end.ip, port: end.port, registered };
      logger.warn(refusal, 'pipe endpoint is not an address of its media node: refused');
      this.#onPipeRefused?.(refusal);
      throw new MediaError(
        'pipe_endpoint_not_registered',
        `media node ${nodeId} reported pipe endpoint ${end.ip}:${end.port}, not one of its registered addresses (${registered.join(', ') || 'none'})`,
      );
    }
    await Promise.all([
      a.call('connectPipe', { roomId, remoteNodeId: nodeB, remote: endB }),
      b.call('connectPipe', { roomId, remoteNodeId: nodeA, remote: endA }),
    ]);
    logger.info({ roomId, nodes: [nodeA, nodeB], enableSrtp }, 'pipe link connected');
  }
}

function pipeKey(producerId: string, targetNodeId: string): string {
  return `${producerId}\n${targetNodeId}`;
}
