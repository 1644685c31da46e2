/**
 * `@beacon/protocol/constants`: the protocol's value sets, patterns and error
 * codes without zod, for clients that bundle for the browser (the console).
 * Everything here is also exported by `@beacon/protocol`.
 */

export * from './adminImport.ts';
export * from './boundaries.ts';
export * from './dutyVocabulary.ts';
export * from './errors.ts';
export * from './evaluationVocabulary.ts';
export * from './loudspeakers.ts';
export * from './meetingVocabulary.ts';
export * from './resourceVocabulary.ts';
export * from './sms.ts';
export * from './vocabulary.ts';
export * from './warningNeeds.ts';
