/**
 * CAP `category` of a warning. Beacon does not store one: it follows from the
 * linked incident's type when the caller knows it, else from words in the
 * event name (duty officers write 暴雨蓝色预警, 森林火险, 地质灾害 …).
 * CAP files floods under Met ("Meteorological, inc. flood").
 */
import type { IncidentType } from '@beacon/protocol';

export type BeaconCapCategory = 'Met' | 'Geo' | 'Fire' | 'Env' | 'Safety' | 'Other';

const BY_INCIDENT_TYPE: Record<IncidentType, BeaconCapCategory> = {
  flood: 'Met',
  heavy_rain: 'Met',
  landslide: 'Geo',
  earthquake: 'Geo',
  forest_fire: 'Fire',
  road_blocked: 'Safety',
  other: 'Other',
};

/** First match wins: fire before Met so that 高温森林火险 is a fire warning. */
const BY_WORDS: readonly [RegExp, BeaconCapCategory][] = [
  [/火|fire|wildfire/i, 'Fire'],
  [/地震|滑坡|泥石流|崩塌|地质|塌陷|earthquake|landslide|mudslide|debris flow/i, 'Geo'],
  [
    /雨|雪|风|雷|雹|高温|低温|寒|霜|冻|冰|雾|霾|旱|台风|气象|洪|汛|涝|rain|snow|wind|storm|thunder|hail|heat|cold|frost|fog|drought|flood|typhoon/i,
    'Met',
  ],
  [/污染|环境|水质|空气|pollution|environment/i, 'Env'],
  [/安全|事故|道路|交通|危化|safety|accident|road/i, 'Safety'],
];

export function capCategory(event: string, incidentType?: IncidentType | null): BeaconCapCategory {
  if (incidentType) return BY_INCIDENT_TYPE[incidentType];
  for (const [words, category] of BY_WORDS) if (words.test(event)) return category;
  return 'Other';
}
