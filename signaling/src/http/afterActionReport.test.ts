import { describe, expect, it } from 'vitest';
import { checklistState } from './afterActionReport.ts';

describe("a checklist item's state in the after-action report", () => {
  const due = '2026-12-07T10:00:00.000Z';
  const now = Date.parse('2026-12-07T11:00:00.000Z');
  it('is on time, done late, overdue or still open', () => {
    expect(checklistState({ dueAt: due, doneAt: '2026-12-07T09:59:00.000Z' }, now)).toBe('按时');
    expect(checklistState({ dueAt: due, doneAt: '2026-12-07T10:05:00.000Z' }, now)).toBe('超时完成');
    expect(checklistState({ dueAt: due, doneAt: null }, now)).toBe('超时未完成');
    expect(checklistState({ dueAt: '2026-12-07T12:00:00.000Z', doneAt: null }, now)).toBe('未完成');
  });
});
