// Graphs for the map's tests and benchmark: the demo shop's shape by hand, and seeded
// random service graphs (tiers of services calling mostly downward, some calls back up
// and across namespaces, like a real mesh).
import type { MapEdge, MapGraph } from '../../../src/views/map/graph.ts';

function graph(boxes: { id: string; group: string }[], edges: [string, string, Partial<MapEdge>?][]): MapGraph {
  const b = boxes.map((x) => ({ id: x.id, group: x.group, label: x.id.includes('/') ? x.id.slice(x.id.indexOf('/') + 1) : x.id, idle: false, marked: false })).sort((p, q) => (p.id < q.id ? -1 : 1));
  const e = edges.map(([from, to, extra]) => ({ from, to, rate: 10, drops: 0, errors: 0, ...extra })).sort((p, q) => (p.from + '\u0000' + p.to < q.from + '\u0000' + q.to ? -1 : 1));
  return { boxes: b, edges: e };
}

export function shopGraph(): MapGraph {
  const shop = ['loadgenerator', 'frontend', 'cartservice', 'productcatalogservice', 'currencyservice', 'recommendationservice', 'adservice', 'shippingservice', 'checkoutservice', 'paymentservice', 'emailservice', 'redis-cart', 'toolbox'];
  const boxes = [...shop.map((s) => ({ id: `shop/${s}`, group: 'shop' })), { id: 'kube-system/coredns', group: 'kube-system' }, { id: 'world', group: '(outside the cluster)' }];
  const calls: [string, string, Partial<MapEdge>?][] = [
    ['loadgenerator', 'frontend'],
    ['frontend', 'cartservice'],
    ['frontend', 'productcatalogservice'],
    ['frontend', 'currencyservice'],
    ['frontend', 'recommendationservice'],
    ['frontend', 'adservice'],
    ['frontend', 'shippingservice'],
    ['frontend', 'checkoutservice'],
    ['checkoutservice', 'cartservice'],
    ['checkoutservice', 'productcatalogservice'],
    ['checkoutservice', 'currencyservice'],
    ['checkoutservice', 'shippingservice'],
    ['checkoutservice', 'paymentservice'],
    ['checkoutservice', 'emailservice'],
    ['recommendationservice', 'productcatalogservice'],
    ['cartservice', 'redis-cart'],
    ['toolbox', 'paymentservice', { drops: 4 }],
    ['toolbox', 'redis-cart', { drops: 4 }],
  ];
  const edges = calls.map(([a, b, x]): [string, string, Partial<MapEdge>?] => [`shop/${a}`, `shop/${b}`, x]);
  edges.push(['shop/frontend', 'kube-system/coredns'], ['shop/cartservice', 'kube-system/coredns'], ['shop/paymentservice', 'world']);
  return graph(boxes, edges);
}

/** A deterministic pseudo-random generator (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `services` boxes in `namespaces` bands and `edges` distinct calls, to a deeper tier of six (3% back up). */
export function randomGraph(seed: number, services: number, edges: number, namespaces = 5): MapGraph {
  const rnd = prng(seed);
  const words = ['cart', 'catalog', 'checkout', 'payments', 'ledger', 'auth', 'search', 'inventory', 'orders', 'ship', 'email', 'ads', 'reco', 'price', 'tax', 'users'];
  const tiers = 6;
  const boxes: { id: string; group: string; tier: number }[] = [];
  for (let i = 0; i < services; i++) {
    const ns = `ns-${Math.floor(rnd() * namespaces)}`;
    const name = `${words[Math.floor(rnd() * words.length)]}${rnd() < 0.5 ? '-service' : ''}-${i}`;
    boxes.push({ id: `${ns}/${name}`, group: ns, tier: Math.floor(rnd() * tiers) });
  }
  const seen = new Set<string>();
  const out: [string, string][] = [];
  let guard = 0;
  while (out.length < edges && guard++ < edges * 50) {
    const a = boxes[Math.floor(rnd() * boxes.length)];
    const b = boxes[Math.floor(rnd() * boxes.length)];
    if (a === b) continue;
    // Calls go to a deeper tier; 3% go back up and close cycles.
    if (b.tier === a.tier || (b.tier < a.tier && rnd() < 0.97)) continue;
    const k = `${a.id}>${b.id}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push([a.id, b.id]);
  }
  return graph(boxes, out);
}

/** The same graph with its boxes and edges in another order. */
export function shuffled(g: MapGraph, seed: number): MapGraph {
  const rnd = prng(seed);
  const mix = <T>(a: T[]) => a.map((x) => [rnd(), x] as const).sort((p, q) => p[0] - q[0]).map((p) => p[1]);
  return { boxes: mix(g.boxes), edges: mix(g.edges) };
}

export function withEdge(g: MapGraph, from: string, to: string): MapGraph {
  const edges = [...g.edges, { from, to, rate: 1, drops: 0, errors: 0 }].sort((p, q) => (p.from + '\u0000' + p.to < q.from + '\u0000' + q.to ? -1 : 1));
  return { boxes: g.boxes, edges };
}
