/**
 * Which wall panel an incident note's snapshot comes from: the incident township's own pulled terminal
 * first, else the newest open camera of that township, else (an incident with no township) the newest camera
 * panel. Kept free of the DOM so it is tested as is.
 */
export interface SnapshotCandidate {
  /** The panel's key: a township ID or `cam:<channelId>`. */
  key: string;
  /** The camera's channel, null for a township pull. */
  cameraId: string | null;
}

export function snapshotPanelKey(
  panels: readonly SnapshotCandidate[],
  townshipId: string | null,
  cameraTownship: (channelId: string) => string | null,
): string | null {
  if (townshipId && panels.some((p) => p.cameraId === null && p.key === townshipId)) return townshipId;
  const cameras = panels.filter((p) => p.cameraId !== null).reverse();
  const match = townshipId ? cameras.find((p) => cameraTownship(p.cameraId as string) === townshipId) : cameras[0];
  return match?.key ?? null;
}
