// Where `netscope policy` gets its cluster (objects files, the demo, the live cluster)
// and its flows (a file, the demo's traffic). Effects live here; the answers are pure.
import { lastValueFrom, toArray, filter, map } from 'rxjs';
import { CliError, ExitCode } from '../exit-codes.ts';
import type { Flow } from '../../model/flow.ts';
import type { SourceEvent } from '../../model/source.ts';
import { sanitize } from '../../model/sanitize.ts';
import { ClusterStore } from '../../k8s/store.ts';
import { loadSnapshot } from '../../k8s/snapshot.ts';
import { enrich } from '../../streams/enrich.ts';
import { policiesFromStore } from '../../policy/from-store.ts';
import type { RawPolicy } from '../../policy/policy-set.ts';
import type { PolicyArgs } from './args.ts';
import { loadObjectsFiles, readProblem, type LoadedObjects } from '../../policy/objects-file.ts';

export interface ClusterData {
  store: ClusterStore;
  policies: RawPolicy[];
  /** One line per problem met while loading (bad YAML, unreadable objects). */
  problems: string[];
  /** For messages: `demo cluster`, `objects from a.yaml`, `context kind-kind`. */
  label: string;
  /** Namespace of bare pod names: -n, else the kubeconfig context's, else `default`. */
  namespace: string;
}

/** The objects files of a flag; one that cannot be read is a runtime error naming the flag and file. */
export function loadFiles(files: readonly string[], flag: string): LoadedObjects {
  try {
    return loadObjectsFiles(files);
  } catch (err) {
    throw new CliError(`${flag} ${err instanceof Error ? err.message : String(err)}`, ExitCode.ERROR);
  }
}

async function demoSnapshot(seed: number | undefined) {
  const { demoClusterObjects } = await import('../../sources/demo/index.ts');
  return demoClusterObjects({ seed });
}

export async function loadCluster(a: PolicyArgs): Promise<ClusterData> {
  if (a.demo) {
    const store = loadSnapshot(await demoSnapshot(a.seed));
    return { store, policies: policiesFromStore(store), problems: [], label: 'demo cluster', namespace: a.namespace ?? 'shop' };
  }
  if (a.objects.length > 0) {
    const loaded = loadFiles(a.objects, '--objects');
    const store = new ClusterStore();
    for (const [kind, items] of loaded.objects) store.replace(kind, items);
    return { store, policies: loaded.policies, problems: loaded.errors, label: `objects from ${a.objects.join(', ')}`, namespace: a.namespace ?? 'default' };
  }
  return liveCluster(a);
}

async function liveCluster(a: PolicyArgs): Promise<ClusterData> {
  const { loadKubeConfig } = await import('../../k8s/kubeconfig.ts');
  const { ClusterSession } = await import('../../k8s/session.ts');
  const { kubeConfigCliError } = await import('../kube-errors.ts');
  let target;
  try {
    target = loadKubeConfig({ kubeconfig: a.kubeconfig, context: a.context, namespace: a.namespace });
  } catch (err) {
    throw kubeConfigCliError(err);
  }
  const session = new ClusterSession(target);
  session.start();
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), a.timeoutSeconds * 1000)));
    const settled = await Promise.race([session.model.settled().then(() => true as const), timeout]);
    clearTimeout(timer);
    const line = session.statusLine();
    if (!settled || line.state === 'reconnecting' || line.state === 'error') throw new CliError(line.message, ExitCode.ERROR);
    const problems = line.state === 'warning' ? [line.message] : [];
    // A copy: the session stops below; the answers need a still picture.
    const store = session.store;
    return { store, policies: policiesFromStore(store), problems, label: `context ${target.contextName}`, namespace: a.namespace ?? target.namespace ?? 'default' };
  } finally {
    await session.stop();
  }
}

export interface LoadedFlows {
  flows: Flow[];
  problems: string[];
}

/** The flows to replay: --input-file (named from the cluster model) or the demo's traffic. */
export async function loadFlows(a: PolicyArgs, store: ClusterStore): Promise<LoadedFlows> {
  const problems: string[] = [];
  const collect = async (src: import('rxjs').Observable<SourceEvent>): Promise<Flow[]> =>
    lastValueFrom(
      src.pipe(
        enrich(store),
        filter((ev) => {
          if (ev.kind === 'status' && (ev.state === 'warning' || ev.state === 'error') && ev.message) problems.push(sanitize(ev.message));
          return ev.kind === 'flow';
        }),
        map((ev) => (ev as SourceEvent & { kind: 'flow' }).flow),
        toArray(),
      ),
    );
  if (a.demo) {
    const { createDemoSource } = await import('../../sources/demo/index.ts');
    return { flows: await collect(createDemoSource({ seed: a.seed, historySeconds: a.history, follow: false })), problems };
  }
  if (a.inputFile !== undefined) {
    const { createFileSource } = await import('../../sources/file.ts');
    try {
      return { flows: await collect(createFileSource({ path: a.inputFile })), problems };
    } catch (err) {
      throw new CliError(`--input-file ${a.inputFile}: ${readProblem(err)}`, ExitCode.ERROR);
    }
  }
  throw new CliError(`policy ${a.action} needs flows: --input-file FILE (a Hubble JSON export) or --demo; in the TUI, the what-if key replays the buffer`);
}
