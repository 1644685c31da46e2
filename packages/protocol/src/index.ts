export * from './command.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './meeting.ts';
export * from './request.ts';
export * from './rest.ts';
export * from './sip.ts';
export * from './vocabulary.ts';
