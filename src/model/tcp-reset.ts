// The Summary texts netscope's collector gives a connection's close summary when the
// connection ended in a reset (src/bpf-bridge/to-flow.ts writes them, flow-keys reads
// them). A close summary is one flow per socket, so its RST flag alone does not say
// which end reset the connection: these texts do (the loader's NS_F_RST_RX / _TX).

/** A connection attempt answered with a reset (SYN -> RST): nothing accepted it. */
export const RESET_REFUSED_SUMMARY = 'TCP Flags: RST (connection refused)';
/** An established connection reset by its server's end. */
export const RESET_BY_SERVER_SUMMARY = 'TCP Flags: RST (reset by server)';
/** An established connection reset by its client's end. */
export const RESET_BY_CLIENT_SUMMARY = 'TCP Flags: RST (reset by client)';
