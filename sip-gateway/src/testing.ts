/**
 * `@beacon/sip-gateway/testing`: what cross-service tests need to know about
 * what the gateway plays — the voice prompt library (to read a cached
 * synthesis back and know its length) and the loudspeakers' attention tone.
 */
export { attentionTone } from './media/attentionTone.ts';
export { PromptLibrary } from './media/PromptLibrary.ts';
