/**
 * Test material for the CAP tests (and the cross-service tests that check the
 * export with an independent parser and the OASIS XSD): a realistic issued
 * warning of Beacon's own, the CAP messages written by others under
 * testdata/, and the XSD check. Not a test itself.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WarningView } from '@beacon/protocol';

const TESTDATA = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
/** The OASIS CAP 1.2 schema, written out from the specification. */
export const CAP_XSD = path.join(TESTDATA, 'CAP-v1.2.xsd');

/** Every CAP message under testdata/, by file name (without .xml). */
export function foreignMessages(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of readdirSync(TESTDATA)
    .filter((f) => f.endsWith('.xml'))
    .sort()) {
    out[file.slice(0, -4)] = readFileSync(path.join(TESTDATA, file), 'utf8');
  }
  return out;
}

export function foreignMessage(name: string): string {
  return readFileSync(path.join(TESTDATA, `${name}.xml`), 'utf8');
}

/**
 * xmllint's verdict on `xml` against the OASIS XSD: null when valid, else its complaint.
 * xmllint comes from Debian's libxml2-utils (scripts/setup.sh --with-tests).
 */
export function xsdProblem(xml: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const child = execFile('xmllint', ['--noout', '--nonet', '--schema', CAP_XSD, '-'], (error, _stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error('xmllint is missing: run scripts/setup.sh --with-tests (Debian libxml2-utils)'));
        return;
      }
      resolve(error ? stderr.trim() : null);
    });
    child.stdin?.end(xml);
  });
}

export function sampleWarning(overrides: Partial<WarningView> = {}): WarningView {
  return {
    id: 'w1',
    departmentIds: [],
    identifier: 'beacon-w1',
    sender: 'beacon@chuxiong.gov.cn',
    event: '暴雨橙色预警',
    colour: 'orange',
    urgency: 'Expected',
    severity: 'Severe',
    certainty: 'Likely',
    headline: '楚雄市发布暴雨橙色预警 <注意> & 防范',
    description: '未来6小时降雨量将达50毫米以上。\r\n请注意防范 "山洪" \'滑坡\'。',
    instruction: '低洼地区群众请立即转移。',
    area: {
      type: 'polygon',
      points: [
        [24.98, 101.5],
        [25.08, 101.5],
        [25.08, 101.65],
        [24.98, 101.65],
        [24.98, 101.5],
      ],
    },
    areaDesc: '鹿城镇、东瓜镇',
    effective: '2026-11-26T02:15:00.000Z',
    expires: '2026-11-27T02:15:00.000Z',
    status: 'issued',
    incidentId: 'inc-7',
    affectedTownshipIds: ['donggua', 'lucheng'],
    escalationMinutes: 15,
    createdAt: '2026-11-26T02:00:00.000Z',
    createdBy: 'u-duty',
    issuedAt: '2026-11-26T02:10:00.000Z',
    issuedBy: 'u-duty',
    ...overrides,
  };
}
