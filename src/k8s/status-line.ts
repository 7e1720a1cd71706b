// One line (CLI stderr or TUI banner) saying how the cluster connection is: what is
// synced, what may not be seen (403), what is unreachable and when it retries.
import type { SourceState } from '../model/source.ts';
import type { ResourceState } from './cluster.ts';
import { RESOURCE_TYPES } from './resources.ts';
import type { ClusterStore } from './store.ts';

export interface ClusterStatusLine {
  state: SourceState;
  message: string;
}

function scopeName(s: ResourceState): string {
  const plural = RESOURCE_TYPES[s.kind].plural;
  return s.namespace !== undefined ? `${plural} (namespace ${s.namespace} only)` : plural;
}

export function clusterStatusLine(context: string, states: readonly ResourceState[], store: ClusterStore): ClusterStatusLine {
  const errors = states.filter((s) => s.status.state === 'error');
  const forbidden = states.filter((s) => s.status.state === 'forbidden');
  const pending = states.filter((s) => s.status.state === 'pending');
  const narrowed = states.filter((s) => (s.status.state === 'synced' || s.status.state === 'polling') && s.namespace !== undefined);
  const polling = states.filter((s) => s.status.state === 'polling');
  if (errors.length > 0) {
    const first = errors[0]!.status;
    const retry = first.retryInMs !== undefined ? `; retrying in ${Math.max(1, Math.round(first.retryInMs / 1000))}s` : '';
    const synced = states.length - errors.length - pending.length;
    return {
      state: synced > 0 ? 'warning' : 'reconnecting',
      message: `context ${context}: ${first.message ?? 'error'}${retry}`,
    };
  }
  if (pending.length > 0) return { state: 'connecting', message: `context ${context}: loading ${pending.map(scopeName).join(', ')}` };
  const counts = `${store.count('Namespace')} namespaces, ${store.count('Node')} nodes, ${store.count('Pod')} pods, ${store.count('Service')} services`;
  const limits: string[] = [];
  if (forbidden.length > 0) limits.push(`no access to ${forbidden.map((s) => RESOURCE_TYPES[s.kind].plural).join(', ')} (403 Forbidden)`);
  if (polling.length > 0) limits.push(`may not watch ${polling.map((s) => RESOURCE_TYPES[s.kind].plural).join(', ')} (relisting them periodically)`);
  if (narrowed.length > 0) limits.push(`cluster-wide list forbidden, showing ${narrowed.map(scopeName).join(', ')}`);
  if (limits.length > 0) return { state: 'warning', message: `context ${context}: ${counts}; ${limits.join('; ')}` };
  return { state: 'connected', message: `context ${context}: ${counts}` };
}
