export * from './errors.ts';
export * from './events.ts';
export * from './rest.ts';
