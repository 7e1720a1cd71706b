// The terminal explorer: blessed widgets drawing the pure view models, a frame clock,
// and key handling. Ingestion (source -> FlowStore) never waits for drawing: frames are
// drawn at most `refreshHz` times a second from whatever the store holds; a key changes
// UI state and draws at once, and never waits for ingestion longer than one slice of a
// few ms (ingest-slices.ts). Each pane is a component of its own (src/views/panes/:
// state, keys, drawing); the app composes them with the bars, overlays and focus.
import blessed from 'blessed';
import type { Subscription } from 'rxjs';
import type { Flow } from '../model/flow.ts';
import type { Source } from '../model/source.ts';
import { compileFilterSet, expandAliases, filterSetToArgs, parseFilterArgs, shellQuote, tokenize, type Aliases, type FilterSet } from '../filter/index.ts';
import type { Completion } from '../filter/index.ts';
import { FlowStore } from '../streams/flow-store.ts';
import { frames } from '../streams/frames.ts';
import { IngestSlices } from './ingest-slices.ts';
import { nodeId, serviceOf, type Level } from '../streams/flow-keys.ts';
import type { VersionedModel } from '../streams/topology-model.ts';
import { policyWhyLines } from './flow-detail.ts';
import { PolicyAnnotator, type PolicyModel } from '../streams/policy-annotate.ts';
import { registerView } from './registry.ts';
import { whatIfView } from './whatif-view.ts';
import { setPolicyStats } from '../tables/policy-stats.ts';
import { helpLines } from './help-view.ts';
import { PANES, PANE_TITLES, actionFor, type Action, type Pane } from './keymap.ts';
import { layout, tabbed, type Rect } from './layout.ts';
import type { PaletteAction, PaletteObjects } from './palette.ts';
import { findView } from './registry.ts';
import { registerHubbleNodesView } from './hubble-nodes-register.ts';
import { statusLine } from './status-line.ts';
import { tabBarLine } from './tab-bar.ts';
import { esc, fit } from './text.ts';
import type { Theme } from './theme.ts';
import { createCommandBar } from './command-bar.ts';
import { createOverlays } from './overlays.ts';
import { createDetailPane, detailLines } from './panes/detail-pane.ts';
import { createFlowsPane } from './panes/flows-pane.ts';
import { createLatencyPane } from './panes/latency-pane.ts';
import type { PaneComponent } from './panes/pane.ts';
import { createTopologyPane } from './panes/topology-pane.ts';
import { findNode, isExternal, nodeFilterArgs } from './topology-view.ts';

export interface AppOptions {
  source: Source;
  bufferSize: number;
  refreshHz: number;
  /** Initial filter flags (already validated by the caller). */
  filterArgs: string[];
  /** Namespace assumed by bare pod/service names in filters (the TUI's -n, the kube context's). */
  defaultNamespace?: string;
  /** Named filters from the config file: `@name` in the filter bar. */
  aliases?: Aliases;
  /** Problems found at start (config file): shown in the bar until the first key. */
  notices?: string[];
  /** Names of cluster objects (beyond those seen in flows) for completion and the palette. */
  clusterObjects?: () => PaletteObjects;
  /** The cluster model (demo snapshot or live cluster), when there is one: the map shows its idle services. */
  clusterModel?: () => VersionedModel | undefined;
  /** The same model with its policies: flows get expected verdicts, "why" and what-if. */
  policyModel?: () => PolicyModel | undefined;
  theme: Theme;
  terminal: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

interface Focus {
  label: string;
  /** Topology node to select (at `level`), when the focus is a node. */
  node?: { id: string; level: Level };
  /** Latency row to select. */
  service?: string;
  pred: (f: Flow) => boolean;
  /** Flags that say the same thing on a `netscope observe` command line. */
  args: string[];
}


/** Parses filter flags the way `netscope observe` does; throws FilterError with one line. */
export function parseFilterLine(text: string, defaultNamespace?: string, aliases: Aliases = {}): FilterSet {
  return parseFilterArgs(expandAliases(tokenize(text), aliases), defaultNamespace ? { defaultNamespace } : {});
}

export function runApp(opts: AppOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const theme = opts.theme;
    const store = new FlowStore(opts.bufferSize);
    // Source events wait here and are ingested a few ms per turn: keys go in between.
    const slices = new IngestSlices(store);
    if (opts.policyModel) {
      const policyModel = opts.policyModel;
      const annotator = new PolicyAnnotator(policyModel);
      store.policy = annotator;
      setPolicyStats({ engine: () => annotator.engine(), hits: annotator.hits });
      registerView({
        name: 'whatif',
        summary: 'replay the buffer against a draft policy file: :whatif FILE (--delete FILE removes)',
        create: (ctx) => whatIfView(ctx.arg, () => store.all.toArray(), policyModel, () => annotator.engine()),
      });
    }
    registerHubbleNodesView(store.hubbleNodes);
    let filterText = opts.filterArgs.map(shellQuote).join(' ');
    let filterSet = parseFilterLine(filterText, opts.defaultNamespace, opts.aliases);
    const matchesAll = (set: FilterSet) => set.allow.length === 0 && set.deny.length === 0;
    // The active filter's predicate (null: no filter), also applied to the model's idle nodes.
    let filterPred: ((f: Flow) => boolean) | null = matchesAll(filterSet) ? null : compileFilterSet(filterSet);
    store.setFilter(filterPred ?? compileFilterSet(filterSet), filterPred === null);

    let focusPane: Pane = 'flows';
    let zoom: Pane | null = null;
    const bar = createCommandBar({ filterText, notices: opts.notices });
    const overlays = createOverlays();
    let focus: Focus | null = null;
    let uiVersion = 0;
    // The panes: each owns its view state, keys and drawing (src/views/panes/).
    const topology = createTopologyPane({ store, theme, clusterModel: opts.clusterModel, filter: () => filterPred });
    const latency = createLatencyPane(store, theme);
    const flows = createFlowsPane(store, theme, () => focus?.label);
    const detail = createDetailPane(store, theme, () => flows.selected());
    const panes: Record<Pane, PaneComponent> = { topology, flows, latency, detail };

    // In a UTF-8 locale draw borders with Unicode box characters rather than the VT100
    // alternate character set, which some terminals and multiplexers render as letters.
    // NCURSES_NO_UTF8_ACS is the ncurses knob for this; an explicit user setting wins.
    if (theme.unicode && process.env.NCURSES_NO_UTF8_ACS === undefined) process.env.NCURSES_NO_UTF8_ACS = '1';
    const makeScreen = (terminal: string) =>
      blessed.screen({
        smartCSR: true,
        terminal,
        fullUnicode: theme.unicode,
        warnings: false,
        autoPadding: false,
        title: 'netscope',
        input: opts.input,
        output: opts.output,
        // Ctrl-C etc. are handled below so quitting always restores the terminal.
      } as blessed.Widgets.IScreenOptions);
    let screen: blessed.Widgets.Screen;
    try {
      screen = makeScreen(opts.terminal);
    } catch {
      // The entry passed the off-screen probe but blessed still failed: plain xterm is built in.
      screen = makeScreen('xterm');
    }

    // A small terminal shows one pane under a tab bar: the first tab, the map, comes up first.
    if (tabbed((screen.width as number) || 80, (screen.height as number) || 24)) focusPane = 'topology';

    const paneBox = (pane: Pane) =>
      blessed.box({
        parent: screen,
        tags: true,
        border: { type: 'line' },
        label: ` ${PANE_TITLES[pane]} `,
        wrap: false,
        style: theme.color ? { border: { fg: 'gray' }, label: { fg: 'white' } } : {},
      });
    const boxes: Record<Pane, blessed.Widgets.BoxElement> = {
      topology: paneBox('topology'),
      flows: paneBox('flows'),
      latency: paneBox('latency'),
      detail: paneBox('detail'),
    };
    const statusBox = blessed.box({ parent: screen, tags: true, height: 1, wrap: false, style: theme.color ? { bg: 'blue', fg: 'white' } : { inverse: true } });
    const barBox = blessed.box({ parent: screen, tags: true, height: 1, wrap: false });
    const tabsBox = blessed.box({ parent: screen, tags: true, height: 1, wrap: false, hidden: true });
    const overlayBox = blessed.box({ parent: screen, tags: true, border: { type: 'line' }, hidden: true, wrap: false, style: theme.color ? { border: { fg: 'cyan' } } : {} });

    const requestFrame = () => {
      uiVersion++;
    };

    const objects = (): PaletteObjects => {
      const extra = opts.clusterObjects?.();
      const services = new Set<string>(extra ? [...extra.services] : []);
      for (const s of latency.services) services.add(s);
      const pods = new Set<string>(extra ? [...extra.pods] : []);
      if (topology.state.level === 'pod') for (const n of topology.nodes) if (n.id.includes('/')) pods.add(n.id);
      const namespaces = new Set<string>(extra ? [...extra.namespaces] : []);
      for (const n of store.names.namespaces) namespaces.add(n);
      return { namespaces, services, pods };
    };

    const names = (kind: Completion): Iterable<string> => {
      const o = objects();
      switch (kind) {
        case 'namespace':
          return o.namespaces;
        case 'pod':
          return [...o.pods, ...store.names.pods];
        case 'workload': {
          // Computed on Tab from the buffer, so ingestion pays nothing for it.
          const out = new Set<string>();
          for (const f of store.all.toArray()) {
            for (const side of ['source', 'destination'] as const) {
              const id = nodeId(f, side, 'workload');
              const slash = id.indexOf('/');
              if (slash > 0) out.add(id.slice(slash + 1));
            }
          }
          return out;
        }
        case 'service':
          return [...o.services, ...store.names.services];
        default:
          return [];
      }
    };

    // ---- drawing -------------------------------------------------------------------
    const place = (el: blessed.Widgets.BoxElement, r: Rect | undefined) => {
      if (!r) {
        el.hide();
        return;
      }
      el.show();
      el.top = r.top;
      el.left = r.left;
      el.width = r.width;
      el.height = r.height;
    };

    const inner = (r: Rect) => ({ width: Math.max(1, r.width - 2), height: Math.max(1, r.height - 2) });

    const setPane = (pane: Pane, title: string, lines: string[], width: number) => {
      const box = boxes[pane];
      const focused = pane === focusPane;
      const n = PANES.indexOf(pane) + 1;
      // blessed does not clip labels: keep the title inside the top border.
      const room = Math.max(4, width - 6 - String(n).length - (focused ? 2 : 0));
      box.setLabel(` ${n} ${esc(fit(title, Math.min(room, title.length)))}${focused ? ' *' : ''} `);
      box.style.border = theme.color ? { fg: focused ? 'cyan' : 'gray' } : {};
      box.setContent(lines.join('\n'));
    };

    const render = () => {
      const cols = (screen.width as number) || 80;
      const rows = (screen.height as number) || 24;
      const lay = layout(cols, rows, zoom, focusPane);
      const visible = (p: Pane) => lay.panes[p] !== undefined;
      if (!visible(focusPane) && zoom === null) focusPane = 'flows';
      // The panes, each drawn by its component; a hidden topology or latency pane still
      // computes what focus, the palette and completion read from it.
      for (const p of PANES) {
        const r = lay.panes[p];
        if (r) {
          const v = panes[p].draw(inner(r));
          setPane(p, v.title, v.lines, r.width);
        } else if (p === 'topology') topology.refresh();
        else if (p === 'latency') latency.refresh();
        place(boxes[p], r);
      }

      // Tab bar (single-pane mode)
      place(tabsBox, lay.tabs);
      if (lay.tabs) tabsBox.setContent(tabBarLine(focusPane, cols, theme));

      // Status line and bar
      place(statusBox, lay.status);
      statusBox.setContent(
        statusLine(
          {
            status: store.status,
            counters: store.counters.snapshot(),
            filterText,
            focus: focus?.label ?? null,
            paused: flows.paused(),
            pending: flows.pending(),
          },
          cols,
          theme,
        ),
      );
      place(barBox, lay.bar);
      barBox.setContent(bar.draw(cols, theme));

      // Overlay (help, flow detail, command line, registered views)
      const over = lay.main ? overlays.draw(inner(lay.main), theme) : undefined;
      if (over) {
        place(overlayBox, lay.main);
        overlayBox.setFront();
        overlayBox.setLabel(over.label);
        overlayBox.setContent(over.content);
      } else overlayBox.hide();
      screen.render();
    };


    // ---- filter, focus and palette ---------------------------------------------------
    const applyFilter = (text: string): boolean => {
      try {
        const set = parseFilterLine(text, opts.defaultNamespace, opts.aliases);
        const pred = compileFilterSet(set);
        filterSet = set;
        filterText = text.trim();
        store.setFilter(pred, matchesAll(set));
        filterPred = matchesAll(set) ? null : pred;
        flows.reset({ unpause: true });
        bar.clear();
        return true;
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        bar.say(`invalid filter (kept: ${filterText || 'none'}): ${msg}`);
        return false;
      }
    };

    const setFocus = (f: Focus | null) => {
      focus = f;
      store.setFocus(f ? f.pred : null);
      flows.reset();
      if (f?.node) topology.select(f.node.id, f.node.level);
      if (f?.service) latency.select(f.service);
    };

    const focusOnNode = (id: string, level: Level) => {
      const node = topology.nodes.find((n) => n.id === id);
      const args = nodeFilterArgs(id, level, node ? isExternal(node) : !id.includes('/') && level !== 'namespace');
      const svcMatch = latency.services.find((s) => s === id);
      setFocus({
        label: id,
        node: { id, level },
        service: svcMatch,
        pred: (f) => nodeId(f, 'source', level) === id || nodeId(f, 'destination', level) === id,
        args,
      });
    };

    const focusOnService = (svc: string) => {
      // A service row focuses its workload node when the map has one of that name.
      const node = topology.nodes.find((n) => n.id === svc);
      if (node && topology.state.level === 'workload') {
        focusOnNode(svc, 'workload');
        return;
      }
      const [ns, name] = svc.includes('/') ? svc.split('/', 2) : ['', svc];
      setFocus({
        label: svc,
        service: svc,
        pred: (f) => serviceOf(f) === svc || (f.source_service?.name === name && (f.source_service.namespace ?? '') === ns),
        args: ['--service', svc],
      });
    };

    const runPalette = (action: PaletteAction, rawText: string) => {
      // Everything but help and quit shows the panes (or a new view) in place of a view.
      if (action.type !== 'help' && action.type !== 'quit' && action.type !== 'view') overlays.close();
      switch (action.type) {
        case 'pane':
          zoom = null;
          focusPane = action.pane;
          return;
        case 'help':
          openHelp();
          return;
        case 'quit':
          quit();
          return;
        case 'namespace':
          applyFilter(`--namespace ${shellQuote(action.name)}`);
          bar.rememberFilter(filterText);
          return;
        case 'service': {
          focusPane = 'topology';
          const node = findNode([...topology.nodes], action.name);
          if (node && topology.state.level !== 'namespace') focusOnNode(node.id, topology.state.level);
          else focusOnService(action.name);
          return;
        }
        case 'pod': {
          focusPane = 'topology';
          topology.state = { ...topology.state, level: 'pod' };
          focusOnNode(action.name, 'pod');
          return;
        }
        case 'view': {
          const reg = findView(action.name);
          if (!reg) {
            bar.say(`no view named "${action.name}" (from ":${rawText}")`);
            return;
          }
          overlays.showView(
            reg.name,
            reg.create({
              arg: action.arg,
              requestFrame,
              showFlows: (text) => {
                if (!applyFilter(text)) return bar.message ?? 'invalid filter';
                bar.rememberFilter(filterText);
                overlays.close();
                focusPane = 'flows';
                requestFrame();
                return undefined;
              },
              showLatency: (service) => {
                overlays.close();
                zoom = null;
                focusPane = 'latency';
                latency.select(service);
                requestFrame();
              },
            }),
          );
          return;
        }
      }
    };

    const openHelp = () =>
      overlays.showHelp((under) => ({
        title: `Help: ${under ? under.title : PANE_TITLES[focusPane]}`,
        lines: helpLines(focusPane, theme, under?.keys ?? [], topology.showsMap),
      }));

    const commandLines = (): string[] => {
      const args = [...filterSetToArgs(filterSet), ...(focus?.args ?? [])].map(shellQuote).join(' ');
      const src = store.status.source === 'demo' ? ' --demo' : '';
      return [
        theme.header('Equivalent command line for this view (copy and paste):'),
        '',
        esc(`netscope observe${src} --follow${args ? ' ' + args : ''}`),
        '',
        esc(`hubble observe --follow${args ? ' ' + args : ''}`),
        '',
        theme.dim(focus ? `includes the focus on ${esc(focus.label)}` : 'no focus set'),
      ];
    };

    // ---- keys --------------------------------------------------------------------------
    const paneAction = (action: Action) => {
      const pageSize = (lay().panes[focusPane]?.height ?? 10) - 3;
      const e = panes[focusPane].key(action, pageSize).effect;
      if (e?.type === 'flow-detail') overlays.show('detail', 'Flow detail', detailLines(store, e.flow, theme));
      else if (e?.type === 'focus-node') focusOnNode(e.id, e.level);
      else if (e?.type === 'focus-service') focusOnService(e.service);
    };

    const lay = () => layout((screen.width as number) || 80, (screen.height as number) || 24, zoom, focusPane);

    const globalAction = (action: Action): boolean => {
      const visiblePanes = PANES.filter((p) => lay().panes[p] !== undefined || zoom !== null);
      switch (action) {
        case 'quit':
          quit();
          return true;
        case 'help':
          openHelp();
          return true;
        case 'filter':
          bar.openFilter(filterText);
          return true;
        case 'palette':
          bar.openPalette(objects());
          return true;
        case 'next-pane':
        case 'prev-pane': {
          const order = zoom || lay().tabs ? [...PANES] : visiblePanes;
          const i = order.indexOf(focusPane);
          focusPane = order[(i + (action === 'next-pane' ? 1 : order.length - 1)) % order.length];
          if (zoom) zoom = focusPane;
          return true;
        }
        case 'focus-1':
        case 'focus-2':
        case 'focus-3':
        case 'focus-4': {
          const p = PANES[Number(action.slice(-1)) - 1];
          focusPane = p;
          // Panes that do not fit (detail at 80 columns) are shown zoomed.
          if (zoom || layout((screen.width as number) || 80, (screen.height as number) || 24, null, p).panes[p] === undefined) zoom = p;
          return true;
        }
        case 'zoom':
          zoom = zoom ? null : focusPane;
          return true;
        case 'command-line':
          overlays.show('command', 'Command line', commandLines());
          return true;
        case 'pause':
          flows.togglePause();
          return true;
        case 'what-if':
          bar.openPalette(objects(), 'whatif ');
          return true;
        case 'why': {
          if (focusPane !== 'topology') return false;
          const id = topology.state.selected;
          if (!store.policy) bar.say('why: no cluster model with policies (use --demo or a cluster)');
          else if (id === null) bar.say('why: select a node first (j/k)');
          else {
            const edges = store.topologyPolicy.edgesOf(topology.state.level, id);
            const lines: string[] = [];
            for (const e of edges) {
              lines.push(theme.header(esc(`${e.from} -> ${e.to}`)) + theme.dim(esc(`  ${e.allowed} allowed, ${e.denied} denied${e.mismatches ? `, ${e.mismatches} disagree with the flows` : ''}; the latest flow:`)));
              lines.push(...policyWhyLines(e.lastNote, theme));
              lines.push('');
            }
            if (lines.length === 0) lines.push(theme.dim(esc(`no flows of ${id} were evaluated against policies yet`)));
            overlays.show('detail', `Why: ${id}`, lines);
          }
          return true;
        }
        case 'escape':
          if (focus) setFocus(null);
          else if (zoom) zoom = null;
          bar.clear();
          return true;
        default:
          return false;
      }
    };

    const onBarKey = (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg) => {
      const effect = bar.key({ name: key.name, ch, ctrl: key.ctrl, meta: key.meta, full: key.full }, { names, objects }, applyFilter);
      if (effect?.type === 'run' && effect.item) runPalette(effect.item.action, effect.text);
    };

    const onOverlayKey = (full: string, ch: string | undefined): boolean =>
      overlays.key(full, ch, { help: openHelp, palette: () => globalAction('palette') });

    screen.on('keypress', (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg | undefined) => guarded(() => {
      if (!key || key.name === 'return') return; // \r arrives twice (return, then enter)
      const full = key.full ?? key.name ?? ch ?? '';
      if (full === 'C-c') {
        quit();
        return;
      }
      if (bar.isOpen) onBarKey(ch, key);
      else if (!onOverlayKey(full, ch)) {
        const map = topology.showsMap;
        const action = actionFor(focusPane, full, map) ?? (ch ? actionFor(focusPane, ch, map) : undefined);
        if (action && !globalAction(action)) paneAction(action);
      }
      requestFrame();
      render(); // keys draw at once; flows wait for the frame clock
    }));

    screen.on('resize', () => {
      requestFrame();
      guarded(render);
    });

    // ---- lifecycle ----------------------------------------------------------------------
    let sub: Subscription | undefined;
    let frameSub: Subscription | undefined;
    let done = false;
    const quit = (code = 0) => {
      if (done) return;
      done = true;
      frameSub?.unsubscribe();
      sub?.unsubscribe();
      slices.stop();
      overlays.close();
      screen.destroy(); // leaves the alternate screen, shows the cursor, ends raw mode
      for (const s of ['SIGTERM', 'SIGHUP'] as const) process.removeListener(s, onSignal);
      resolve(code);
    };
    const onSignal = () => quit(0);
    // A bug must not leave the terminal in raw mode on the alternate screen: restore it
    // first, then report the error (one line, from the CLI's handler).
    function guarded(fn: () => void): void {
      try {
        fn();
      } catch (err) {
        if (done) return;
        quit(1);
        reject(err);
      }
    }
    // The terminal went away (SSH hang-up, closed pane): stop quietly instead of crashing.
    (opts.output ?? process.stdout).on('error', () => quit(0));
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);

    frameSub = frames(() => store.version + uiVersion + (opts.clusterModel?.()?.version ?? 0), Math.max(20, Math.round(1000 / opts.refreshHz))).subscribe(() => {
      if (!done) guarded(render);
    });
    guarded(render);
    // Take in the source only after the first frame is on the terminal: the demo and a
    // file deliver their history synchronously on subscribe, which would otherwise hold
    // the first frame back for as long as that takes.
    setImmediate(() => {
      if (done) return;
      // What a source hands over on subscribe (the demo's or a file's history) goes in
      // at once, so the next frame, and the map's first layout, see all of it; events
      // that come later (live flows, a catch-up burst, a gRPC read) go in slices.
      let subscribing = true;
      sub = opts.source.subscribe({
        next: (ev) => (subscribing ? slices.ingestNow(ev) : slices.push(ev)),
        error: (err: unknown) =>
          slices.whenDrained(() => {
            store.status = { ...store.status, state: 'error', message: err instanceof Error ? err.message : String(err) };
            store.version++;
          }),
        complete: () =>
          slices.whenDrained(() => {
            if (store.status.state !== 'error') store.status = { ...store.status, state: 'done' };
            store.version++;
          }),
      });
      subscribing = false;
    });
  });
}
