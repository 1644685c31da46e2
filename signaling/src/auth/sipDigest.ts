/**
 * SIP digest credentials of desk phones, in the form Kamailio's auth_db
 * reads (`calculate_ha1 = 0`): HA1 = md5(user:realm:password) and HA1b =
 * md5(user@realm:realm:password) for phones that send `user@realm` as the
 * digest username. MD5 is what RFC 2617 digest requires, not our choice; the
 * plain password is never stored.
 */
import { createHash, randomInt } from 'node:crypto';
import { MIN_NEW_ROOM_PIN_DIGITS } from '@beacon/protocol';

export interface SipHashes {
  ha1: string;
  ha1b: string;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

export function sipHashes(username: string, realm: string, password: string): SipHashes {
  return {
    ha1: md5(`${username}:${realm}:${password}`),
    ha1b: md5(`${username}@${realm}:${realm}:${password}`),
  };
}

function randomDigits(count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += String(randomInt(0, 10));
  return out;
}

/** 12 digits: desk phones are configured from their keypad. ~40 bits, enough against online guessing. */
export function randomSipPassword(): string {
  return randomDigits(12);
}

/** A conference PIN for a new room (MIN_NEW_ROOM_PIN_DIGITS: 4 digits fall to a few hundred calls of guessing). */
export function randomPin(): string {
  return randomDigits(MIN_NEW_ROOM_PIN_DIGITS);
}
