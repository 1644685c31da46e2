import { describe, expect, it } from 'vitest';
import { snapshotPanelKey } from './snapshotSource.ts';

const panels = [
  { key: 'cam:1', cameraId: '1' },
  { key: 'lucheng', cameraId: null },
  { key: 'cam:2', cameraId: '2' },
  { key: 'cam:3', cameraId: '3' },
];
const townshipOf = (id: string) => ({ '1': 'donggua', '2': 'donggua', '3': 'zixi' })[id] ?? null;

describe('the snapshot of an incident note', () => {
  it('takes the township pull first, then the newest camera of the township, then any newest camera', () => {
    expect(snapshotPanelKey(panels, 'lucheng', townshipOf)).toBe('lucheng');
    expect(snapshotPanelKey(panels, 'donggua', townshipOf)).toBe('cam:2');
    expect(snapshotPanelKey(panels, 'zixi', townshipOf)).toBe('cam:3');
    expect(snapshotPanelKey(panels, 'lvhe', townshipOf)).toBeNull();
    expect(snapshotPanelKey(panels, null, townshipOf)).toBe('cam:3');
    expect(snapshotPanelKey([], null, townshipOf)).toBeNull();
  });
});
