// Moving the selection on the map: left and right follow the edges (to the caller or
// callee nearest in height, else the nearest box in that direction), up and down go to
// the nearest box above or below, preferring the same column. Pure.
import type { BoxRect, Drawing } from './geometry.ts';

export type Direction = 'left' | 'right' | 'up' | 'down';

function first(d: Drawing): BoxRect | undefined {
  let best: BoxRect | undefined;
  for (const b of d.boxes) if (!best || b.x < best.x || (b.x === best.x && b.y < best.y)) best = b;
  return best;
}

/** The box the selection moves to, or the current one when there is none that way. */
export function neighbour(d: Drawing, selected: string | null, dir: Direction): string | null {
  const cur = selected === null ? undefined : d.byId.get(selected);
  if (!cur) return first(d)?.id ?? null;
  const cx = cur.x + cur.w / 2;
  const score = (b: BoxRect, along: number, across: number) => along * 1000 + across + (b.id < cur.id ? 0 : 0.5);
  const pick: { best?: { id: string; s: number } } = {};
  const offer = (b: BoxRect, s: number) => {
    const best = pick.best;
    if (!best || s < best.s || (s === best.s && b.id < best.id)) pick.best = { id: b.id, s };
  };
  const chosen = (): string | undefined => pick.best?.id;
  if (dir === 'left' || dir === 'right') {
    const sign = dir === 'right' ? 1 : -1;
    const linked = new Set<string>();
    for (const e of d.edges) {
      if (e.from === cur.id) linked.add(e.to);
      if (e.to === cur.id) linked.add(e.from);
    }
    for (const id of linked) {
      const b = d.byId.get(id);
      if (b && Math.sign(b.x - cur.x) === sign) offer(b, score(b, Math.abs(b.portY - cur.portY), Math.abs(b.x - cur.x)));
    }
    if (chosen() !== undefined) return chosen()!;
    for (const b of d.boxes) if (Math.sign(b.x - cur.x) === sign) offer(b, score(b, Math.abs(b.x - cur.x), Math.abs(b.portY - cur.portY)));
    return chosen() ?? cur.id;
  }
  const sign = dir === 'down' ? 1 : -1;
  for (const b of d.boxes) {
    if (b === cur || Math.sign(b.portY - cur.portY) !== sign) continue;
    const sameColumn = b.x === cur.x ? 0 : 1;
    offer(b, sameColumn * 1e6 + score(b, Math.abs(b.portY - cur.portY), Math.abs(b.x + b.w / 2 - cx)));
  }
  return chosen() ?? cur.id;
}
