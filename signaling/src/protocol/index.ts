export * from './command.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './meeting.ts';
export * from './rest.ts';
export * from './sip.ts';
