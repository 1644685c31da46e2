/**
 * What the duty officer has selected and is doing right now (not server
 * data): the side panel tab, the open township card / incident / warning,
 * the incident place mode and the warning area being drawn with its preview.
 */
import type { LatLon, WarningArea } from '@beacon/protocol';
import { reactive } from 'vue';
import { toConsoleError } from '../errors.ts';
import { commandApi } from './commandApi.ts';

export type CommandTab = 'incidents' | 'warnings' | 'tasks' | 'duty' | 'audit' | 'inbox' | 'plans' | 'evaluation';

interface CommandUi {
  tab: CommandTab;
  townshipId: string | null;
  incidentId: string | null;
  warningId: string | null;
  /** The next map click places a new incident. */
  placing: boolean;
  placed: LatLon | null;
  /** The warning area on the map, drawn or imported, and the townships it covers (server preview). */
  area: WarningArea | null;
  affected: string[];
  /** Per affected township with a boundary: the share of it the area covers (0–1). */
  coveredShares: Record<string, number>;
  previewError: string | null;
  /** Townships pre-selected in the task form (from a township card). */
  taskTownships: string[];
}

/** The command room as first opened (and after sign-out). */
function initialUi(): CommandUi {
  return {
    tab: 'incidents',
    townshipId: null,
    incidentId: null,
    warningId: null,
    placing: false,
    placed: null,
    area: null,
    affected: [],
    coveredShares: {},
    previewError: null,
    taskTownships: [],
  };
}

export const ui = reactive<CommandUi>(initialUi());

let previewSeq = 0;

/** A new area: ask the server which townships it covers; a stale answer (the shape changed again) is dropped. */
export async function setArea(area: WarningArea | null): Promise<void> {
  ui.area = area;
  ui.previewError = null;
  const seq = ++previewSeq;
  if (!area) {
    ui.affected = [];
    ui.coveredShares = {};
    return;
  }
  try {
    const { affectedTownshipIds, coveredShares } = await commandApi.previewWarning(area);
    if (seq === previewSeq) {
      ui.affected = affectedTownshipIds;
      ui.coveredShares = coveredShares;
    }
  } catch (error) {
    if (seq === previewSeq) {
      ui.affected = [];
      ui.coveredShares = {};
      ui.previewError = `errors.${toConsoleError(error).code}`;
    }
  }
}

export function resetUi(): void {
  previewSeq++;
  Object.assign(ui, initialUi());
}
