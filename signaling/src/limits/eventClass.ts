/** Which bucket each client event draws from. */
import type { ClientEventName } from '@beacon/protocol';
import type { EventClass } from './LimitsOptions.ts';

/**
 * media: WebRTC plumbing a client sends in bursts (one consumer:resume per consumer on join);
 * command: command-room writes (acks, pulls, duty calls), each a store write and a fan-out;
 * chat: stored and sent to the whole room; control: everything else (joins, chair actions…).
 */
export function eventClass(event: ClientEventName): EventClass {
  if (event === 'chat:send') return 'chat';
  if (
    event === 'room:ready' ||
    event === 'receive:settings' ||
    event.startsWith('transport:') ||
    event.startsWith('producer:') ||
    event.startsWith('consumer:')
  ) {
    return 'media';
  }
  if (
    event.startsWith('alert:') ||
    event.startsWith('task:') ||
    event.startsWith('pull:') ||
    event.startsWith('duty:call:')
  ) {
    return 'command';
  }
  return 'control';
}
