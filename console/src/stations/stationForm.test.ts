import type { StationView } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { bodyFromForm, emptyForm, formFromStation } from './stationForm.ts';

describe('the station form', () => {
  it('sends the thresholds filled in, per colour and window, and only one owner', () => {
    const form = { ...emptyForm(), id: ' RG-1 ', name: '雨量站', lat: '25.1', lon: '101.5', townshipId: 'zixi' };
    form.ownerTownshipId = 'zixi';
    form.ownerDepartmentId = 'dp-sw';
    form.rain.yellow.h3 = '50';
    form.rain.red.h1 = '80';
    form.warningLevel = '1821';
    expect(bodyFromForm(form)).toMatchObject({
      id: 'RG-1',
      ownerTownshipId: 'zixi',
      ownerDepartmentId: null,
      thresholds: { rain: { yellow: { h3: 50 }, red: { h1: 80 } } },
      warningLevel: null,
    });
  });

  it('reads a water level station back into the form and out again unchanged', () => {
    const station: StationView = {
      id: 'WL-1',
      name: '青龙河水位站',
      kind: 'water_level',
      lat: 25.03,
      lon: 101.55,
      townshipId: 'lucheng',
      ownerTownshipId: null,
      ownerDepartmentId: 'dp-sw',
      thresholds: { value: { yellow: 1821, red: 1822.5 } },
      warningLevel: 1821,
      guaranteedLevel: 1822.5,
      intervalSeconds: 600,
      alertRadiusKm: 3,
      enabled: true,
      createdAt: '2026-12-07T00:00:00.000Z',
    };
    const { enabled: _e, createdAt: _c, ...rest } = station;
    expect(bodyFromForm(formFromStation(station))).toEqual(rest);
  });
});
