import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceStats } from '../../../src/streams/red.ts';
import { initialLatencyState, isSlow, latencyView, sparkline } from '../../../src/views/latency-view.ts';
import { mono, plain } from './helpers.ts';

const s = (service: string, rate: number, errorPct: number, p95: number, baseline: number): ServiceStats => ({
  service,
  rate,
  errorPct,
  p50: p95 / 2,
  p95,
  p99: p95 * 1.5,
  series: [baseline, baseline, baseline, p95],
  baseline,
});

const stats = [s('shop/cart', 50, 0, 5, 5), s('shop/catalog', 20, 1, 300, 20), s('shop/ads', 80, 12, 8, 8)];

test('one row per service with rate, error %, percentiles and a sparkline; sorted by latency', () => {
  const lines = plain(latencyView(stats, initialLatencyState(), { width: 90, height: 10 }, mono).lines);
  assert.match(lines[0], /SERVICE +REQ\/S +ERR% +P50 +P95 +P99 +p95 trend/);
  assert.match(lines[1], /^▲ shop\/catalog +20 +1\.0 +150ms +300ms +450ms +▁▁▁█$/);
  assert.match(lines[2], /shop\/ads/);
});

test('sort keys: name, rate, errors', () => {
  const order = (sort: 'name' | 'rate' | 'errors') => latencyView(stats, { ...initialLatencyState(), sort }, { width: 90, height: 10 }, mono).order;
  assert.deepEqual(order('name'), ['shop/ads', 'shop/cart', 'shop/catalog']);
  assert.deepEqual(order('rate'), ['shop/ads', 'shop/cart', 'shop/catalog']);
  assert.deepEqual(order('errors'), ['shop/ads', 'shop/catalog', 'shop/cart']);
});

test('the slowed service stands out (mark and colour), steady ones do not', () => {
  assert.equal(isSlow(stats[1], 95), true);
  assert.equal(isSlow(stats[0], 95), false);
  const lines = latencyView(stats, initialLatencyState(), { width: 90, height: 10 }, mono).lines;
  assert.ok(lines[1].includes('{bold}▲'));
});

test('narrow pane keeps the chosen percentile and a sparkline', () => {
  const lines = plain(latencyView(stats, initialLatencyState(), { width: 38, height: 10 }, mono).lines);
  assert.ok(lines.every((l) => l.length <= 38), lines.join('\n'));
  assert.match(lines[0], /P95/);
  assert.doesNotMatch(lines[0], /P99/);
});

test('sparkline scales to its own maximum and leaves gaps blank', () => {
  assert.equal(sparkline([1, undefined, 8], 4, ['1', '2', '3', '4', '5', '6', '7', '8']), ' 2 8');
});

test('a narrow sparkline merges points by maximum so two minutes still fit and spikes survive', () => {
  const series = [...new Array(20).fill(1), 8, 1, 1, 1];
  const out = sparkline(series, 8, ['1', '2', '3', '4', '5', '6', '7', '8']);
  assert.equal(out.length, 8);
  assert.equal(out, '22222282');
});

test('latency sort puts a service that slowed down above a steadily slower one', () => {
  const steadySlow = s('shop/big', 10, 0, 500, 500);
  const order = latencyView([steadySlow, ...stats], initialLatencyState(), { width: 90, height: 10 }, mono).order;
  assert.equal(order[0], 'shop/catalog');
  assert.equal(order[1], 'shop/big');
});
