/* Event records shared by the eBPF programs (bpf/ns_*.bpf.c) and the loader (native/).
 * Every record starts with ns_hdr; all fields are little-endian host order except
 * addresses and ports, which stay in network byte order as the kernel holds them.
 * Keep in sync with src/bpf-bridge/records.ts (sizes are asserted in both). */
#ifndef NETSCOPE_H
#define NETSCOPE_H

#define NS_COMM_LEN 16
#define NS_L7_SNAP 96   /* request/response bytes kept for HTTP/DNS parsing */

enum ns_rec_type {
	NS_REC_CONN_OPEN = 1,   /* TCP connection established (either side) */
	NS_REC_CONN_CLOSE = 2,  /* TCP socket closed: per-connection summary */
	NS_REC_DROP = 3,        /* packet freed by the kernel as dropped */
	NS_REC_L7 = 4,          /* request/response pair seen at the socket layer */
	NS_REC_DNS = 5,         /* one UDP/53 datagram (query or answer) */
};

/* conn flags */
#define NS_F_ACTIVE 0x1    /* this side connected (client) */
#define NS_F_PASSIVE 0x2   /* this side accepted (server) */
#define NS_F_RST_RX 0x4    /* a reset was received on this socket */
#define NS_F_RST_TX 0x8    /* a reset was sent on this socket */
#define NS_F_ESTAB 0x10    /* reached ESTABLISHED */
#define NS_F_OPEN_SENT 0x20 /* open record written (kernel bookkeeping) */
#define NS_F_L7_FOLDED 0x40 /* close record: carries the connection's one request/response */
#define NS_F_L7_REQ_EGRESS 0x80 /* ... and this side sent that request */
#define NS_F_L7_OWN 0x100  /* ... folded only to save a record: report it as an L7 flow of its own */

struct ns_tuple {
	__u8 saddr[16];    /* local address of the observing socket (IPv4: first 4 bytes) */
	__u8 daddr[16];    /* remote address */
	__u16 sport;       /* network byte order */
	__u16 dport;       /* network byte order */
	__u8 family;       /* 4 or 6 */
	__u8 proto;        /* IPPROTO_TCP / IPPROTO_UDP */
	__u16 pad;
};

struct ns_hdr {
	__u32 type;        /* enum ns_rec_type */
	__u32 size;        /* whole record size in bytes */
	__u64 ts_ns;       /* bpf_ktime_get_boot_ns() */
};

struct ns_conn {
	struct ns_hdr hdr;
	struct ns_tuple t;
	__u64 cookie;           /* socket cookie: joins conn, L7 and DNS records */
	__u64 start_ns;         /* SYN sent / SYN received */
	__u64 estab_ns;         /* 0 if never established */
	__u64 bytes_sent;       /* payload bytes, retransmissions not counted twice */
	__u64 bytes_received;   /* payload bytes (a FIN is not counted) */
	__u32 segs_out;
	__u32 segs_in;
	__u32 srtt_us;          /* smoothed RTT (tcp_sock.srtt_us >> 3) */
	__u32 retrans;          /* tcp_sock.total_retrans */
	__u32 pid;              /* tgid of the process behind the socket, 0 if unknown */
	__u32 flags;            /* NS_F_* */
	char comm[NS_COMM_LEN];
	/* Close records with NS_F_L7_FOLDED: the connection's only request/response
	 * pair (not HTTP), reported here instead of as an ns_l7 record of its own. */
	__u64 l7_req_ns;        /* first request byte seen */
	__u64 l7_resp_ns;       /* first response byte seen */
};

struct ns_drop {
	struct ns_hdr hdr;
	struct ns_tuple t;      /* parsed from the packet: saddr = packet source */
	__u32 reason;           /* enum skb_drop_reason value (names come from BTF) */
	__u32 ifindex;
	__u32 len;
	__u8 tcp_flags;
	__u8 pad[3];
	__u32 netns;            /* netns inode of the device or socket, 0 if unknown */
	__u32 pad2;
};

struct ns_l7 {
	struct ns_hdr hdr;
	struct ns_tuple t;      /* socket view: saddr = local */
	__u64 cookie;
	__u64 req_ns;           /* first request byte seen */
	__u64 latency_ns;       /* response start - request start */
	__u32 req_egress;       /* 1: this side sent the request (client) */
	__u16 req_len;          /* bytes valid in req */
	__u16 resp_len;         /* bytes valid in resp */
	__u32 pid;              /* from the connection table, 0 if unknown */
	__u32 pad;
	char comm[NS_COMM_LEN];
	__u8 req[NS_L7_SNAP];
	__u8 resp[32];
};

struct ns_dns {
	struct ns_hdr hdr;
	struct ns_tuple t;      /* packet view: saddr = packet source */
	__u64 cookie;
	__u32 egress;           /* 1: sent by a local socket */
	__u32 len;              /* bytes valid in data (DNS message, after UDP header) */
	__u32 pid;
	__u32 pad;
	__u8 data[NS_L7_SNAP + 32];
};

/* What the kernel knows about a live TCP socket (kept in a slot of ns_slots, or in
 * socket-local storage: see ns_common.bpf.h). Read by the loader too (due opens).
 * One struct for both users: the connection part (ns_conn.bpf.c, valid when flags
 * has NS_F_ACTIVE or NS_F_PASSIVE) and the request/response part (ns_l7.bpf.c). */
struct ns_sock_state {
	__u64 start_ns;
	__u64 estab_ns;
	__u32 pid;
	__u32 flags;        /* NS_F_*; 0: connection not seen opening (or summary sent) */
	char comm[NS_COMM_LEN];
	/* Captured while the socket is hashed: by the CLOSE transition the kernel
	 * may already have released the local port. */
	struct ns_tuple t;
	/* request/response tracking */
	__u64 req_ns;
	__u8 req_dir;       /* 1 egress, 2 ingress; 0 no payload seen yet */
	__u8 awaiting;      /* request seen, response not yet */
	__u16 req_len;
	/* The connection's first request/response pair when it is not HTTP, held back
	 * (ns_l7.bpf.c) so that a short connection reports it in its close summary
	 * instead of in a record of its own: half the records for connection churn.
	 * Written as an L7 record when a second pair completes, or by ns_open_scan
	 * (without it: by the loader, from the slot) once it is NS_HOLD_NS old, so long
	 * connections still report it promptly. */
	__u8 fold;          /* NS_FOLD_* */
	__u8 fold_req_egress;
	/* Ingress from sk_data_ready (ns_l7.bpf.c) sees arrivals, not bytes: the bytes
	 * are read from the receiving syscall's buffer at its sock_recv_length. */
	__u8 pending;       /* NS_PEND_* */
	/* The held pair is to be reported as an L7 flow of its own (NS_F_L7_OWN): held
	 * only so that a short connection's close record carries it (one record instead
	 * of two), where no open scan runs and the loader writes held pairs of long
	 * connections from the memory-mapped slots. */
	__u8 fold_own;
	__u64 fold_req_ns;
	__u64 fold_resp_ns;
	__u64 resp_ns;      /* NS_PEND_RESP: when the response arrived */
	/* The socket's smoothed RTT at ESTABLISHED, kept for an open record the loader
	 * writes from the slot (NS_OPENS_LOADER). */
	__u32 open_srtt_us;
	__u32 pad2;
	__u8 req[NS_L7_SNAP];
};

/* ns_all_opens (ns_conn.bpf.c): who writes a connection's open record. */
#define NS_OPENS_SCAN 0   /* the open scan, NS_HOLD_NS after establishment */
#define NS_OPENS_ALL 1    /* the kernel, at ESTABLISHED */
#define NS_OPENS_LOADER 2 /* without the scan: the loader from the slot at the end of
			   * its read batch (the kernel for sockets not in a slot) */

#define NS_PEND_REQ 1   /* a request arrived: its snapshot comes from the reader's recv */
#define NS_PEND_RESP 2  /* an HTTP response arrived: its record waits for the reader's recv (status line) */

#define NS_FOLD_NONE 0  /* no pair completed yet */
#define NS_FOLD_HELD 1  /* the first pair is held (fold_*) */
#define NS_FOLD_DONE 2  /* reported: later pairs get records of their own */

/* How long opens and held request/response pairs wait for their connection's close
 * (the loader's read batch): connections that close sooner cost one record. */
#define NS_HOLD_NS (50 * 1000000ULL)

/* One entry of the ns_slots table. */
struct ns_slot {
	__u64 cookie;       /* owner's socket cookie; 0: free */
	__u64 sk;           /* owner (struct sock *): read by the open scan, after checking its cookie */
	struct ns_sock_state st;
};

/* What the open scan has to write for a socket's state at boot-clock time `now`:
 * its open record (established NS_HOLD_NS ago, not reported yet) and/or its held
 * request/response pair (NS_HOLD_NS old). The scan (ns_conn.bpf.c) acts on it; the
 * loader tests the memory-mapped slots with it before running the scan. Signed
 * differences: state stamped after `now` was read is not due. */
#define NS_DUE_OPEN 1
#define NS_DUE_PAIR 2
static inline __attribute__((always_inline)) int ns_scan_due(const struct ns_sock_state *st, __u64 now)
{
	int due = 0;
	if ((st->flags & (NS_F_ESTAB | NS_F_OPEN_SENT)) == NS_F_ESTAB && (__s64)(now - st->estab_ns) >= (__s64)NS_HOLD_NS)
		due |= NS_DUE_OPEN;
	if (st->fold == NS_FOLD_HELD && (__s64)(now - st->fold_resp_ns) >= (__s64)NS_HOLD_NS)
		due |= NS_DUE_PAIR;
	return due;
}

/* Per-object counters (array map "ns_stats", per CPU). */
enum ns_stat {
	NS_STAT_LOST = 0,   /* ring buffer reserve failures */
	NS_STAT_EVENTS = 1, /* records submitted */
	NS_STAT_MAX = 2,
};

#endif
