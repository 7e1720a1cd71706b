/* Maps and helpers shared by every netscope eBPF object. Each object declares the
 * same maps with the same definitions; the loader creates them once and hands the
 * same fds to the other objects (bpf_map__reuse_fd), so all programs share one ring
 * buffer, one counter array and one connection table. */
#ifndef NS_COMMON_BPF_H
#define NS_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "netscope.h"

#define NS_AF_INET 2
#define NS_AF_INET6 10
#define NS_IPPROTO_TCP 6
#define NS_IPPROTO_UDP 17

/* Wake the reader only when this much is queued; otherwise it polls every 50 ms.
 * A wake-up per record costs more than the record itself at 10k+ connections/s. */
#define NS_WAKEUP_BYTES (256 * 1024)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} ns_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NS_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} ns_stats SEC(".maps");

/* Where a socket's state lives. Allocating socket-local storage for every
 * connection and freeing it (memcg-charged kmalloc, RCU-deferred free, two locks)
 * was the largest single cost of the collector under connection churn (3% of the
 * machine's CPU in bench/bpf-crr.ts, from perf). So a socket seen opening takes a
 * slot in a preallocated array instead, indexed by the low bits of its socket
 * cookie: cookies are handed out in sequence, so the sockets alive at one moment
 * rarely share a slot, and a lookup is an index and a compare, with no lock and
 * nothing to free. The slot is given back when the socket closes. A socket whose
 * slot is held by another live connection (a long one, NS_SLOTS cookies older),
 * and a socket first seen by the packet programs (open before netscope started),
 * keep their state in socket-local storage (ns_socks) as before: nothing is
 * dropped when slots run short, it only costs more. The loader sizes the table
 * (--slots, a power of two: 8192 by default) and writes its mask to ns_slot_mask;
 * until then every socket maps to slot 0, which is still correct. */


/* Memory-mapped: the loader looks for due opens in it before running the open scan. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 8192); /* set by the loader */
	__type(key, __u32);
	__type(value, struct ns_slot);
} ns_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} ns_slot_mask SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct ns_sock_state);
} ns_socks SEC(".maps");

static __always_inline struct ns_slot *ns_slot_of(__u64 cookie)
{
	__u32 zero = 0;
	__u32 *mask = bpf_map_lookup_elem(&ns_slot_mask, &zero);
	__u32 i = mask ? (__u32)cookie & *mask : 0;
	return bpf_map_lookup_elem(&ns_slots, &i);
}

/* A socket's state: its slot, else its socket-local storage (created when flags is
 * BPF_LOCAL_STORAGE_GET_F_CREATE), else NULL. SK is a struct sock * (tracing
 * programs) or a struct bpf_sock * (packet programs). */
#define ns_state_of(SK, COOKIE, FLAGS)                                            \
	({                                                                        \
		__u64 _c = (COOKIE);                                              \
		struct ns_slot *_s = ns_slot_of(_c);                              \
		_s && _s->cookie == _c ? &_s->st                                  \
				       : (struct ns_sock_state *)bpf_sk_storage_get(&ns_socks, (SK), 0, (FLAGS)); \
	})

/* Fresh (zeroed) state for a socket starting to connect or accept: a free slot, or
 * its own if it connects again after a failed attempt; else socket-local storage.
 * Two colliding sockets claiming one free slot at the same instant on two CPUs
 * (without an atomic compare-and-swap, which needs a newer BPF instruction set)
 * would leave the loser's later lookups without state: its close summary then
 * lacks start time and process, as for a connection older than netscope. */
static __always_inline struct ns_sock_state *ns_state_new(struct sock *sk, __u64 cookie)
{
	struct ns_slot *s = ns_slot_of(cookie);
	if (s && (s->cookie == 0 || s->cookie == cookie)) {
		s->cookie = cookie;
		s->sk = (__u64)sk;
		__builtin_memset(&s->st, 0, sizeof(s->st));
		return &s->st;
	}
	struct ns_sock_state *st = bpf_sk_storage_get(&ns_socks, sk, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	/* New storage is zeroed; storage kept from an earlier attempt is not. */
	if (st && (st->start_ns || st->req_dir))
		__builtin_memset(st, 0, sizeof(*st));
	return st;
}

/* After the close summary: frees the socket's slot (storage goes with the socket;
 * flags 0 marks its summary sent). */
static __always_inline void ns_state_done(struct ns_sock_state *st, __u64 cookie)
{
	struct ns_slot *s = ns_slot_of(cookie);
	if (s && s->cookie == cookie) {
		s->st.flags = 0;
		s->cookie = 0;
	} else if (st) {
		st->flags = 0;
	}
}

#define NS_F_KNOWN (NS_F_ACTIVE | NS_F_PASSIVE)

/* Process names by address space: reading the executable's name walks four
 * pointers that are cold in the cache (about 0.5 us per connection at 15k/s in
 * bench/bpf-prog-cost.ts); a lookup here is a fraction of that. The mm pointer
 * changes on exec, and with the tgid a reused pointer cannot pass for an old
 * process. LRU: bounded, nothing to delete. */
struct ns_comm_key {
	__u64 mm;
	__u32 tgid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ns_comm_key);
	__type(value, char[NS_COMM_LEN]);
} ns_comms SEC(".maps");

/* In front of ns_comms: a few recent names per CPU, by tgid. An LRU hash lookup
 * (hashing, bucket walk, LRU bookkeeping) was half the cost of learning a socket's
 * owner; a per-CPU array lookup is an address computation. */
struct ns_comm_recent {
	struct ns_comm_key key;
	char comm[NS_COMM_LEN];
};

#define NS_COMM_RECENT 4
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NS_COMM_RECENT);
	__type(key, __u32);
	__type(value, struct ns_comm_recent);
} ns_comm_recent SEC(".maps");

/* The process name shown for a socket: the executable's file name (what ps and
 * kubectl users recognise), falling back to the thread's comm. Thread names are
 * not enough: Node.js names its main thread "MainThread". Tracing programs only. */
static __always_inline void ns_current_comm(char *dst)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = task->mm; /* NULL for kernel threads: loads below read 0 */
	struct ns_comm_key key = { .mm = (__u64)mm, .tgid = task->tgid, .pad = 0 };
	__u32 r = key.tgid & (NS_COMM_RECENT - 1);
	struct ns_comm_recent *recent = bpf_map_lookup_elem(&ns_comm_recent, &r);
	if (recent && recent->key.mm == key.mm && recent->key.tgid == key.tgid) {
		__builtin_memcpy(dst, recent->comm, NS_COMM_LEN);
		return;
	}
	const char *known = bpf_map_lookup_elem(&ns_comms, &key);
	if (known) {
		__builtin_memcpy(dst, known, NS_COMM_LEN);
	} else {
		const unsigned char *name = mm ? mm->exe_file->f_path.dentry->d_name.name : 0;
		if (!name || bpf_probe_read_kernel_str(dst, NS_COMM_LEN, name) <= 1)
			bpf_get_current_comm(dst, NS_COMM_LEN);
		bpf_map_update_elem(&ns_comms, &key, dst, BPF_ANY);
	}
	if (recent) {
		recent->key = key;
		__builtin_memcpy(recent->comm, dst, NS_COMM_LEN);
	}
}

static __always_inline void ns_stat_inc(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&ns_stats, &which);
	if (v)
		*v += 1;
}

static __always_inline void *ns_reserve(__u64 size)
{
	void *p = bpf_ringbuf_reserve(&ns_events, size, 0);
	if (!p)
		ns_stat_inc(NS_STAT_LOST);
	return p;
}

static __always_inline void ns_submit(void *p)
{
	__u64 flags = bpf_ringbuf_query(&ns_events, BPF_RB_AVAIL_DATA) >= NS_WAKEUP_BYTES
		? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(p, flags);
	ns_stat_inc(NS_STAT_EVENTS);
}

static __always_inline void ns_hdr_init(struct ns_hdr *h, __u32 type, __u32 size)
{
	h->type = type;
	h->size = size;
	h->ts_ns = bpf_ktime_get_boot_ns();
}

/* Writes a held request/response pair (NS_FOLD_HELD) as an L7 record. The held
 * pair is never HTTP, so no payload snapshot is needed; st->t is the socket view. */
static __always_inline void ns_emit_held_l7(struct ns_sock_state *st, __u64 cookie)
{
	st->fold = NS_FOLD_DONE;
	struct ns_l7 *r = ns_reserve(sizeof(*r));
	if (!r)
		return;
	r->hdr.type = NS_REC_L7;
	r->hdr.size = sizeof(*r);
	r->hdr.ts_ns = st->fold_resp_ns;
	r->t = st->t;
	r->cookie = cookie;
	r->req_ns = st->fold_req_ns;
	r->latency_ns = st->fold_resp_ns - st->fold_req_ns;
	r->req_egress = st->fold_req_egress;
	r->req_len = 0;
	r->resp_len = 0;
	r->pid = st->pid;
	r->pad = 0;
	__builtin_memcpy(r->comm, st->comm, NS_COMM_LEN);
	__builtin_memset(r->req, 0, sizeof(r->req));
	__builtin_memset(r->resp, 0, sizeof(r->resp));
	ns_submit(r);
}

/* The request/response state machine, one step per payload seen on a TCP socket in
 * direction dir (1 egress, 2 ingress): the direction of the first payload is the
 * request direction; a request starts with the first payload in that direction after
 * a response, and the first payload the other way ends it. */
#define NS_L7_NONE 0 /* more of the same request or response */
#define NS_L7_REQ 1  /* a request starts: the caller stamps req_ns and snapshots it */
#define NS_L7_PAIR 2 /* the response starts: a request/response pair is complete */
static __always_inline int ns_l7_step(struct ns_sock_state *st, __u8 dir)
{
	if (!st->req_dir)
		st->req_dir = dir;
	if (dir == st->req_dir) {
		if (st->awaiting)
			return NS_L7_NONE;
		st->awaiting = 1;
		st->req_len = 0;
		return NS_L7_REQ;
	}
	if (!st->awaiting)
		return NS_L7_NONE;
	st->awaiting = 0;
	return NS_L7_PAIR;
}

/* The L7 record of the pair that completed at ts, reserved and filled but for the
 * response snapshot (resp/resp_len, zero here). t: the socket view. */
static __always_inline struct ns_l7 *ns_l7_pair(struct ns_sock_state *st, __u64 cookie, const struct ns_tuple *t,
						__u64 ts)
{
	struct ns_l7 *r = ns_reserve(sizeof(*r));
	if (!r)
		return 0;
	r->hdr.type = NS_REC_L7;
	r->hdr.size = sizeof(*r);
	r->hdr.ts_ns = ts;
	r->t = *t;
	r->cookie = cookie;
	r->req_ns = st->req_ns;
	r->latency_ns = ts - st->req_ns;
	r->req_egress = st->req_dir == 1;
	r->req_len = st->req_len;
	r->resp_len = 0;
	r->pad = 0;
	__builtin_memcpy(r->req, st->req, NS_L7_SNAP);
	__builtin_memset(r->resp, 0, sizeof(r->resp));
	if (st->flags & NS_F_KNOWN) {
		r->pid = st->pid;
		__builtin_memcpy(r->comm, st->comm, NS_COMM_LEN);
	} else {
		r->pid = 0;
		__builtin_memset(r->comm, 0, NS_COMM_LEN);
	}
	return r;
}

/* A response waiting for its reader (NS_PEND_RESP) when something else comes first
 * (the next request, the close): its record goes out without the status line. */
static __always_inline void ns_flush_pending(struct ns_sock_state *st, __u64 cookie, const struct ns_tuple *t)
{
	if (st->pending != NS_PEND_RESP)
		return;
	st->pending = 0;
	struct ns_l7 *r = ns_l7_pair(st, cookie, t, st->resp_ns);
	if (r)
		ns_submit(r);
}

/* Socket view: saddr/sport = local side. BTF tracepoints get a typed socket
 * pointer, so fields are read directly (CO-RE relocated loads, no helper calls):
 * this runs on every TCP connection's state changes. */
static __always_inline void ns_tuple_from_sk(struct ns_tuple *t, const struct sock *sk)
{
	__u16 fam = sk->__sk_common.skc_family;
	__builtin_memset(t, 0, sizeof(*t));
	if (fam == NS_AF_INET) {
		__u32 s = sk->__sk_common.skc_rcv_saddr;
		__u32 d = sk->__sk_common.skc_daddr;
		__builtin_memcpy(t->saddr, &s, 4);
		__builtin_memcpy(t->daddr, &d, 4);
		t->family = 4;
	} else {
		BPF_CORE_READ_INTO(&t->saddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&t->daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
		t->family = 6;
	}
	t->sport = bpf_htons(sk->__sk_common.skc_num);
	t->dport = sk->__sk_common.skc_dport;
	t->proto = NS_IPPROTO_TCP;
}

/* A socket's own view of its tuple: the one captured at ESTABLISHED, else read now. */
static __always_inline void ns_sock_tuple(struct ns_tuple *t, const struct ns_sock_state *st, const struct sock *sk)
{
	if (st->t.family)
		*t = st->t;
	else
		ns_tuple_from_sk(t, sk);
}

/* IP headers as packet programs and tracing programs read them. */
struct ns_iph4 {
	__u8 vihl;
	__u8 tos;
	__u16 tot_len;
	__u16 id;
	__u16 frag;
	__u8 ttl;
	__u8 proto;
	__u16 csum;
	__u32 saddr;
	__u32 daddr;
};

struct ns_iph6 {
	__u32 vtc;
	__u16 plen;
	__u8 nexthdr;
	__u8 hop;
	__u8 saddr[16];
	__u8 daddr[16];
};

/* Packet view (saddr = packet source) of the IP header at head + nh in kernel memory
 * (an skb's network header, from a tracing program): addresses, family, protocol; ports
 * are the caller's. *l4off: the transport header's offset from head, 0 for a fragment
 * after the first (no ports). Returns -1 for anything but IPv4/IPv6. */
static __always_inline int ns_tuple_from_ip(struct ns_tuple *t, const unsigned char *head, __u32 nh, __u32 *l4off)
{
	__u8 vihl = 0;
	if (bpf_probe_read_kernel(&vihl, 1, head + nh))
		return -1;
	__builtin_memset(t, 0, sizeof(*t));
	*l4off = 0;
	if ((vihl >> 4) == 4) {
		struct ns_iph4 ip = {};
		bpf_probe_read_kernel(&ip, sizeof(ip), head + nh);
		__builtin_memcpy(t->saddr, &ip.saddr, 4);
		__builtin_memcpy(t->daddr, &ip.daddr, 4);
		t->family = 4;
		t->proto = ip.proto;
		if ((bpf_ntohs(ip.frag) & 0x1fff) == 0)
			*l4off = nh + (ip.vihl & 0xf) * 4;
	} else if ((vihl >> 4) == 6) {
		struct ns_iph6 ip = {};
		bpf_probe_read_kernel(&ip, sizeof(ip), head + nh);
		__builtin_memcpy(t->saddr, ip.saddr, 16);
		__builtin_memcpy(t->daddr, ip.daddr, 16);
		t->family = 6;
		t->proto = ip.nexthdr;
		*l4off = nh + 40;
	} else {
		return -1;
	}
	return 0;
}

/* An accepted socket is created in softirq: its process is learnt from the first
 * send/recv, which run in the syscall of the reading/writing task. Tracing only. */
static __always_inline void ns_learn_owner(struct ns_sock_state *st)
{
	if (!(st->flags & NS_F_KNOWN) || st->pid)
		return;
	st->pid = bpf_get_current_pid_tgid() >> 32;
	ns_current_comm(st->comm);
}

/* The same for a TCP socket given by its struct sock (sock_send_length, and
 * sock_recv_length where nothing else is done there). */
static __always_inline void ns_learn_owner_of(struct sock *sk)
{
	if (!sk || sk->sk_protocol != NS_IPPROTO_TCP)
		return;
	struct ns_sock_state *st = ns_state_of(sk, bpf_get_socket_cookie(sk), 0);
	if (st)
		ns_learn_owner(st);
}

/* n bytes to copy into a buffer of max (a compile-time constant), 0 for none: the
 * verifier must see the length bounded where the copy uses it, and the empty asm
 * keeps clang from folding the check after the clamp away. */
static __always_inline __u64 ns_copy_len(__u64 n, __u32 max)
{
	if (n > max)
		n = max;
	asm volatile("" : "+r"(n));
	return n > max ? 0 : n;
}

#endif
