// `netscope cluster`: the cluster model from the command line. Useful on its own
// (what can netscope see with these credentials?) and as an end-to-end check of
// kubeconfig, list/watch and the resource views against a real API server.
import type { Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { sanitize } from '../../model/sanitize.ts';
import { RESOURCE_VIEWS, type ResourceData, type ResourceViewDef } from '../../tables/kinds.ts';
import { buildRows, renderTable, sortRows } from '../../tables/table.ts';
import { yamlLines } from '../../tables/yaml-text.ts';
import { listContexts, loadKubeConfig, type KubeTarget } from '../../k8s/kubeconfig.ts';
import { RESOURCE_TYPES } from '../../k8s/resources.ts';
import { ClusterSession } from '../../k8s/session.ts';
import { ClusterStore } from '../../k8s/store.ts';
import { kubeConfigCliError } from '../kube-errors.ts';
import { clusterHelp, parseClusterArgs, type ClusterArgs } from '../cluster-args.ts';

function loadTarget(a: ClusterArgs): KubeTarget {
  try {
    return loadKubeConfig({ kubeconfig: a.kubeconfig, context: a.context, namespace: a.namespace });
  } catch (err) {
    throw kubeConfigCliError(err);
  }
}

function findDef(kind: string): ResourceViewDef<unknown> {
  const def = (RESOURCE_VIEWS as readonly ResourceViewDef<unknown>[]).find((d) => d.name === kind || d.aliases.includes(kind));
  if (!def) throw new CliError(`unknown kind "${kind}": want ${RESOURCE_VIEWS.map((d) => d.name).join(', ')}`);
  return def;
}

async function settle(session: ClusterSession, seconds: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), seconds * 1000)));
  const ok = await Promise.race([session.model.settled().then(() => true as const), timeout]);
  clearTimeout(timer);
  return ok;
}

function out(lines: string[]): void {
  process.stdout.write(lines.map((l) => sanitize(l).trimEnd()).join('\n') + '\n');
}

async function run(argv: string[]): Promise<number> {
  const a = parseClusterArgs(argv);
  if (a.action === 'help') {
    process.stdout.write(clusterHelp());
    return ExitCode.OK;
  }
  const target = loadTarget(a);
  const def = a.action === 'get' ? findDef(a.kind!) : undefined;
  // Check --sort before connecting: a typo should not wait for the cluster.
  if (def) sortColumn(def, { store: new ClusterStore(), contexts: [], nowMs: 0 }, a.sort);
  if (def?.name === 'ctx') {
    const data: ResourceData = { store: new ClusterStore(), contexts: listContexts(target), nowMs: Date.now() };
    printTable(def, data, undefined, a);
    return ExitCode.OK;
  }
  const session = new ClusterSession(target);
  session.start();
  try {
    const settled = await settle(session, a.timeoutSeconds);
    const line = session.statusLine();
    if (a.action === 'status' || !def) {
      out([`server ${target.server} (context ${target.contextName}, user ${target.userName || '-'}, from ${target.origin})`]);
      for (const s of session.model.resourceStates) {
        const scope = s.namespace !== undefined ? ` (namespace ${s.namespace})` : '';
        const count = s.status.state === 'synced' ? ` ${session.store.count(s.kind)}` : '';
        out([`  ${RESOURCE_TYPES[s.kind].plural}${scope}: ${s.status.state}${count}${s.status.message && s.status.state !== 'synced' ? ` - ${s.status.message}` : ''}`]);
      }
      process.stderr.write(`netscope: ${sanitize(line.message)}\n`);
      return settled && line.state !== 'reconnecting' && !session.model.resourceStates.some((s) => s.status.state === 'error') ? ExitCode.OK : ExitCode.ERROR;
    }
    if (!settled || line.state === 'reconnecting') {
      throw new CliError(line.message, ExitCode.ERROR);
    }
    if (line.state === 'warning') process.stderr.write(`netscope: ${sanitize(line.message)}\n`);
    const data: ResourceData = { store: session.store, contexts: listContexts(target), nowMs: Date.now() };
    const namespace = a.allNamespaces || def.name === 'nodes' || def.name === 'ns' ? undefined : target.namespace;
    if (a.name !== undefined) {
      const item = def.items(data, namespace).find((i) => (i as { name: string }).name === a.name);
      if (!item) throw new CliError(`${def.name} "${a.name}" not found${namespace ? ` in namespace ${namespace}` : ''}`, ExitCode.ERROR);
      if (a.output === 'yaml' && def.kindOf) {
        const raw = await session.fetch(def.kindOf(item), (item as { namespace: string }).namespace, a.name);
        out(raw === undefined ? ['(deleted meanwhile)'] : yamlLines(raw));
      } else {
        const pairs = def.detail(item, data);
        const w = Math.max(...pairs.map(([k]) => k.length));
        out(pairs.map(([k, v]) => `${k.padEnd(w)}  ${v}`));
      }
      return ExitCode.OK;
    }
    printTable(def, data, namespace, a);
    return ExitCode.OK;
  } finally {
    await session.stop();
  }
}

function sortColumn(def: ResourceViewDef<unknown>, data: ResourceData, name: string | undefined): number {
  const columns = def.columns(data);
  if (name === undefined) return columns.length > 1 ? 1 : 0; // NAME after NAMESPACE
  const i = columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase());
  if (i < 0) throw new CliError(`invalid argument "${name}" for "--sort" flag: want one of ${columns.map((c) => c.name).join(', ')}`);
  return i;
}

function printTable(def: ResourceViewDef<unknown>, data: ResourceData, namespace: string | undefined, a: ClusterArgs): void {
  const columns = def.columns(data);
  const sort = { column: sortColumn(def, data, a.sort), descending: false };
  const rows = sortRows(buildRows(def.items(data, namespace), columns, def.key), columns, sort);
  const clean = rows.map((r) => ({ ...r, cells: r.cells.map(sanitize) }));
  const { header, lines } = renderTable(clean, columns, { width: 1000, height: rows.length + 1, scroll: 0, sort: { column: -1, descending: false } });
  if (rows.length === 0) {
    process.stderr.write(`netscope: no ${def.title.toLowerCase()}${namespace ? ` in namespace ${namespace}` : ''}\n`);
    return;
  }
  out([header, ...lines]);
}

export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'Show what netscope sees of the cluster (model state, pods, services, policies...)',
  run,
};
