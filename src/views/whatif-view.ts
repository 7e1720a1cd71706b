// `:whatif FILE` (and the W key): the flows in the buffer replayed against the
// policies with a draft file applied (added / replacing; `--delete FILE` removes), the
// connections whose verdict would change listed by edge. The file is read once, when
// the view opens; problems in it are listed, not fatal.
import type { Flow } from '../model/flow.ts';
import { PolicyEngine } from '../policy/engine.ts';
import { compilePolicies } from '../policy/policy-set.ts';
import { applyDraft, changeLine, whatIf } from '../policy/whatif.ts';
import { policiesFromStore } from '../policy/from-store.ts';
import { loadObjectsFiles, problemLines } from '../policy/objects-file.ts';
import type { PolicyModel } from '../streams/policy-annotate.ts';
import type { MainView } from './registry.ts';
import { esc } from './text.ts';
import type { Theme } from './theme.ts';

export function whatIfLines(arg: string, flows: readonly Flow[], model: PolicyModel | undefined, engine: PolicyEngine | undefined): { title: string; lines: (theme: Theme) => string[] } {
  const words = arg.trim().split(/\s+/).filter((w) => w !== '');
  const remove = words.includes('--delete');
  const files = words.filter((w) => w !== '--delete');
  if (files.length === 0) return { title: 'What if', lines: (t) => [t.bad('usage: :whatif FILE  or  :whatif --delete FILE (a YAML file of policies)')] };
  if (!model || !engine) return { title: 'What if', lines: (t) => [t.bad('no cluster model with policies: what-if needs --demo or a cluster')] };
  let loaded;
  try {
    loaded = loadObjectsFiles(files);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { title: 'What if', lines: (t) => [t.bad(esc(msg))] };
  }
  const applied = applyDraft(policiesFromStore(model), loaded.policies, remove);
  const set = compilePolicies(applied.policies);
  const problems = [...loaded.errors, ...problemLines(set.problems.filter((p) => loaded.policies.some((d) => d.origin === p.origin)))];
  const after = new PolicyEngine(engine.world, set);
  const r = whatIf(flows, engine, after);
  return {
    title: `What if: ${files.join(', ')}${remove ? ' deleted' : ''}`,
    lines: (t) => [
      ...problems.map((p) => t.bad(esc(p))),
      ...(loaded.policies.length === 0 ? [t.bad('no policies in the draft')] : []),
      ...applied.changes.map((c) => esc(`${c.kind}: ${c.policy}`)),
      t.dim(esc(`replayed ${r.evaluated} flows of the buffer`)),
      ...(r.changes.length === 0 ? ['no flow would change verdict'] : r.changes.map((c) => (c.after === 'denied' ? t.bad(esc(changeLine(c, r.latestMs))) : esc(changeLine(c, r.latestMs))))),
    ],
  };
}

export function whatIfView(arg: string, flows: () => readonly Flow[], model: () => PolicyModel | undefined, engine: () => PolicyEngine | undefined): MainView {
  const result = whatIfLines(arg, flows(), model(), engine());
  let scroll = 0;
  return {
    title: () => result.title,
    lines: (size, theme) => {
      const all = result.lines(theme);
      scroll = Math.max(0, Math.min(scroll, all.length - size.height));
      return all.slice(scroll, scroll + size.height);
    },
    onKey: (key) => {
      if (key.name === 'j' || key.name === 'down') scroll++;
      else if (key.name === 'k' || key.name === 'up') scroll = Math.max(0, scroll - 1);
      else return false;
      return true;
    },
    keys: [{ keys: 'j/k', help: 'scroll' }],
  };
}
