/** Every client event and its handler; the type makes a missing one a compile error. */
import type { HandlerTable } from '../types.ts';
import { consumerResume } from './consumerResume.ts';
import { producerClose } from './producerClose.ts';
import { producerCreate } from './producerCreate.ts';
import { producerPause } from './producerPause.ts';
import { producerResume } from './producerResume.ts';
import { roomJoin } from './roomJoin.ts';
import { roomLeave } from './roomLeave.ts';
import { roomReady } from './roomReady.ts';
import { transportConnect } from './transportConnect.ts';
import { transportCreate } from './transportCreate.ts';

export { leaveCurrentRoom } from './roomLeave.ts';

export const handlers: HandlerTable = {
  'room:join': roomJoin,
  'room:leave': roomLeave,
  'room:ready': roomReady,
  'transport:create': transportCreate,
  'transport:connect': transportConnect,
  'producer:create': producerCreate,
  'producer:pause': producerPause,
  'producer:resume': producerResume,
  'producer:close': producerClose,
  'consumer:resume': consumerResume,
};
