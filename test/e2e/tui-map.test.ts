// The topology map on the demo in tmux, at 120x40 and 80x24, in the terminal types that
// matter (xterm-256color, tmux-256color, screen-256color): the demo's services as boxes,
// an edge from frontend to cartservice (drawn, and in the neighbourhood map), arrow keys moving the selection along the
// edges, `m` to the list and back, `z` zoom, and at 80x24 five or more whole names in the
// topology and the latency pane with no column header cut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { PROMPT, TmuxSession, paneLines } from './tmux.ts';
import { connected, wholeLabels } from './map-screen.ts';

const SERVICES = ['loadgenerator', 'frontend', 'cartservice', 'productcatalogservice', 'currencyservice', 'recommendationservice', 'adservice', 'shippingservice', 'checkoutservice', 'paymentservice', 'emailservice', 'redis-cart', 'toolbox', 'coredns'];

for (const [width, height] of [[120, 40], [80, 24]] as const) {
  for (const term of ['xterm-256color', 'tmux-256color', 'screen-256color']) {
    test(`the map at ${width}x${height} in TERM=${term}`, async () => {
      const s = new TmuxSession({ width, height, term });
      const err = `/tmp/${s.socket}.err`;
      const small = width < 100;
      try {
        await s.waitFor((x) => x.includes(PROMPT), 'the shell prompt');
        s.run(`bin/netscope --demo --history 30 --rate 300 2>${err}; echo EXIT=$?`);
        if (!small) s.type('1'); // at 80x24 the topology is the first tab already
        await s.expect((screen) => {
          const lines = screen.split('\n');
          for (const l of lines) assert.ok(Array.from(l).length <= width, `line wider than ${width}: ${l}`);
          assert.match(screen, /1 Topology \[workload\] map:\w+ \*/);
          if (small) assert.match(lines[0], /1 Topology +2 Flows +3 Latency +4 Detail/, 'the tab bar');
          // At 80x24 the map has the screen's width; at 120x40 it shares it with the latency pane.
          const names = wholeLabels(paneLines(screen, 'Topology [')).filter((n) => SERVICES.includes(n));
          assert.ok(names.length >= (small ? 5 : 3), `whole service names on the map: ${names.join(', ')}`);
        }, 'the map with the demo services');

        // Zoomed: the map has the whole screen.
        s.type('z');
        await s.expect((x) => {
          assert.doesNotMatch(x, /3 Latency/);
          if (small) assert.doesNotMatch(x.split('\n')[0], /2 Flows/, 'zoom hides the tab bar');
          const names = wholeLabels(paneLines(x, 'Topology [')).filter((n) => SERVICES.includes(n));
          assert.ok(names.length >= 5, `whole service names on the zoomed map: ${names.join(', ')}`);
        }, 'the map zoomed');
        // Select cartservice (the palette focuses on it; Esc drops the focus, keeps the selection).
        s.type(':');
        s.type('svc cartservice');
        await s.waitFor((x) => x.includes('svc shop/cartservice'), 'palette match');
        s.keys('Enter');
        await s.waitFor((x) => /map:\w+ ▸ shop\/cartservice/.test(x), 'cartservice selected');
        s.keys('Escape');
        await s.expect((x) => {
          assert.doesNotMatch(x, /focus shop\/cartservice/);
          const topo = paneLines(x, 'Topology [');
          // The map is bigger than the screen: the neighbourhood shows frontend calling cartservice.
          assert.ok(topo.some((l) => /around shop\/cartservice: [23] callers/.test(l)), topo.join('\n'));
          assert.ok(topo.some((l) => /frontend─[┬┤┘─]/.test(l)), topo.join('\n'));
          assert.ok(topo.some((l) => /▶\[cartservice\]/.test(l)), topo.join('\n'));
          assert.ok(topo.some((l) => /[\d.]+\/s/.test(l)), 'an edge with its rate');
          // Wide enough for both boxes: the line itself, from frontend to the arrowhead into cartservice.
          if (!small) assert.ok(connected(topo, 'frontend', 'cartservice'), 'a drawn line from frontend reaches the arrowhead into cartservice');
        }, 'the edge frontend -> cartservice');
        // Arrow keys move along the edges: Right to a callee, Left to a caller.
        s.keys('Right');
        await s.expect((x) => assert.match(x, /▸ (shop\/redis-cart|kube-system\/coredns)\b/), 'Right from cartservice: its callee');
        s.keys('Left');
        await s.expect((x) => assert.match(x, /▸ shop\/(cartservice|toolbox)\b/), 'Left from redis-cart: back to a caller');
        s.keys('Left');
        s.keys('Left');
        await s.expect((x) => assert.doesNotMatch(x, /▸ shop\/(redis-cart|cartservice)\b/), 'further left');

        // m: the list, m again: the map.
        s.type('m');
        await s.expect((x) => {
          assert.doesNotMatch(x, /map:/);
          assert.match(x, /● frontend/);
        }, 'the list');
        s.type('m');
        await s.waitFor((x) => /map:\w+/.test(x), 'the map again');
        s.type('z');
        await s.waitFor((x) => (small ? /1 Topology +2 Flows/.test(x.split('\n')[0]) : x.includes('3 Latency')), 'unzoomed');

        if (small) {
          // The latency tab: whole names and an uncut header.
          s.type('3');
          await s.expect((x) => {
            const lat = paneLines(x, 'Latency sort');
            assert.match(lat[0], /^ +SERVICE +REQ\/S +ERR% +DROP%( +P50)? +P95( +\S.*)? *$/);
            assert.doesNotMatch(lat[0], /…/);
            const whole = lat.slice(1).filter((l) => /^.{2}shop\/[a-z-]+ +[\d.]+ /.test(l));
            assert.ok(whole.length >= 5, lat.join('\n'));
          }, 'the latency tab');
        }
        s.type('q');
        const end = await s.waitFor((x) => /EXIT=\d+/.test(x), 'exit status');
        assert.match(end, /EXIT=0/);
        assert.equal(readFileSync(err, 'utf8'), '', 'nothing on stderr');
      } finally {
        s.close();
        rmSync(err, { force: true });
      }
    });
  }
}
