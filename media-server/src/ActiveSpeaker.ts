/**
 * The room's loudest audio producer, from mediasoup's ActiveSpeakerObserver.
 * The observer never reports silence, so a closed dominant producer is
 * reported as "nobody" here.
 */
import type { types as ms } from 'mediasoup';
import { createLogger } from './logger.ts';

const logger = createLogger('ActiveSpeaker');

const ACTIVE_SPEAKER_INTERVAL_MS = 300;

export class ActiveSpeaker {
  readonly #observer: ms.ActiveSpeakerObserver;
  readonly #onChange: (producerId: string | null) => void;
  #dominantProducerId: string | null = null;

  private constructor(observer: ms.ActiveSpeakerObserver, onChange: (producerId: string | null) => void) {
    this.#observer = observer;
    this.#onChange = onChange;
    observer.on('dominantspeaker', ({ producer }) => this.#set(producer.id));
  }

  /** `onChange` gets the new dominant producer id, null when the dominant one closed. */
  static async create(router: ms.Router, onChange: (producerId: string | null) => void): Promise<ActiveSpeaker> {
    const observer = await router.createActiveSpeakerObserver({ interval: ACTIVE_SPEAKER_INTERVAL_MS });
    return new ActiveSpeaker(observer, onChange);
  }

  get dominantProducerId(): string | null {
    return this.#dominantProducerId;
  }

  /** Audio producers only; a refusal only costs speaker detection for this producer, not the call. */
  async add(producer: ms.Producer, roomId: string): Promise<void> {
    producer.observer.once('close', () => {
      if (producer.id === this.#dominantProducerId) this.#set(null);
    });
    await this.#observer.addProducer({ producerId: producer.id }).catch((error: unknown) => {
      logger.warn({ roomId, producerId: producer.id, err: error }, 'active speaker observer refused producer');
    });
  }

  #set(producerId: string | null): void {
    if (producerId === this.#dominantProducerId) return;
    this.#dominantProducerId = producerId;
    this.#onChange(producerId);
  }
}
