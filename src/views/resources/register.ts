// Registers :pods :svc :netpol :nodes :ns :ctx with the TUI's view registry.
import { registerView } from '../registry.ts';
import { RESOURCE_VIEWS, type ResourceViewDef } from '../../tables/kinds.ts';
import type { ResourceProvider } from './provider.ts';
import { createResourceView } from './view.ts';

export function registerResourceViews(provider: ResourceProvider): void {
  for (const def of RESOURCE_VIEWS as readonly ResourceViewDef<unknown>[]) {
    registerView({
      name: def.name,
      aliases: def.aliases,
      summary: def.summary,
      create: (ctx) => createResourceView(def, provider, ctx),
    });
  }
}
