// The dashboard hides pages by the access matrix of docs/API.md (mirrored in
// src/session.ts); this keeps the two from drifting apart.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { may } from '../src/session';
import { REPO_ROOT } from './verify/shared';

const ROWS: Record<string, string> = {
  beneficiaries: 'beneficiaries',
  'warehouses and stock': 'warehouses',
  consignments: 'consignments',
  releases: 'releases',
  'funds flows': 'flows',
  'funds commitments': 'commitments',
  'screening hits, alerts, cases': 'enforcement',
  'pending decisions': 'pending',
};

describe('access matrix', () => {
  it('matches docs/API.md for every role', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'API.md'), 'utf8');
    const header = doc.split('\n').find((l) => l.startsWith('| endpoint | governor'));
    expect(header, 'the access table of docs/API.md').toBeTruthy();
    const roles = header!.split('|').slice(2, -1).map((s) => s.trim());
    let seen = 0;
    for (const line of doc.split('\n')) {
      const cells = line.split('|').slice(1, -1).map((s) => s.trim());
      const key = ROWS[cells[0] ?? ''];
      if (!key) continue;
      seen++;
      roles.forEach((role, i) => {
        expect(may(key, role), `${cells[0]} for ${role}`).toBe(!cells[i + 1]!.startsWith('—'));
      });
    }
    expect(seen).toBe(Object.keys(ROWS).length);
  });
});
