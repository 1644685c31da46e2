/**
 * The message tree, one rule everywhere: each face keeps its strings beside
 * its code in `<face>/messages/zh-CN.ts` (the reference, Chinese first) and
 * `<face>/messages/en.ts` (typed by it), and each adds its own top-level keys
 * (shared: app, login, role, errors…; conference: rooms, meeting, chair…;
 * command: command.*; terminal: terminal.*; admin: admin.*). messages.test.ts checks that
 * both languages have every key and no empty string.
 */
import adminEn from '../admin/messages/en.ts';
import adminZh from '../admin/messages/zh-CN.ts';
import camerasEn from '../cameras/messages/en.ts';
import camerasZh from '../cameras/messages/zh-CN.ts';
import evaluationEn from '../command/evaluation/messages/en.ts';
import evaluationZh from '../command/evaluation/messages/zh-CN.ts';
import commandEn from '../command/messages/en.ts';
import commandZh from '../command/messages/zh-CN.ts';
import resourcesEn from '../command/resources/messages/en.ts';
import resourcesZh from '../command/resources/messages/zh-CN.ts';
import conferenceEn from '../conference/messages/en.ts';
import conferenceZh from '../conference/messages/zh-CN.ts';
import dutyEn from '../duty/messages/en.ts';
import dutyZh from '../duty/messages/zh-CN.ts';
import meetingsEn from '../meetings/messages/en.ts';
import meetingsZh from '../meetings/messages/zh-CN.ts';
import plansEn from '../plans/messages/en.ts';
import plansZh from '../plans/messages/zh-CN.ts';
import sharedEn from '../shared/messages/en.ts';
import sharedZh from '../shared/messages/zh-CN.ts';
import stationsEn from '../stations/messages/en.ts';
import stationsZh from '../stations/messages/zh-CN.ts';
import terminalEn from '../terminal/messages/en.ts';
import terminalZh from '../terminal/messages/zh-CN.ts';
import reportsEn from '../terminal/reports/messages/en.ts';
import reportsZh from '../terminal/reports/messages/zh-CN.ts';

export type Locale = 'zh-CN' | 'en';

/** Each face's messages per language, by face (what the key test walks). */
export const FACES = {
  shared: { 'zh-CN': sharedZh, en: sharedEn },
  conference: { 'zh-CN': conferenceZh, en: conferenceEn },
  command: { 'zh-CN': commandZh, en: commandEn },
  terminal: { 'zh-CN': terminalZh, en: terminalEn },
  admin: { 'zh-CN': adminZh, en: adminEn },
  duty: { 'zh-CN': dutyZh, en: dutyEn },
  reports: { 'zh-CN': reportsZh, en: reportsEn },
  plans: { 'zh-CN': plansZh, en: plansEn },
  stations: { 'zh-CN': stationsZh, en: stationsEn },
  resources: { 'zh-CN': resourcesZh, en: resourcesEn },
  evaluation: { 'zh-CN': evaluationZh, en: evaluationEn },
  meetings: { 'zh-CN': meetingsZh, en: meetingsEn },
  cameras: { 'zh-CN': camerasZh, en: camerasEn },
};

export const zhCN = {
  ...sharedZh,
  ...conferenceZh,
  ...commandZh,
  ...terminalZh,
  ...adminZh,
  ...dutyZh,
  ...reportsZh,
  ...plansZh,
  ...stationsZh,
  ...resourcesZh,
  ...evaluationZh,
  ...meetingsZh,
  ...camerasZh,
};
export type Messages = typeof zhCN;
export const en: Messages = {
  ...sharedEn,
  ...conferenceEn,
  ...commandEn,
  ...terminalEn,
  ...adminEn,
  ...dutyEn,
  ...reportsEn,
  ...plansEn,
  ...stationsEn,
  ...resourcesEn,
  ...evaluationEn,
  ...meetingsEn,
  ...camerasEn,
};
