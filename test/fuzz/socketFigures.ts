/**
 * What the socket fuzz counts: payloads by mutation, acks by code, acks that
 * never came, disconnects, and the findings (an `internal` ack is a handler
 * that threw something uncoded; an ack of the wrong shape breaks the
 * protocol) with a sample of the payload that caused each.
 */
import type { IdPool } from './idPool.ts';
import type { FuzzPayload } from './mutations.ts';

const SAMPLE_CHARS = 300;
const MAX_FINDINGS = 20;

export interface Finding {
  kind: string;
  event: string;
  mutation: string;
  payload: string;
  detail: string;
}

export class SocketFigures {
  sent = 0;
  withoutAck = 0;
  lostToDisconnect = 0;
  noAck = 0;
  /** Unknown events: socket.io has no handler, so no ack, by design. */
  unknownUnanswered = 0;
  readonly byMutation: Record<string, number> = {};
  readonly acksByCode: Record<string, number> = {};
  readonly disconnects: Record<string, number> = {};
  /** Payloads socket.io-client could not encode (its encoder recurses): never reached the server. */
  readonly unsendable: Record<string, number> = {};
  /** Valid payloads answered ok, per event: how deep the fuzz reached. */
  readonly okByEvent: Record<string, number> = {};
  readonly findings: Finding[] = [];
  findingCount = 0;

  count(table: Record<string, number>, key: string): void {
    table[key] = (table[key] ?? 0) + 1;
  }

  noteAck(payload: FuzzPayload, response: unknown, ids: IdPool): void {
    const body = response as { ok?: unknown; data?: unknown; error?: { code?: unknown; message?: unknown } } | null;
    if (body?.ok === true) {
      this.count(this.acksByCode, 'ok');
      this.count(this.okByEvent, payload.event);
      ids.learn(body.data);
      return;
    }
    const code = body?.ok === false ? body.error?.code : undefined;
    if (typeof code !== 'string' || typeof body?.error?.message !== 'string') {
      this.count(this.acksByCode, 'malformed ack');
      this.#finding('malformed ack', payload, JSON.stringify(response)?.slice(0, SAMPLE_CHARS) ?? 'undefined');
      return;
    }
    this.count(this.acksByCode, code);
    if (code === 'internal') this.#finding('internal', payload, String(body.error?.message));
  }

  noteNoAck(payload: FuzzPayload): void {
    if (payload.mutation === 'unknownEvent') {
      this.unknownUnanswered++;
      return;
    }
    this.noAck++;
    this.#finding('no ack', payload, 'no ack within the time bound');
  }

  #finding(kind: string, payload: FuzzPayload, detail: string): void {
    this.findingCount++;
    if (this.findings.length >= MAX_FINDINGS) return;
    this.findings.push({ kind, event: payload.event, mutation: payload.mutation, payload: sample(payload), detail });
  }
}

function sample(payload: FuzzPayload): string {
  try {
    return JSON.stringify(payload.args, (_k, v: unknown) =>
      typeof v === 'string' && v.length > 60 ? `${v.slice(0, 20)}…(${v.length} chars)` : v,
    ).slice(0, SAMPLE_CHARS);
  } catch (err) {
    return `unprintable: ${String(err)}`;
  }
}
