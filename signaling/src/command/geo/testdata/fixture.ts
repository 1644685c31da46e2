/** The three-township boundary fixture (紫溪镇, 鹿城镇, 东瓜镇 — simplified outlines, not survey data). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURE_PATH = path.join(import.meta.dirname, 'three-townships.geojson');
export const FIXTURE = readFileSync(FIXTURE_PATH, 'utf8');
