/* Records the loader itself writes on stdout, next to the kernel's records from
 * bpf/netscope.h. Same framing: struct ns_hdr {type, size, ts_ns} first, size is
 * the whole record, a multiple of 8. Keep in sync with src/bpf-bridge/records.ts. */
#ifndef NS_LOADER_PROTO_H
#define NS_LOADER_PROTO_H

enum ns_meta_type {
	NS_META_READY = 100,   /* text: comma-separated attached programs */
	NS_META_REASON = 101,  /* u32 code, u32 pad, char name[56]: skb_drop_reason name */
	NS_META_CLOCK = 102,   /* s64 realtime_ns - boottime_ns */
	NS_META_STATS = 103,   /* u64 lost, u64 events: totals since start */
	NS_META_WARN = 104,    /* text: a feature that is missing, and what still works */
};

#define NS_REASON_NAME_LEN 56

#endif
