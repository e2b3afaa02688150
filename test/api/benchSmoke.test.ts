import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

// The benchmark is not part of the suite, but a seconds-long run of it is, so it cannot rot.
describe('npm run bench', () => {
  it('runs on its own stack and reports every figure as a number', () => {
    const root = path.join(__dirname, '..', '..');
    const out = execFileSync(process.execPath, [path.join(root, 'dist/bench/run.js'), '--smoke', '--json'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const figures = JSON.parse(out.trim().split('\n').pop()!);
    for (const name of [
      'ingest_notifications_per_s',
      'floor_commits_per_s',
      'ingest_ratio',
      'storage_calls_per_operation_notification',
      'storage_calls_per_duplicate',
      'roster_writes_per_change_1000',
      'snapshot_burst_p99_ms',
      'snapshot_1000_ms',
      'snapshot_1000_storage_reads',
      'p50_ms',
      'p99_ms',
      'cold_import_ms',
      'floor_import_ms',
      'cold_import_ratio',
      'invite_overhead_ms',
      'peak_rss_mb',
    ]) {
      expect(Number.isFinite(figures[name]), name).toBe(true);
    }
    expect(figures.ingest_non_2xx).toBe(0);
    expect(figures.storage_calls_per_operation_notification).toBeLessThanOrEqual(2);
    expect(figures.storage_calls_per_duplicate).toBeLessThanOrEqual(1);
    expect(figures.snapshot_burst_exact_roster).toBe(true);
    expect(figures.snapshot_burst_non_2xx).toBe(0);
  }, 150_000);
});
