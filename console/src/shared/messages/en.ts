import type { SharedMessages } from './zh-CN.ts';

/** English strings every page uses; the keys are zh-CN.ts's (the type checks them). */
const en: SharedMessages = {
  app: {
    title: 'Beacon',
    subtitle: 'Chuxiong video conferencing and emergency command',
  },
  lang: {
    other: '中文',
  },
  nav: {
    logout: 'Sign out',
  },
  role: {
    admin: 'Administrator',
    chair: 'Chair',
    duty_officer: 'Duty officer',
    township: 'Township terminal',
    department: 'Department account',
    service: 'Service account',
  },
  login: {
    title: 'Sign in',
    username: 'Username',
    password: 'Password',
    submit: 'Sign in',
    submitting: 'Signing in…',
    required: 'Enter your username and password',
    badCredentials: 'Wrong username or password',
    certHelp: 'Other terminals, first time: install the root certificate',
  },
  errors: {
    bad_request: 'Invalid request',
    unauthorized: 'Please sign in again',
    token_expired: 'Your session expired, please sign in again',
    forbidden: 'Not allowed for your role',
    not_found: 'Not found',
    room_not_found: 'Conference not found',
    room_locked: 'The meeting is locked, you cannot join',
    room_ended: 'The meeting has ended',
    resume_failed: 'Could not resume the session, rejoining',
    invalid_state: 'Not possible right now',
    recording_failed: 'Recording failed',
    not_in_room: 'Not in the conference',
    already_in_room: 'You are already in this conference',
    transport_not_found: 'Media transport not found',
    producer_not_found: 'Media stream not found',
    consumer_not_found: 'Media stream not found',
    cannot_consume: 'Cannot receive this media stream',
    media_unavailable: 'Media service unavailable, try again later',
    store_unavailable: 'Database unavailable, try again later',
    node_unavailable: 'The server hosting this meeting is unavailable, try again in a few seconds',
    media_error: 'Media service error',
    rate_limited: 'Too many requests, try again later',
    wrong_pin: 'Wrong meeting PIN',
    sip_unavailable: 'Phone gateway unavailable',
    extension_not_found: 'Extension not found',
    internal: 'Internal server error',
    timeout: 'The server did not answer in time',
    disconnected: 'Disconnected from the server',
    network: 'Cannot reach the server, check the network',
    media_denied: 'Cannot open camera/microphone',
  },
};

export default en;
