// `netscope policy why|test|suggest`: the policy engine from the command line, against
// the live cluster, the demo or offline object files (--objects).
import { stringify } from 'yaml';
import type { Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { sanitize } from '../../model/sanitize.ts';
import { PolicyEngine } from '../../policy/engine.ts';
import { answerJson, explainLines } from '../../policy/explain.ts';
import { compilePolicies, type RawPolicy } from '../../policy/policy-set.ts';
import { suggestPolicies } from '../../policy/suggest.ts';
import { applyDraft, changeLine, whatIf } from '../../policy/whatif.ts';
import { resolvePeer, worldFromStore, type World } from '../../policy/world.ts';
import type { Peer } from '../../policy/types.ts';
import { parsePolicyArgs, policyHelp, splitPort, type PolicyArgs } from '../policy/args.ts';
import { loadCluster, loadFiles, loadFlows } from '../policy/data.ts';
import { parseIPPrefix } from '../../filter/ip-match.ts';
import { problemLines } from '../../policy/objects-file.ts';

function out(lines: string[]): void {
  process.stdout.write(lines.map((l) => sanitize(l)).join('\n') + '\n');
}

function warn(lines: readonly string[]): void {
  for (const l of lines) process.stderr.write(`netscope: ${sanitize(l)}\n`);
}

function peer(world: World, text: string, flag: string, namespace: string): Peer {
  const name = !text.includes('/') && typeof parseIPPrefix(text) === 'string' ? `${namespace}/${text}` : text;
  let p = resolvePeer(world, name);
  if (!p && name.includes('/')) {
    // `shop/frontend`: the pods of a workload share their policies; take the first by name.
    const matches = world.pods.filter((x) => `${x.namespace}/${x.name}`.startsWith(name + '-')).sort((x, y) => (x.name < y.name ? -1 : 1));
    if (matches.length > 0) {
      p = resolvePeer(world, `${matches[0]!.namespace}/${matches[0]!.name}`);
      if (matches.length > 1) warn([`${flag} ${text}: ${matches.length} pods match; answering for ${matches[0]!.namespace}/${matches[0]!.name}`]);
    }
  }
  if (!p) {
    throw new CliError(`${flag} ${text}: no such pod${name.includes('/') ? '' : ' (write NS/POD, use -n, or give an IP address)'}`);
  }
  return p;
}

function engineFor(world: World, policies: readonly RawPolicy[], problems: string[]): PolicyEngine {
  const set = compilePolicies(policies);
  problems.push(...problemLines(set.problems));
  return new PolicyEngine(world, set);
}

async function why(a: PolicyArgs): Promise<number> {
  const data = await loadCluster(a);
  const problems = [...data.problems];
  const world = worldFromStore(data.store);
  const engine = engineFor(world, data.policies, problems);
  const to = splitPort(a.to!, '--to');
  const q = { from: peer(world, a.from!, '--from', data.namespace), to: peer(world, to.peer, '--to', data.namespace), port: to.port, protocol: a.protocol };
  const answer = engine.evaluate(q);
  warn(problems);
  if (a.output === 'json') process.stdout.write(JSON.stringify(answerJson(q, answer)) + '\n');
  else out(explainLines(q, answer));
  return problems.length > 0 ? ExitCode.PARTIAL : ExitCode.OK;
}

async function test(a: PolicyArgs): Promise<number> {
  const data = await loadCluster(a);
  const problems = [...data.problems];
  const draftFiles = loadFiles(a.drafts, 'draft');
  problems.push(...draftFiles.errors);
  if (draftFiles.policies.length === 0) throw new CliError(`draft ${a.drafts.join(', ')}: no policies in it (want NetworkPolicy, CiliumNetworkPolicy, ... objects)`, ExitCode.ERROR);
  const world = worldFromStore(data.store);
  const before = engineFor(world, data.policies, problems);
  const applied = applyDraft(data.policies, draftFiles.policies, a.delete);
  const afterSet = compilePolicies(applied.policies);
  // Only the draft's own problems are new: the cluster's were reported with `before`.
  const draftProblems = afterSet.problems.filter((p) => draftFiles.policies.some((d) => d.origin === p.origin));
  problems.push(...problemLines(draftProblems));
  const after = new PolicyEngine(world, afterSet);
  const flows = await loadFlows(a, data.store);
  problems.push(...flows.problems);
  const r = whatIf(flows.flows, before, after);
  warn(problems);
  if (a.output === 'json') {
    process.stdout.write(JSON.stringify({ draft: applied.changes, evaluated: r.evaluated, changes: r.changes.map((c) => ({ ...c, firstTime: new Date(c.firstMs).toISOString(), lastTime: new Date(c.lastMs).toISOString() })) }) + '\n');
  } else {
    const lines = applied.changes.map((c) => `${c.kind === 'not-found' ? 'not found (nothing to delete)' : c.kind}: ${c.policy}`);
    lines.push(`replayed ${r.evaluated.toLocaleString('en-US')} flows against ${data.label} with the draft applied`);
    if (r.changes.length === 0) lines.push('no flow would change verdict');
    for (const c of r.changes) lines.push(changeLine(c, r.latestMs));
    out(lines);
  }
  return problems.length > 0 ? ExitCode.PARTIAL : ExitCode.OK;
}

async function suggest(a: PolicyArgs): Promise<number> {
  const data = await loadCluster(a);
  const problems = [...data.problems];
  const world = worldFromStore(data.store);
  if (!world.namespaces.has(a.namespace!)) throw new CliError(`--namespace ${a.namespace}: no such namespace in ${data.label}`);
  const engine = engineFor(world, data.policies, problems);
  const flows = await loadFlows(a, data.store);
  problems.push(...flows.problems);
  const s = suggestPolicies(flows.flows, engine, a.namespace!);
  warn([...problems, ...s.notes]);
  if (s.policies.length === 0) warn([`no allowed connections of namespace ${a.namespace} in the flows: nothing to suggest`]);
  if (a.output === 'json') process.stdout.write(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: s.policies }) + '\n');
  else {
    const header = `# netscope policy suggest: ${s.policies.length} NetworkPolicies for namespace ${a.namespace}, from ${s.connections} connections seen (${data.label}).\n# Check them with: netscope policy test THIS_FILE ...\n`;
    process.stdout.write(header + s.policies.map((p) => stringify(p, { lineWidth: 0 })).map((y) => `---\n${y}`).join(''));
  }
  return problems.length > 0 ? ExitCode.PARTIAL : ExitCode.OK;
}

export const policyCommand: Command = {
  name: 'policy',
  summary: 'why a connection is allowed or denied; what a policy change would do; suggest policies',
  async run(argv) {
    const a = parsePolicyArgs(argv);
    if (a.action === 'help') {
      process.stdout.write(policyHelp());
      return ExitCode.OK;
    }
    try {
      if (a.action === 'why') return await why(a);
      if (a.action === 'test') return await test(a);
      return await suggest(a);
    } catch (err) {
      if (err instanceof RangeError) throw new CliError(err.message);
      throw err;
    }
  },
};
