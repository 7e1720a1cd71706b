// Puts the Hubble nodes view in the `:` palette: as `:nodes` when there is no cluster
// model (whose :nodes lists Kubernetes nodes), else as `:hubble-nodes` (alias `:hn`).
import type { HubbleNodes } from '../streams/hubble-nodes.ts';
import { createHubbleNodesView } from './hubble-nodes-view.ts';
import { findView, registerView } from './registry.ts';

export function registerHubbleNodesView(model: HubbleNodes): void {
  const clusterNodes = findView('nodes');
  const taken = clusterNodes !== undefined && clusterNodes.name === 'nodes' && !clusterNodes.summary.startsWith('Hubble');
  registerView({
    name: taken ? 'hubble-nodes' : 'nodes',
    aliases: taken ? ['hn'] : ['hubble-nodes', 'hn'],
    summary: 'Hubble nodes: state, version, address, flows seen (GetNodes)',
    create: (ctx) => createHubbleNodesView(model, ctx),
  });
}
