import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceStats } from '../../../src/streams/red.ts';
import { initialLatencyState, isSlow, latencyView, sparkline } from '../../../src/views/latency-view.ts';
import { mono, plain } from './helpers.ts';

const s = (service: string, rate: number, errorPct: number, p95: number, baseline: number, dropPct = 0): ServiceStats => ({
  service,
  rate,
  errorPct,
  dropPct,
  p50: p95 / 2,
  p95,
  p99: p95 * 1.5,
  series: [baseline, baseline, baseline, p95],
  baseline,
});

const stats = [s('shop/cart', 50, 0, 5, 5), s('shop/catalog', 20, 1, 300, 20), s('shop/ads', 80, 12, 8, 8)];

test('one row per service with rate, error %, percentiles and a sparkline; sorted by latency', () => {
  const lines = plain(latencyView(stats, initialLatencyState(), { width: 90, height: 10 }, mono).lines);
  assert.match(lines[0], /SERVICE +REQ\/S +ERR% +DROP% +P50 +P95 +P99 +p95 trend/);
  assert.match(lines[1], /^▲ shop\/catalog +20 +1\.0 +0 +150ms +300ms +450ms +▁▁▁█$/);
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

test('narrow pane keeps the chosen percentile, then errors and drops; a wider one adds a sparkline', () => {
  const lines = plain(latencyView(stats, initialLatencyState(), { width: 38, height: 10 }, mono).lines);
  assert.ok(lines.every((l) => l.length <= 38), lines.join('\n'));
  assert.match(lines[0], /^  SERVICE +ERR% +DROP% +P95$/);
  const wider = plain(latencyView(stats, initialLatencyState(), { width: 56, height: 10 }, mono).lines);
  assert.ok(wider.every((l) => l.length <= 56), wider.join('\n'));
  assert.match(wider[0], /REQ\/S +ERR% +DROP% +P95 +p95 trend *$/);
  assert.doesNotMatch(wider[0], /P99/);
  assert.match(wider[1], /[▁█]+$/);
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

test('DROP% is its own column next to ERR%, marked when high', () => {
  const denied = [s('shop/payments', 2, 0, 3, 3, 66.7), s('shop/cart', 50, 4, 5, 5)];
  const lines = latencyView(denied, { ...initialLatencyState(), sort: 'name' }, { width: 90, height: 10 }, mono).lines;
  const text = plain(lines);
  assert.match(text[0], /ERR% +DROP%/);
  assert.match(text[2], /^  shop\/payments +2\.0 +0 +66\.7 /);
  assert.match(text[1], /^  shop\/cart +50 +4\.0 +0 /);
  assert.ok(lines[2].includes('{bold}   66.7{/bold}'), lines[2]);
});

test('at 78 columns whole service names, the four essential columns and an uncut header', () => {
  const long = [s('shop/recommendationservice', 5, 0, 9, 9), s('shop/productcatalogservice', 30, 0, 2, 2)];
  const text = plain(latencyView(long, initialLatencyState(), { width: 78, height: 10 }, mono).lines);
  assert.ok(text.every((l) => Array.from(l).length <= 78));
  assert.match(text[0], /^  SERVICE +REQ\/S +ERR% +DROP%( +P50)? +P95( +\S.*)?$/);
  assert.doesNotMatch(text[0], /…/);
  assert.ok(text.some((l) => l.includes('shop/recommendationservice ')));
  assert.ok(text.some((l) => l.includes('shop/productcatalogservice ')));
});
