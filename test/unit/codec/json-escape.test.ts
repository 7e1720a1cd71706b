// The encoder quotes most strings without JSON.stringify (a scan decides, and repeated
// strings come from a cache) and re-cuts timestamps by hand when their second repeats.
// Checked here against an independent reference written out in this file: JSON.stringify
// plus Go encoding/json's HTML-safe replacements, and protojson's fraction rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEvent } from '../../../src/codec/hubble-json-encode.ts';
import type { Flow } from '../../../src/model/flow.ts';

/** What Go's encoding/json writes for a string hubble holds (as JavaScript sees it after JSON.parse). */
function goQuote(s: string): string {
  return JSON.stringify(s)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

const TRICKY = [
  'plain-name',
  '',
  'a<b',
  'x>y',
  'salt&pepper',
  '<script>alert(1)</script>',
  'say "hi"',
  'back\\slash',
  'tab\there',
  'new\nline',
  'nul\u0000byte',
  'unit\u001fsep',
  'del\u007fete',
  'line\u2028sep',
  'para\u2029sep',
  'lone\ud800high',
  'lone\udfff low',
  '\udc00\ud800 reversed pair',
  'pair \ud83d\ude00 ok',
  'café',
  '日本語',
  '\u00a0nbsp',
  '\ufeffbom',
  'k8s:io.kubernetes.pod.namespace=shop',
  'x'.repeat(200) + '<',
  'y'.repeat(300),
];

function flowWith(s: string): Flow {
  return {
    time: '2026-01-01T12:00:00.5Z',
    uuid: s,
    verdict: s as Flow['verdict'],
    source: { namespace: s, pod_name: s, labels: [s, 'k8s:app=frontend', s], workloads: [{ name: s, kind: 'Deployment' }] },
    node_name: s,
    source_names: [s],
    l7: { http: { method: s, url: s, headers: [{ key: s, value: s }] } },
    Summary: s,
    egress_denied_by: [{ name: s, labels: [s] }],
  };
}

function expectedLine(s: string): string {
  const q = goQuote(s);
  if (s === '') {
    return (
      '{"flow":{"time":"2026-01-01T12:00:00.500Z","verdict":"","source":{"labels":["","k8s:app=frontend",""],"workloads":[{"kind":"Deployment"}]},' +
      '"source_names":[""],"l7":{"http":{"headers":[{}]}},"egress_denied_by":[{"labels":[""]}]},"time":"2026-01-01T12:00:00.500Z"}'
    );
  }
  return (
    `{"flow":{"time":"2026-01-01T12:00:00.500Z","uuid":${q},"verdict":${q},` +
    `"source":{"namespace":${q},"labels":[${q},"k8s:app=frontend",${q}],"pod_name":${q},"workloads":[{"name":${q},"kind":"Deployment"}]},` +
    `"node_name":${q},"source_names":[${q}],"l7":{"http":{"method":${q},"url":${q},"headers":[{"key":${q},"value":${q}}]}},` +
    `"Summary":${q},"egress_denied_by":[{"name":${q},"labels":[${q}]}]},"node_name":${q},"time":"2026-01-01T12:00:00.500Z"}`
  );
}

test('strings are escaped exactly as JSON.stringify plus Go\'s HTML-safe replacements, in every kind of field', () => {
  // Twice over: the second pass takes the strings from the encoder's cache.
  for (let pass = 0; pass < 2; pass++) {
    for (const s of TRICKY) {
      const line = encodeEvent({ kind: 'flow', flow: flowWith(s) })!;
      assert.equal(line, expectedLine(s), JSON.stringify(s));
      assert.doesNotMatch(line, /[<>&\u2028\u2029]/, JSON.stringify(s));
      // Still valid JSON that reads back to the same string.
      assert.equal((JSON.parse(line) as { flow: { uuid?: string } }).flow.uuid ?? '', s);
    }
  }
});

test('a string in a lost event or a node status, and a netscope process name, are escaped the same way', () => {
  for (const s of TRICKY.filter((x) => x !== '')) {
    const q = goQuote(s);
    assert.equal(
      encodeEvent({ kind: 'node-status', status: { state_change: 'NODE_ERROR', node_names: [s], message: s }, node_name: s })!,
      `{"node_status":{"state_change":"NODE_ERROR","node_names":[${q}],"message":${q}},"node_name":${q}}`,
    );
    assert.equal(encodeEvent({ kind: 'lost', lost: { source: s, num_events_lost: 2 } })!, `{"lost_events":{"source":${q},"num_events_lost":"2"}}`);
    assert.equal(encodeEvent({ kind: 'flow', flow: { netscope: { pid: 7, comm: s } } })!, `{"flow":{"netscope":{"pid":7,"comm":${q}}}}`);
  }
});

test('a cache full of other strings still quotes correctly (it is emptied, not wrong)', () => {
  for (let i = 0; i < 20_000; i++) encodeEvent({ kind: 'flow', flow: { node_name: `node-${i}` } });
  for (const s of TRICKY.filter((x) => x !== '')) {
    assert.equal(encodeEvent({ kind: 'flow', flow: { node_name: s } })!, `{"flow":{"node_name":${goQuote(s)}},"node_name":${goQuote(s)}}`);
  }
});

/** protojson's spelling of a UTC fraction (digits as given, up to 9): padded to nanoseconds, cut to 0/3/6/9 digits. */
function protoFractionOf(digits: string): string {
  const ns = Number(digits.padEnd(9, '0'));
  if (ns === 0) return '';
  if (ns % 1_000_000 === 0) return '.' + String(ns / 1_000_000).padStart(3, '0');
  if (ns % 1000 === 0) return '.' + String(ns / 1000).padStart(6, '0');
  return '.' + String(ns).padStart(9, '0');
}

test('timestamps of the same second are re-cut to 0, 3, 6 or 9 fractional digits like protojson', () => {
  const fractions = ['', '0', '5', '50', '500', '5000', '1234', '12345', '123456', '1234567', '12345678', '123456789', '000000001', '100000000', '000100', '120', '999999999', '000000000'];
  // The same second over and over (the encoder's fast path), then alternating seconds.
  for (const second of ['2026-01-01T12:00:00', '2026-01-01T12:00:00', '2026-01-01T12:00:01', '1999-12-31T23:59:59']) {
    for (const d of fractions) {
      const t = second + (d === '' ? '' : '.' + d) + 'Z';
      const want = JSON.stringify(second + protoFractionOf(d) + 'Z');
      assert.equal(encodeEvent({ kind: 'flow', flow: { time: t } })!, `{"flow":{"time":${want}},"time":${want}}`, t);
    }
  }
  // Not the UTC spelling, or not a timestamp: converted, or left out, as before.
  const base = '2026-01-01T12:00:00';
  assert.equal(encodeEvent({ kind: 'flow', flow: { time: base + '.5Z' } }), '{"flow":{"time":"2026-01-01T12:00:00.500Z"},"time":"2026-01-01T12:00:00.500Z"}');
  assert.equal(encodeEvent({ kind: 'flow', flow: { time: base + '.5z' } }), '{"flow":{"time":"2026-01-01T12:00:00.500Z"},"time":"2026-01-01T12:00:00.500Z"}');
  assert.equal(encodeEvent({ kind: 'flow', flow: { time: '2026-01-01T14:00:00.25+02:00' } }), '{"flow":{"time":"2026-01-01T12:00:00.250Z"},"time":"2026-01-01T12:00:00.250Z"}');
  for (const bad of [base + '.Z', base + '.1234567890Z', base + '.12a4Z', base + '.5', base + 'Z ', 'soon']) {
    assert.equal(encodeEvent({ kind: 'flow', flow: { time: bad } }), '{"flow":{}}', bad);
  }
});
