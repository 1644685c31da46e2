/**
 * The station admin form as the inputs hold it (strings, '' for none) and the request bodies made from it:
 * thresholds as a grid of colour × window for rain gauges, one value per colour otherwise. Kept apart from the
 * Vue component so the conversion is unit-tested.
 */
import type { CreateStationRequest, StationKind, StationThresholds, StationView } from '@beacon/protocol';

export const LEVELS = ['blue', 'yellow', 'orange', 'red'] as const;
export const WINDOWS = ['h1', 'h3', 'h6', 'h24'] as const;
type Level = (typeof LEVELS)[number];
type Window = (typeof WINDOWS)[number];

export interface StationForm {
  id: string;
  name: string;
  kind: StationKind;
  lat: string;
  lon: string;
  townshipId: string;
  owner: 'township' | 'department';
  ownerTownshipId: string;
  ownerDepartmentId: string;
  intervalSeconds: string;
  alertRadiusKm: string;
  warningLevel: string;
  guaranteedLevel: string;
  rain: Record<Level, Record<Window, string>>;
  value: Record<Level, string>;
}

const grid = () =>
  Object.fromEntries(LEVELS.map((l) => [l, Object.fromEntries(WINDOWS.map((w) => [w, '']))])) as StationForm['rain'];
const str = (n: number | null | undefined): string => (n === null || n === undefined ? '' : String(n));

export function emptyForm(): StationForm {
  return {
    id: '',
    name: '',
    kind: 'rain',
    lat: '',
    lon: '',
    townshipId: '',
    owner: 'township',
    ownerTownshipId: '',
    ownerDepartmentId: '',
    intervalSeconds: '300',
    alertRadiusKm: '5',
    warningLevel: '',
    guaranteedLevel: '',
    rain: grid(),
    value: { blue: '', yellow: '', orange: '', red: '' },
  };
}

export function formFromStation(s: StationView): StationForm {
  const form = emptyForm();
  for (const l of LEVELS) {
    for (const w of WINDOWS) form.rain[l][w] = str(s.thresholds.rain?.[l]?.[w]);
    form.value[l] = str(s.thresholds.value?.[l]);
  }
  return {
    ...form,
    id: s.id,
    name: s.name,
    kind: s.kind,
    lat: String(s.lat),
    lon: String(s.lon),
    townshipId: s.townshipId,
    owner: s.ownerDepartmentId ? 'department' : 'township',
    ownerTownshipId: s.ownerTownshipId ?? '',
    ownerDepartmentId: s.ownerDepartmentId ?? '',
    intervalSeconds: String(s.intervalSeconds),
    alertRadiusKm: String(s.alertRadiusKm),
    warningLevel: str(s.warningLevel),
    guaranteedLevel: str(s.guaranteedLevel),
  };
}

const num = (text: string): number | null => (text.trim() === '' ? null : Number(text));

export function thresholdsFromForm(form: StationForm): StationThresholds {
  if (form.kind === 'rain') {
    const rain: NonNullable<StationThresholds['rain']> = {};
    for (const l of LEVELS) {
      const row: Partial<Record<Window, number>> = {};
      for (const w of WINDOWS) {
        const v = num(form.rain[l][w]);
        if (v !== null) row[w] = v;
      }
      if (Object.keys(row).length > 0) rain[l] = row;
    }
    return { rain };
  }
  const value: NonNullable<StationThresholds['value']> = {};
  for (const l of LEVELS) {
    const v = num(form.value[l]);
    if (v !== null) value[l] = v;
  }
  return { value };
}

/** The body of a create (or, without `id`, of an update): the server checks it again with zod. */
export function bodyFromForm(form: StationForm): CreateStationRequest {
  const water = form.kind === 'water_level';
  return {
    id: form.id.trim(),
    name: form.name.trim(),
    kind: form.kind,
    lat: Number(form.lat),
    lon: Number(form.lon),
    townshipId: form.townshipId,
    ownerTownshipId: form.owner === 'township' ? form.ownerTownshipId || null : null,
    ownerDepartmentId: form.owner === 'department' ? form.ownerDepartmentId || null : null,
    thresholds: thresholdsFromForm(form),
    warningLevel: water ? num(form.warningLevel) : null,
    guaranteedLevel: water ? num(form.guaranteedLevel) : null,
    intervalSeconds: Number(form.intervalSeconds),
    alertRadiusKm: Number(form.alertRadiusKm),
  };
}
