import { BeaconError } from '@beacon/protocol';

/**
 * mediasoup rejects client-supplied parameters it cannot use with TypeError
 * (malformed) or UnsupportedError (codec not in the router): that is the
 * client's fault, so it becomes bad_request instead of 'internal'.
 */
export async function clientInput<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof TypeError || (err instanceof Error && err.name === 'UnsupportedError')) {
      throw new BeaconError('bad_request', err.message, { cause: err });
    }
    throw err;
  }
}
