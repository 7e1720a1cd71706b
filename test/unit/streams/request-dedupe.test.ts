import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestDedupe } from '../../../src/streams/request-dedupe.ts';
import type { Flow } from '../../../src/model/flow.ts';

/** A close summary of connection 10.0.0.1:port -> 10.0.0.2:80, from the client's side or the server's. */
function close(port: number, side: 'client' | 'server'): Flow {
  const client = side === 'client';
  return {
    IP: client ? { source: '10.0.0.1', destination: '10.0.0.2' } : { source: '10.0.0.2', destination: '10.0.0.1' },
    l4: { TCP: client ? { source_port: port, destination_port: 80 } : { source_port: 80, destination_port: port } },
    is_reply: !client,
    traffic_direction: client ? 'EGRESS' : 'INGRESS',
  };
}

test('the two ends of one connection are recognised from either side, replies included', () => {
  const d = new RequestDedupe();
  assert.deepEqual(d.counts(close(1000, 'server'), false), { request: true, error: false });
  assert.deepEqual(d.counts(close(1000, 'client'), false), { request: false, error: false });
  assert.deepEqual(d.counts(close(1001, 'client'), false), { request: true, error: false }, 'another connection');
});

test('flows without a direction or without ports always count', () => {
  const d = new RequestDedupe();
  const f = close(1000, 'client');
  delete f.traffic_direction;
  assert.equal(d.counts(f, false).request, true);
  assert.equal(d.counts(f, false).request, true);
  const g = close(1000, 'client');
  delete g.l4;
  assert.equal(d.counts(g, true).error, true);
  assert.equal(d.size, 0);
});

test('bounded: the oldest connection is forgotten first', () => {
  const d = new RequestDedupe(2);
  d.counts(close(1, 'client'), false);
  d.counts(close(2, 'client'), false);
  d.counts(close(3, 'client'), false); // forgets port 1
  assert.equal(d.size, 2);
  assert.equal(d.counts(close(2, 'server'), false).request, false, 'port 2 still known');
  assert.equal(d.counts(close(1, 'server'), false).request, true, 'port 1 forgotten: counted again');
});
