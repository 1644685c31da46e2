import type { TerminalMessages } from './zh-CN.ts';

/** English strings of the township terminal and the command room's video wall; the keys are zh-CN.ts's (the type checks them). */
const en: TerminalMessages = {
  terminal: {
    title: 'Township video terminal',
    status: {
      online: 'Connected',
      connecting: 'Connecting…',
      offline: 'Connection lost, reconnecting…',
    },
    callCity: 'Call the city',
    pulled: 'Camera shared with the city command centre',
    alert: {
      colour: { red: 'Red warning', orange: 'Orange warning', yellow: 'Yellow warning', blue: 'Blue warning' },
      renotified: 'Notified again (#{n})',
      instruction: 'What to do',
      expires: 'Valid until {time}',
      ack: 'Acknowledge',
      acking: 'Acknowledging…',
      acked: 'Acknowledged',
      failed: 'Could not acknowledge: {error}',
      more: '{n} more warnings to acknowledge',
    },
    tasks: {
      title: 'Dispatch tasks',
      empty: 'No tasks',
      deadline: 'Due {time}',
      overdue: 'Overdue',
      ack: 'Acknowledge',
      done: 'Done',
      notePlaceholder: 'Report (optional)',
      status: { sent: 'New', acknowledged: 'Acknowledged', done: 'Done' },
      loadFailed: 'Could not load tasks: {error}',
    },
    meeting: {
      invited: 'The city started a meeting, joining…',
    },
    wall: {
      empty: 'Click a township on the map to pull its video',
      starting: 'Requesting…',
      connecting: 'Connecting…',
      waiting: 'Waiting for the terminal…',
      failed: 'Connection failed',
      close: 'Close',
      full: 'The video wall holds 9 videos',
      pullFailed: 'Video pull failed ({township}): {code}',
      ptz: {
        up: 'Up',
        down: 'Down',
        left: 'Left',
        right: 'Right',
        zoomIn: 'Zoom in',
        zoomOut: 'Zoom out',
        preset: 'Preset',
        call: 'Go',
      },
    },
    errors: {
      terminal_offline: 'The terminal is offline',
      invalid_transition: 'Not allowed in this state',
      cap_invalid: 'Malformed warning',
    },
  },
};

export default en;
