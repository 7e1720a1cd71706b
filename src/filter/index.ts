// The filter language shared by `netscope observe`, the TUI filter bar and the
// agent's server-side filter: Hubble's flags in, FlowFilters out, one compiled predicate.
export type { FlowFilter, FilterSet, EventTypeFilter } from './flow-filter.ts';
export { FilterError } from './errors.ts';
export { FILTER_FLAGS, FILTER_VALUE_CHOICES, isFilterFlag, filterHelp, flagByName } from './flags.ts';
export type { FilterFlag, Completion } from './flags.ts';
export { FilterBuilder, parseFilterArgs } from './builder.ts';
export type { FilterBuilderOptions } from './builder.ts';
export { compileFilterSet, compileFlowFilter } from './compile.ts';
export type { FlowPredicate } from './compile.ts';
export { filterSetToArgs } from './to-args.ts';
export { tokenize, shellQuote } from './tokenize.ts';
export { flowFilterToJSON, flowFilterToObject, rawFiltersText } from './json.ts';
export { parseRawFilter, flowFilterFromObject } from './raw-filter.ts';
export { expandAliases } from './aliases.ts';
export type { Aliases } from './aliases.ts';
