/** What other packages use: start a node, its config, tokens (service accounts, tests). The protocol is @beacon/protocol. */
export { type AuthClaims, resolveJwtSecret, TokenService } from './auth/tokens.ts';
export type { Config } from './config.ts';
export { loadConfig } from './config.ts';
export { type BeaconNode, type StartBeaconOptions, startBeacon } from './server.ts';
