import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Runtime imports (not `import type`) of a module and, through relative paths, of what it imports. */
function runtimeImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const match of source.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
    const target = match[1] as string;
    if (target.startsWith('.')) runtimeImports(path.resolve(path.dirname(file), target), seen);
    else seen.add(target);
  }
  return seen;
}

describe('the browser entries', () => {
  it.each(['constants.ts', 'request.ts'])('%s reaches neither zod nor Node', (entry) => {
    const reached = [...runtimeImports(path.join(import.meta.dirname, entry))];
    expect(reached).not.toContain('zod');
    expect(reached.filter((name) => name.startsWith('node:'))).toEqual([]);
    expect(reached.filter((name) => name.startsWith('@beacon/'))).toEqual(['@beacon/common/errors']);
  });
});
