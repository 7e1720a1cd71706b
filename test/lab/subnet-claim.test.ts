// Lab subnets: labs of test files running at once must get different addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimSubnet } from './lab.ts';

const withDir = (fn: (dir: string) => void): void => {
  const dir = mkdtempSync(join(tmpdir(), 'netscope-claim-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

test('claims are distinct while held and given back on release', () => {
  withDir((dir) => {
    const a = claimSubnet(dir);
    const b = claimSubnet(dir);
    assert.notEqual(a.third, b.third);
    for (const c of [a, b]) {
      assert.ok(c.third >= 1 && c.third <= 254, `${c.third}`);
      assert.equal(readFileSync(join(dir, `netscope-lab-10.231.${c.third}`), 'utf8'), String(process.pid));
    }
    a.release();
    assert.equal(existsSync(join(dir, `netscope-lab-10.231.${a.third}`)), false);
    b.release();
    assert.deepEqual(readdirSync(dir), []);
  });
});

test('a claim whose owner is gone is taken over; one held by a live process is not', () => {
  withDir((dir) => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // exited by now
    // Every subnet but one held by this (live) process, that one by the dead one.
    for (let third = 1; third <= 254; third++) writeFileSync(join(dir, `netscope-lab-10.231.${third}`), String(third === 77 ? dead : process.pid));
    const c = claimSubnet(dir);
    assert.equal(c.third, 77);
    assert.equal(readFileSync(join(dir, 'netscope-lab-10.231.77'), 'utf8'), String(process.pid));
  });
});

test('with every subnet held by live processes, the claim fails naming the range', () => {
  withDir((dir) => {
    for (let third = 1; third <= 254; third++) writeFileSync(join(dir, `netscope-lab-10.231.${third}`), String(process.pid));
    assert.throws(() => claimSubnet(dir), /no free lab subnet in 10\.231\.1\.0\/24 \.\. 10\.231\.254\.0\/24/);
  });
});
