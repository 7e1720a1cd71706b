// The TUI reading a Hubble server (netscope's own, in this process, fed by the demo):
// flows and ServerStatus in the status line, :nodes from GetNodes, the server going
// away (shown, retried) and coming back (connected again), without leaving the TUI.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startObserverServer, type ObserverServer } from '../../src/grpc/server.ts';
import { createDemoSource } from '../../src/sources/demo/index.ts';
import { PROMPT, TmuxSession } from './tmux.ts';

let s: TmuxSession;
let server: ObserverServer;
let address = '';

const start = (listen: string) =>
  startObserverServer({
    source: createDemoSource({ rate: 100, historySeconds: 20, follow: true }),
    listen: [listen],
    bufferSize: 5000,
    nodeName: 'e2e-node',
    version: 'netscope e2e',
  });

before(async () => {
  server = await start('127.0.0.1:0');
  address = server.addresses[0]!;
  s = new TmuxSession({ width: 120, height: 40, term: 'xterm-256color', env: { NO_COLOR: '1' } });
  await s.waitFor((x) => x.includes(PROMPT), 'the shell prompt');
  s.run(`bin/netscope --server ${address} 2>/tmp/${s.socket}.err; echo EXIT=$?`);
});

after(async () => {
  s.close();
  await server.close();
});

test('flows from the server and its status in the status line', async () => {
  await s.expect((screen) => {
    assert.match(screen, /FORWARDED/);
    const status = screen.split('\n')[38]!;
    assert.match(status, new RegExp(`server:${address.replace(/\./g, '\\.')} connected`));
    assert.match(status, /buffer [\d.]+k?\/5\.0k, nodes 1\/1/);
  }, 'server flows and status');
});

test(':nodes lists the server from GetNodes', async () => {
  s.type(':nodes');
  s.keys('Enter');
  await s.expect((screen) => {
    assert.match(screen, /NAME↑? +STATUS +AGE +SEEN +BUFFER +VERSION +ADDRESS/);
    assert.match(screen, new RegExp(`e2e-node +Connected +\\d+s +[\\d,]+ +\\d+/5000 +netscope e2e +${address.replace(/\./g, '\\.')}`));
  }, 'the nodes view');
  s.keys('Escape');
});

test('the server going away shows in the status line; back on the same port, the TUI is connected again', async () => {
  await server.close();
  await s.expect((screen) => assert.match(screen.split('\n')[38]!, /reconnecting .*connection refused/), 'the outage in the status line');
  server = await start(address);
  await s.expect((screen) => assert.match(screen.split('\n')[38]!, / connected/), 'connected again');
  s.type('q');
  await s.waitFor((x) => x.includes('EXIT=0'), 'the TUI to quit with status 0');
});
