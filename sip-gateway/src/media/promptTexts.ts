/**
 * What the gateway says to callers, Chinese first, then English. Phones
 * dial in with the keypad only, so every prompt that asks for input names
 * the key that ends it.
 */
export type PromptName =
  | 'welcome_pin'
  | 'wrong_pin'
  | 'goodbye_wrong_pin'
  | 'joined'
  | 'muted'
  | 'unmuted'
  | 'muted_by_chair'
  | 'speak_requested'
  | 'room_not_found'
  | 'meeting_ended'
  | 'removed'
  | 'alert_acked'
  | 'duty_connecting';

export const PROMPT_TEXTS: Record<PromptName, { zh: string; en: string }> = {
  welcome_pin: {
    zh: '欢迎参加烽火会议。请输入会议密码，以井号键结束。',
    en: 'Welcome to Beacon. Please enter the meeting PIN, followed by the hash key.',
  },
  wrong_pin: {
    zh: '密码错误，请重新输入。',
    en: 'Wrong PIN, please try again.',
  },
  goodbye_wrong_pin: {
    zh: '密码错误次数过多，再见。',
    en: 'Too many wrong PINs. Goodbye.',
  },
  joined: {
    zh: '您已进入会议。星六静音，星一发言。',
    en: 'You are in the meeting. Star six: mute. Star one: ask to speak.',
  },
  muted: {
    zh: '您已静音。',
    en: 'You are muted.',
  },
  unmuted: {
    zh: '您已取消静音。',
    en: 'You are unmuted.',
  },
  muted_by_chair: {
    zh: '主席已将您静音。',
    en: 'The chair has muted you.',
  },
  speak_requested: {
    zh: '已申请发言，请等待主席允许。',
    en: 'Your request to speak has been sent to the chair.',
  },
  room_not_found: {
    zh: '您拨打的会议不存在，请核对号码。再见。',
    en: 'This meeting does not exist. Please check the number. Goodbye.',
  },
  meeting_ended: {
    zh: '会议已结束，感谢参加。再见。',
    en: 'The meeting has ended. Thank you for joining. Goodbye.',
  },
  removed: {
    zh: '您已被主席移出会议。再见。',
    en: 'The chair has removed you from the meeting. Goodbye.',
  },
  alert_acked: {
    zh: '已签收，谢谢。再见。',
    en: 'Acknowledged. Thank you. Goodbye.',
  },
  // A call to the duty number: short, so the officer who answers is not talked over.
  duty_connecting: {
    zh: '值班室，正在为您接通，请稍候。',
    en: 'Duty desk, connecting you. Please hold.',
  },
};
