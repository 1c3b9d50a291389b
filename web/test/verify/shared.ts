// Access to ../shared (the test vectors) for the TypeScript tests, with the rule of
// tests/testing/shared.h: AIDTRACE_SHARED_DIR, else ../shared beside the repository;
// when absent, a loud skip, or a failure when AIDTRACE_REQUIRE_SHARED=1 (CI).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '../../..');

export function sharedDir(): string {
  return process.env.AIDTRACE_SHARED_DIR ? resolve(process.env.AIDTRACE_SHARED_DIR) : resolve(REPO_ROOT, '../shared');
}

export function sharedRequired(): boolean {
  return process.env.AIDTRACE_REQUIRE_SHARED === '1';
}

// The absolute path of `relative` under shared/, or null (after a loud banner) when it is
// absent and not required. Throws when it is required and absent.
export function sharedPath(relative: string): string | null {
  const p = join(sharedDir(), relative);
  if (existsSync(p)) return p;
  if (sharedRequired()) throw new Error(`shared data missing: ${p} (AIDTRACE_REQUIRE_SHARED=1)`);
  console.warn(`\n*** SHARED DATA ABSENT: ${p} -- set AIDTRACE_SHARED_DIR; these tests did NOT run ***\n`);
  return null;
}

export function readJson<T = unknown>(p: string): T {
  return JSON.parse(readFileSync(p, 'utf8')) as T;
}

// Every *.json file under dir, sorted, as paths relative to dir.
export function jsonFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(full).isDirectory()) walk(full, r);
      else if (name.endsWith('.json')) out.push(r);
    }
  };
  walk(dir, '');
  return out;
}
