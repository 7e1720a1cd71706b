/* netscope-loader: loads netscope's eBPF objects, attaches them, and streams their
 * records on stdout (binary, framed by struct ns_hdr) until SIGTERM/SIGINT or
 * until stdin (a pipe from the parent) reaches EOF, so the collector never outlives
 * netscope. Every program is held through a bpf_link and nothing is pinned: on
 * exit, or if this process is killed, the kernel frees programs and maps.
 *
 * Usage: netscope-loader OBJDIR [--cgroup PATH] [--no-l7] [--l7-ingress packets|sockets] [--l7-egress packets|sockets] [--no-drops] [--all-opens] [--slots N] [--refuse PROG,...] [--verbose] | --kernel-state
 * --all-opens: write every connection's open record at establishment; by default
 * only connections still open 50 ms after it get one (from the open-scan
 * iterators, run every 200 ms), and the close summary stands for both otherwise.
 * Without the iterators, opens of connections that outlive a read batch are written
 * by this process from the memory-mapped socket table (write_opens), and held
 * request/response pairs likewise (write_held_pairs).
 * Likewise a connection's first request/response pair, when it is not HTTP, goes
 * into its close summary if it closes within 50 ms; --all-opens turns that off too.
 * --slots N: size of the socket-state table (a power of two, default 8192; sockets
 * that find their slot taken keep their state in socket-local storage instead).
 * --refuse PROG,...: treat these programs as refused by the kernel (EPERM before
 * verification), to see and test what each refusal degrades to.
 * --kernel-state: print what the kernel allows BPF (lockdown, LSMs, capabilities,
 * BTF, cgroup v2, memlock) and exit.
 * Exit: 0 stopped, 1 runtime failure, 3 missing privileges, 4 missing kernel feature. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "../bpf/netscope.h"
#include "loader_proto.h"
#include "loader.h"

#define USAGE "netscope-loader OBJDIR [--cgroup PATH] [--no-l7] [--l7-ingress packets|sockets] [--l7-egress packets|sockets] [--no-drops] [--all-opens] [--slots N] [--refuse PROG,...] [--verbose] | --kernel-state"

#define MAX_OBJS 8
#define MAX_LINKS 32
#define MAX_SHARED 16

static volatile sig_atomic_t stop;
static int verbose;

static struct bpf_object *objs[MAX_OBJS];
static int n_objs;
static struct bpf_link *links[MAX_LINKS];
static int n_links;
static struct { char name[32]; int fd; } shared[MAX_SHARED];
static int n_shared;
static char attached[512];
/* The open scan: iterators writing the opens of longer connections, one per place
 * socket state is kept (ns_slots, ns_socks). Used only when all of them attached. */
#define MAX_SCANS 2
static struct bpf_link *scans[MAX_SCANS];
static int n_scans, scan_failed;
static int scan_is_slots[MAX_SCANS]; /* the iterator over ns_slots */
static __u32 slots = 8192; /* --slots */
/* ns_slots, memory-mapped: the slot iterator (a program run per slot) is only run
 * when a slot holds something due, which a read of the table finds far more
 * cheaply. Under connection churn nothing usually is: connections close before
 * their opens are due. Without the iterators the loader itself writes the
 * request/response pairs held in slots (write_held_pairs), so it maps the table
 * writable to mark them written. */
static struct ns_slot *slot_tab;
/* ns_fold_l7 (bpf/ns_l7.bpf.c): 1 with the open scan, 2 when the loader writes held pairs. */
#define FOLD_SCAN 1
#define FOLD_RECORD 2
static __u32 fold_mode;
/* NS_OPENS_LOADER (bpf/netscope.h): ns_conn's ns_estab_bits, memory-mapped, and for
 * each slot the cookie whose open was last written from it. */
static __u64 *estab_bits;
static __u64 *open_written;
static __u32 opens_mode;
_Static_assert(sizeof(struct ns_slot) % 8 == 0, "array map elements are 8-byte aligned");
#define open_scan (n_scans > 0 && !scan_failed)

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

__attribute__((noreturn)) static void die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "netscope-loader: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(code);
}

static void warn(const char *fmt, ...)
{
	char buf[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ns_out_text(NS_META_WARN, buf);
	if (verbose)
		fprintf(stderr, "netscope-loader: warning: %s\n", buf);
}

/* libbpf's lines are always read (which program failed, how far the verifier got:
 * refusal.c) but shown only with --verbose, and never its memlock guess. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char small[1024];
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(small, sizeof(small), fmt, cp);
	va_end(cp);
	char *line = small;
	if (n >= (int)sizeof(small) && (line = malloc((size_t)n + 1)) != NULL)
		vsnprintf(line, (size_t)n + 1, fmt, ap);
	if (!line)
		line = small; /* truncated, still worth reading */
	int hint = level == LIBBPF_WARN ? ns_refusal_note(line) : 0;
	if (verbose && !hint)
		fputs(line, stderr);
	if (line != small)
		free(line);
	return 0;
}

static int shared_fd(const char *name)
{
	for (int i = 0; i < n_shared; i++)
		if (strcmp(shared[i].name, name) == 0)
			return shared[i].fd;
	return -1;
}

static void note_attached(const char *name)
{
	size_t l = strlen(attached);
	snprintf(attached + l, sizeof(attached) - l, "%s%s", l ? "," : "", name);
}

/* How ns_l7 sees received data: 1 from the sk_data_ready and sock_recv_length
 * tracepoints (Linux 6.4+: once per arrival, bytes from the reader's buffer), 0 from a
 * cgroup_skb ingress program run for every received packet. */
static int l7_rx_tracepoints = -1; /* -1: where the kernel has the tracepoints */
/* And sent data: 1 from tcp_sendmsg_locked and sock_send_length (bytes from the
 * sender's buffer; needs the tracepoint ingress), 0 from a cgroup_skb egress program
 * run for every sent packet. */
static int l7_tx_tracepoints = -1;

static int kernel_has(const char *const *names, size_t n)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return 0;
	int ok = 1;
	for (size_t i = 0; i < n && ok; i++)
		ok = btf__find_by_name_kind(vmlinux, names[i], BTF_KIND_TYPEDEF) > 0;
	btf__free(vmlinux);
	return ok;
}

/* The value of --l7-ingress / --l7-egress: 1 sockets (tracepoints), 0 packets. */
static int parse_way(const char *flag, const char *v)
{
	if (strcmp(v, "packets") == 0)
		return 0;
	if (strcmp(v, "sockets") == 0)
		return 1;
	die(1, "%s: \"%s\" is neither packets nor sockets", flag, v);
}

struct prog_choice {
	const char *name;
	int load;
};

/* Loads only the chosen ones of an object's programs named in the table. */
static void choose_programs(struct bpf_object *obj, const struct prog_choice *progs, size_t n)
{
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		for (size_t i = 0; i < n; i++)
			if (strcmp(bpf_program__name(prog), progs[i].name) == 0)
				bpf_program__set_autoload(prog, progs[i].load);
	}
}

/* Which of ns_l7's programs load, by the two choices above. */
static void choose_l7_programs(struct bpf_object *obj)
{
	static const char *const rx[] = { "btf_trace_sk_data_ready", "btf_trace_sock_recv_length",
					  "btf_trace_sock_send_length" };
	static const char *const tx[] = { "btf_trace_tcp_sendmsg_locked" };
	if (l7_rx_tracepoints < 0)
		l7_rx_tracepoints = kernel_has(rx, sizeof(rx) / sizeof(rx[0]));
	if (l7_tx_tracepoints < 0)
		l7_tx_tracepoints = l7_rx_tracepoints && kernel_has(tx, sizeof(tx) / sizeof(tx[0]));
	const struct prog_choice progs[] = {
		{ "ns_skb_ingress", !l7_rx_tracepoints },
		{ "ns_rx_ready", l7_rx_tracepoints },
		{ "ns_recv_l7", l7_rx_tracepoints },
		{ "ns_skb_egress", !l7_tx_tracepoints },
		{ "ns_tx_tcp", l7_tx_tracepoints },
		{ "ns_tx_udp", l7_tx_tracepoints },
	};
	choose_programs(obj, progs, sizeof(progs) / sizeof(progs[0]));
}

/* ns_proc learns sockets' processes on the sides where ns_l7 (if loaded) does not:
 * its tracepoint ingress's recv program and ns_tx_tcp learn them as they run. */
static int proc_recv = 1, proc_send = 1;

static void choose_proc_programs(struct bpf_object *obj)
{
	const struct prog_choice progs[] = {
		{ "ns_recv_len", proc_recv },
		{ "ns_send_len", proc_send },
	};
	choose_programs(obj, progs, sizeof(progs) / sizeof(progs[0]));
}

/* Programs turned off because the kernel refused them (or --refuse named them). */
#define MAX_OFF 16
static const char *off_progs[MAX_OFF];
static int n_off;
static char refuse[256]; /* --refuse: comma-separated programs to treat as refused */

static void turn_off(const char *prog)
{
	if (n_off < MAX_OFF)
		off_progs[n_off++] = prog;
}

static int is_off(const char *prog)
{
	for (int i = 0; i < n_off; i++)
		if (strcmp(off_progs[i], prog) == 0)
			return 1;
	return 0;
}

static int refused_on_request(const char *prog)
{
	size_t n = strlen(prog);
	for (const char *p = refuse; (p = strstr(p, prog)) != NULL; p += n)
		if ((p == refuse || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
			return 1;
	return 0;
}

static void no_scan(void)
{
	turn_off("ns_open_scan_slots");
	turn_off("ns_open_scan");
}
static void no_resets(void)
{
	turn_off("ns_rx_reset");
	turn_off("ns_tx_reset");
}
static void l7_rx_packets(void)
{
	l7_rx_tracepoints = 0;
	l7_tx_tracepoints = 0; /* the send tracepoints rely on the receive ones */
}
static void l7_tx_packets(void)
{
	l7_tx_tracepoints = 0;
}
static void proc_no_recv(void)
{
	proc_recv = 0;
	turn_off("ns_recv_len");
}
static void proc_no_send(void)
{
	proc_send = 0;
	turn_off("ns_send_len");
}

/* What a refused program costs and what replaces it. The programs of one entry are
 * one feature and go together. A program listed nowhere is essential: refusing it
 * loses its object's whole feature (load_object's `lost`). */
struct optional_prog {
	const char *obj;
	const char *progs[2];
	const char *lost;
	const char *instead;
	void (*degrade)(void);
};
static const struct optional_prog optional[] = {
	{ "ns_conn", { "ns_open_scan_slots", "ns_open_scan" }, "the open-connection scan is off",
	  "opens are written at establishment instead", no_scan },
	{ "ns_conn", { "ns_rx_reset", "ns_tx_reset" }, "resets are not told apart from other closes",
	  "connections are still reported", no_resets },
	{ "ns_l7", { "ns_rx_ready", "ns_recv_l7" }, "HTTP and DNS are not read at the socket",
	  "they are read from every packet instead (more CPU per packet)", l7_rx_packets },
	{ "ns_l7", { "ns_tx_tcp", "ns_tx_udp" }, "sent HTTP and DNS are not read at send",
	  "they are read from every sent packet instead (more CPU per packet)", l7_tx_packets },
	{ "ns_proc", { "ns_recv_len", NULL }, "the process of an accepted connection is not learnt when it receives",
	  "it is learnt when it sends", proc_no_recv },
	{ "ns_proc", { "ns_send_len", NULL }, "the process of an accepted connection is not learnt when it sends",
	  "it is learnt when it receives", proc_no_send },
};

static const struct optional_prog *optional_for(const char *obj, const char *prog)
{
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
		const struct optional_prog *o = &optional[i];
		if (strcmp(o->obj, obj) != 0)
			continue;
		for (size_t j = 0; j < 2 && o->progs[j]; j++)
			if (strcmp(o->progs[j], prog) == 0)
				return is_off(prog) ? NULL : o;
	}
	return NULL;
}

/* Opens an object and loads the programs chosen for this kernel into it; NULL when
 * the kernel refused one (ns_refusal_last() says which and why). */
static struct bpf_object *open_and_load(const char *path, const char *name)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	ns_refusal_reset();
	if (!obj) {
		warn("%s: cannot open %s: %s", name, path, strerror(errno));
		return NULL;
	}
	struct bpf_map *map;
	bpf_object__for_each_map(map, obj) {
		int fd = shared_fd(bpf_map__name(map));
		if (fd < 0 && strcmp(bpf_map__name(map), "ns_slots") == 0)
			bpf_map__set_max_entries(map, slots);
		if (fd < 0 && strcmp(bpf_map__name(map), "ns_estab_bits") == 0)
			bpf_map__set_max_entries(map, slots < 64 ? 1 : slots / 64);
		if (fd >= 0 && bpf_map__reuse_fd(map, fd)) {
			warn("%s: cannot share map %s", name, bpf_map__name(map));
			bpf_object__close(obj);
			return NULL;
		}
	}
	if (strcmp(name, "ns_l7") == 0)
		choose_l7_programs(obj);
	if (strcmp(name, "ns_proc") == 0)
		choose_proc_programs(obj);
	struct bpf_program *prog;
	const char *simulated = NULL;
	bpf_object__for_each_program(prog, obj) {
		if (is_off(bpf_program__name(prog)))
			bpf_program__set_autoload(prog, false);
		if (bpf_program__autoload(prog) && !simulated && refused_on_request(bpf_program__name(prog)))
			simulated = bpf_program__name(prog);
	}
	if (simulated) {
		ns_refusal_simulate(simulated);
		bpf_object__close(obj);
		return NULL;
	}
	int err = bpf_object__load(obj);
	if (err) {
		ns_refusal_failed(-err);
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

/* Loads and attaches one object; shared maps reuse the first object's fds. A refused
 * optional program is turned off with one line saying what that costs, and the
 * object is loaded again without it; a refused essential one loses `lost`.
 * Returns the programs attached, or -1 when the object did not load. */
static int load_object(const char *dir, const char *name, int cg_fd, const char *lost)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s.bpf.o", dir, name);
	if (access(path, R_OK) != 0) {
		warn("%s: %s not readable: %s: %s", name, path, strerror(errno), lost);
		return -1;
	}
	struct bpf_object *obj;
	while ((obj = open_and_load(path, name)) == NULL) {
		const struct ns_refusal *r = ns_refusal_last();
		if (!r->err) /* not a refusal: open_and_load said why */
			return -1;
		char why[420];
		ns_refusal_explain(r, why, sizeof(why));
		const struct optional_prog *o = r->prog[0] ? optional_for(name, r->prog) : NULL;
		if (!o) {
			warn("%s: %s refused (%s): %s", name, r->prog[0] ? r->prog : "a program", why, lost);
			return -1;
		}
		warn("%s: %s refused (%s): %s; %s", name, r->prog, why, o->lost, o->instead);
		o->degrade();
	}
	struct bpf_map *map;
	bpf_object__for_each_map(map, obj) {
		const char *mn = bpf_map__name(map);
		if (shared_fd(mn) < 0 && n_shared < MAX_SHARED && mn[0] != '.') {
			snprintf(shared[n_shared].name, sizeof(shared[n_shared].name), "%s", mn);
			shared[n_shared].fd = bpf_map__fd(map);
			n_shared++;
			if (strcmp(mn, "ns_slots") == 0) {
				size_t len = (size_t)slots * sizeof(struct ns_slot);
				void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(map), 0);
				slot_tab = p == MAP_FAILED ? NULL : p; /* without it: scan every time, fold nothing without the scan */
			}
			if (strcmp(mn, "ns_estab_bits") == 0) {
				size_t len = (slots < 64 ? 1 : slots / 64) * sizeof(__u64);
				void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(map), 0);
				estab_bits = p == MAP_FAILED ? NULL : p;
			}
			if (strcmp(mn, "ns_slot_mask") == 0) {
				/* before any program is attached: slot lookups use the whole table */
				__u32 zero = 0, mask = slots - 1;
				if (bpf_map_update_elem(bpf_map__fd(map), &zero, &mask, BPF_ANY))
					warn("cannot size the socket table: %s (connections still tracked, at a higher cost)", strerror(errno));
			}
		}
	}
	objs[n_objs++] = obj;
	int ok = 0;
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *link;
		enum bpf_prog_type pt = bpf_program__type(prog);
		if (!bpf_program__autoload(prog))
			continue;
		if (pt == BPF_PROG_TYPE_CGROUP_SKB) {
			if (cg_fd < 0)
				continue;
			link = bpf_program__attach_cgroup(prog, cg_fd);
		} else if (bpf_program__expected_attach_type(prog) == BPF_TRACE_ITER) {
			/* iter/bpf_map_elem walks the slots, iter/bpf_sk_storage_map the storage */
			int elems = strcmp(bpf_program__section_name(prog), "iter/bpf_map_elem") == 0;
			struct bpf_map *m = bpf_object__find_map_by_name(obj, elems ? "ns_slots" : "ns_socks");
			union bpf_iter_link_info li;
			memset(&li, 0, sizeof(li));
			li.map.map_fd = m ? bpf_map__fd(m) : -1;
			LIBBPF_OPTS(bpf_iter_attach_opts, io, .link_info = &li, .link_info_len = sizeof(li));
			link = m ? bpf_program__attach_iter(prog, &io) : NULL;
			if (link && n_scans < MAX_SCANS && n_links < MAX_LINKS) {
				scan_is_slots[n_scans] = elems;
				scans[n_scans++] = link;
			} else
				scan_failed = 1;
		} else {
			link = bpf_program__attach(prog);
		}
		if (!link || n_links >= MAX_LINKS) {
			warn("%s: cannot attach %s: %s", name, bpf_program__name(prog), strerror(errno));
			for (int i = 0; i < n_scans; i++)
				if (scans[i] == link) { /* scan_opens must not use a destroyed link */
					n_scans--;
					scans[i] = scans[n_scans];
					scan_is_slots[i] = scan_is_slots[n_scans];
				}
			if (link)
				bpf_link__destroy(link);
			continue;
		}
		links[n_links++] = link;
		note_attached(bpf_program__name(prog));
		ok++;
	}
	return ok;
}

/* Sets an object's one configuration variable, the only one in its .bss (updated
 * as a whole): ns_all_opens in ns_conn (write opens at ESTABLISHED), ns_fold_l7 in
 * ns_l7 (hold a connection's first non-HTTP request/response for its close). */
static void set_flag(struct bpf_object *obj, __u32 on, const char *what)
{
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj) {
		size_t sz = 0;
		if (!strstr(bpf_map__name(m), ".bss"))
			continue;
		const void *init = bpf_map__initial_value(m, &sz);
		if (!init || sz < sizeof(__u32) || sz > 64)
			continue;
		unsigned char v[64];
		memcpy(v, init, sz);
		__u32 flag = on;
		memcpy(v, &flag, sizeof(flag));
		__u32 zero = 0;
		if (bpf_map_update_elem(bpf_map__fd(m), &zero, v, 0))
			warn("cannot configure %s: %s", what, strerror(errno));
	}
}

#define SCAN_MS 200 /* how often opens of connections older than 50 ms are written */

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* Whether a slot holds an open or a request/response pair that the scan would write
 * now (ns_scan_due, as the scan itself decides; fields may change meanwhile: a hint
 * only, the scan tests again). */
static int slots_due(void)
{
	if (!slot_tab)
		return 1;
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	__u64 now = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
	for (__u32 i = 0; i < slots; i++) {
		/* the kernel writes the table meanwhile: read each slot afresh */
		const struct ns_slot *s = &slot_tab[i];
		if (*(const volatile __u64 *)&s->cookie && ns_scan_due(&s->st, now))
			return 1;
	}
	return 0;
}

/* Without the open scan: writes the request/response pairs held in slots (for the
 * close summary of a short connection, bpf/ns_l7.bpf.c NS_FOLD_RECORD) once they are
 * NS_HOLD_NS old (all of them when the loader stops), as ns_emit_held_l7 would,
 * and marks them written. The kernel
 * updates slots meanwhile (no lock is shared with it): a connection closing in the
 * very instant its held pair is written here may report it twice, or not at all
 * when the slot is freed between the two reads of its cookie; the open scan's
 * iterator has the same window. */
static void write_held_pairs(int all)
{
	if (!slot_tab || fold_mode != FOLD_RECORD)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	__u64 now = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
	for (__u32 i = 0; i < slots; i++) {
		volatile struct ns_slot *s = &slot_tab[i];
		__u64 cookie = s->cookie;
		if (!cookie || s->st.fold != NS_FOLD_HELD || !s->st.fold_own)
			continue;
		__u64 resp = s->st.fold_resp_ns, req = s->st.fold_req_ns;
		if (!all && (__s64)(now - resp) < (__s64)NS_HOLD_NS)
			continue;
		struct ns_l7 r;
		memset(&r, 0, sizeof(r));
		r.hdr.type = NS_REC_L7;
		r.hdr.size = sizeof(r);
		r.hdr.ts_ns = resp;
		memcpy(&r.t, (const void *)&s->st.t, sizeof(r.t));
		r.cookie = cookie;
		r.req_ns = req;
		r.latency_ns = resp - req;
		r.req_egress = s->st.fold_req_egress;
		r.pid = s->st.pid;
		memcpy(r.comm, (const void *)s->st.comm, NS_COMM_LEN);
		s->st.fold = NS_FOLD_DONE;
		__sync_synchronize();
		/* Freed (or taken by another socket) meanwhile: its close summary had it. */
		if (s->cookie != cookie)
			continue;
		ns_out_write(&r, sizeof(r));
	}
}

/* NS_OPENS_LOADER: writes the open record of the connection in slot i, as the
 * kernel would have at ESTABLISHED (stamped then, with the RTT it had then), unless
 * written already or the slot no longer holds an established connection. */
static void write_open(__u32 i, __u64 cookie)
{
	volatile struct ns_slot *s = &slot_tab[i];
	if (open_written[i] == cookie || !(s->st.flags & NS_F_ESTAB) || !(s->st.flags & (NS_F_ACTIVE | NS_F_PASSIVE)))
		return;
	struct ns_conn r;
	memset(&r, 0, sizeof(r));
	r.hdr.type = NS_REC_CONN_OPEN;
	r.hdr.size = sizeof(r);
	r.hdr.ts_ns = s->st.estab_ns;
	memcpy(&r.t, (const void *)&s->st.t, sizeof(r.t));
	r.cookie = cookie;
	r.start_ns = s->st.start_ns;
	r.estab_ns = s->st.estab_ns;
	r.srtt_us = s->st.open_srtt_us;
	r.pid = s->st.pid;
	r.flags = s->st.flags & ~NS_F_OPEN_SENT;
	memcpy(r.comm, (const void *)s->st.comm, NS_COMM_LEN);
	__sync_synchronize();
	if (s->cookie != cookie) /* freed or taken meanwhile: closed, its summary stands for it */
		return;
	open_written[i] = cookie;
	ns_out_write(&r, sizeof(r));
}

/* At the end of each read batch: the opens of connections established since the
 * last one (their bits) and still open. One whose close came in the batch has left
 * its slot: it is reported by its close summary alone, as before. */
static void write_opens(void)
{
	if (opens_mode != NS_OPENS_LOADER)
		return;
	__u32 words = slots < 64 ? 1 : slots / 64;
	for (__u32 w = 0; w < words; w++) {
		if (!*(volatile __u64 *)&estab_bits[w])
			continue;
		__u64 bits = __atomic_exchange_n(&estab_bits[w], 0, __ATOMIC_SEQ_CST);
		while (bits) {
			__u32 i = w * 64 + (__u32)__builtin_ctzll(bits);
			bits &= bits - 1;
			__u64 cookie = *(volatile __u64 *)&slot_tab[i].cookie;
			if (cookie)
				write_open(i, cookie);
		}
	}
}

/* Runs the open scan once: reading an iterator's fd to the end runs its program
 * over every socket state; the records go to the ring buffer. */
static void scan_opens(void)
{
	if (!open_scan)
		return;
	for (int i = 0; i < n_scans; i++) {
		if (scan_is_slots[i] && !slots_due())
			continue;
		int fd = bpf_iter_create(bpf_link__fd(scans[i]));
		if (fd < 0)
			continue;
		char b[64];
		while (read(fd, b, sizeof(b)) > 0)
			;
		close(fd);
	}
}

static int on_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	/* An open the loader writes comes before its connection's request records. */
	if (opens_mode == NS_OPENS_LOADER && size >= sizeof(struct ns_l7) && ((const struct ns_hdr *)data)->type == NS_REC_L7) {
		__u64 cookie = ((const struct ns_l7 *)data)->cookie;
		__u32 i = (__u32)cookie & (slots - 1);
		if ((estab_bits[i >> 6] >> (i & 63)) & 1 && *(volatile __u64 *)&slot_tab[i].cookie == cookie)
			write_open(i, cookie);
	}
	return ns_out_write(data, size) ? -1 : 0;
}

static void emit_stats(int stats_fd)
{
	struct {
		struct ns_hdr hdr;
		__u64 lost;
		__u64 events;
	} r;
	int ncpu = libbpf_num_possible_cpus();
	if (stats_fd < 0 || ncpu <= 0 || ncpu > 4096)
		return;
	__u64 vals[ncpu];
	__u64 tot[NS_STAT_MAX] = { 0 };
	for (__u32 k = 0; k < NS_STAT_MAX; k++) {
		if (bpf_map_lookup_elem(stats_fd, &k, vals))
			continue;
		for (int c = 0; c < ncpu; c++)
			tot[k] += vals[c];
	}
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	memset(&r, 0, sizeof(r));
	r.hdr.type = NS_META_STATS;
	r.hdr.size = sizeof(r);
	r.hdr.ts_ns = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
	r.lost = tot[NS_STAT_LOST];
	r.events = tot[NS_STAT_EVENTS];
	ns_out_write(&r, sizeof(r));
}

static void emit_clock(void)
{
	struct timespec rt, bt;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	struct {
		struct ns_hdr hdr;
		__s64 offset;
	} r;
	memset(&r, 0, sizeof(r));
	r.hdr.type = NS_META_CLOCK;
	r.hdr.size = sizeof(r);
	r.hdr.ts_ns = (__u64)bt.tv_sec * 1000000000ull + (__u64)bt.tv_nsec;
	r.offset = ((__s64)rt.tv_sec - (__s64)bt.tv_sec) * 1000000000ll + ((__s64)rt.tv_nsec - (__s64)bt.tv_nsec);
	ns_out_write(&r, sizeof(r));
}

static void cleanup(void)
{
	for (int i = n_links - 1; i >= 0; i--)
		bpf_link__destroy(links[i]);
	n_links = 0;
	for (int i = n_objs - 1; i >= 0; i--)
		bpf_object__close(objs[i]);
	n_objs = 0;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	char cgroup[256] = "";
	int no_l7 = 0, no_drops = 0, all_opens = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--cgroup") == 0 && i + 1 < argc)
			snprintf(cgroup, sizeof(cgroup), "%s", argv[++i]);
		else if (strcmp(argv[i], "--no-l7") == 0)
			no_l7 = 1;
		else if (strcmp(argv[i], "--l7-ingress") == 0 && i + 1 < argc) {
			l7_rx_tracepoints = parse_way(argv[i], argv[i + 1]);
			i++;
		} else if (strcmp(argv[i], "--l7-egress") == 0 && i + 1 < argc) {
			l7_tx_tracepoints = parse_way(argv[i], argv[i + 1]);
			i++;
		} else if (strcmp(argv[i], "--no-drops") == 0)
			no_drops = 1;
		else if (strcmp(argv[i], "--verbose") == 0)
			verbose = 1;
		else if (strcmp(argv[i], "--kernel-state") == 0) {
			ns_print_kernel_state(stdout);
			return 0;
		} else if (strcmp(argv[i], "--refuse") == 0 && i + 1 < argc) {
			size_t l = strlen(refuse);
			if (l + strlen(argv[i + 1]) + 2 > sizeof(refuse))
				die(1, "--refuse: too many programs");
			snprintf(refuse + l, sizeof(refuse) - l, "%s%s", l ? "," : "", argv[++i]);
		}
		else if (strcmp(argv[i], "--slots") == 0 && i + 1 < argc) {
			char *end;
			unsigned long n = strtoul(argv[++i], &end, 10);
			if (*end || n == 0 || n > (1UL << 20) || (n & (n - 1)))
				die(1, "--slots: \"%s\" is not a power of two from 1 to 1048576", argv[i]);
			slots = n;
		} else if (strcmp(argv[i], "--all-opens") == 0) {
			ns_out_merge_short(0);
			all_opens = 1;
		}
		else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else
			die(1, "unknown argument \"%s\" (usage: " USAGE ")", argv[i]);
	}
	if (!dir)
		die(1, "usage: " USAGE);

	if (access(dir, R_OK | X_OK) != 0)
		die(1, "cannot read eBPF objects in %s: %s", dir, strerror(errno));
	char missing[128];
	if (ns_missing_caps(missing, sizeof(missing)))
		die(3, "missing capabilities: %s (run as root or grant CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)", missing);
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		die(4, "kernel BTF not available (/sys/kernel/btf/vmlinux): a kernel built with CONFIG_DEBUG_INFO_BTF=y is required");
	libbpf_set_print(libbpf_log);
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) != 1)
		die(4, "BPF ring buffer not supported by this kernel (needs Linux 5.8 or later)");

	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	ns_out_init();
	emit_clock();

	int cg_fd = -1;
	if (!no_l7) {
		if (!cgroup[0] && ns_cgroup2(cgroup, sizeof(cgroup)))
			warn("no cgroup v2 hierarchy found: HTTP, DNS and request latency not observed");
		else if ((cg_fd = open(cgroup, O_RDONLY | O_DIRECTORY)) < 0)
			warn("cannot open cgroup %s: %s: HTTP, DNS and request latency not observed", cgroup, strerror(errno));
	}

	/* Each object's feature, lost if an essential program of it is refused (or
	 * attaches nowhere); load_object says so itself for refusals. */
	static const char lost_conn[] = "TCP connection events not observed";
	static const char lost_l7[] = "HTTP, DNS and request latency not observed";
	static const char lost_proc[] = "process of accepted connections not known";
	static const char lost_drop[] = "packet drops not observed";
	int total = 0, n;
	if ((n = load_object(dir, "ns_conn", -1, lost_conn)) > 0) {
		total += n;
		/* Without the iterator, opens are written at ESTABLISHED (and short ones
		 * still merged here). */
		if (!all_opens && !open_scan && slot_tab && estab_bits && (open_written = calloc(slots, sizeof(__u64))) != NULL)
			opens_mode = NS_OPENS_LOADER;
		else
			opens_mode = all_opens || !open_scan ? NS_OPENS_ALL : NS_OPENS_SCAN;
		set_flag(objs[n_objs - 1], opens_mode, "open records");
	} else if (n == 0) {
		warn("%s", lost_conn);
	}
	if (cg_fd >= 0) {
		n = load_object(dir, "ns_l7", cg_fd, lost_l7);
		/* Loaded but not attached: the tracepoints may exist and still not attach. */
		if (n == 0 && l7_tx_tracepoints == 1) {
			warn("HTTP and DNS from send tracepoints did not attach: falling back to a program per sent packet");
			l7_tx_tracepoints = 0;
			n = load_object(dir, "ns_l7", cg_fd, lost_l7);
		}
		if (n == 0 && l7_rx_tracepoints == 1) {
			warn("HTTP and DNS from socket tracepoints did not attach: falling back to a program per received packet");
			l7_rx_tracepoints = 0;
			n = load_object(dir, "ns_l7", cg_fd, lost_l7);
		}
		if (n > 0) {
			total += n;
			proc_recv = proc_recv && l7_rx_tracepoints != 1;
			proc_send = proc_send && l7_tx_tracepoints != 1;
			/* Held pairs of long connections are written by the open scan, or
			 * without it by the loader from the memory-mapped slots. */
			fold_mode = all_opens ? 0 : open_scan ? FOLD_SCAN : slot_tab ? FOLD_RECORD : 0;
			set_flag(objs[n_objs - 1], fold_mode, "request records");
		} else if (n == 0)
			warn("%s", lost_l7);
	}
	if (proc_recv || proc_send) {
		if ((n = load_object(dir, "ns_proc", -1, lost_proc)) > 0)
			total += n;
		else if (n == 0)
			warn("%s (needs sock_send_length/sock_recv_length tracepoints, Linux 6.3+)", lost_proc);
	}
	if (!no_drops) {
		if (ns_emit_drop_reasons() < 0)
			warn("kernel BTF has no enum skb_drop_reason (Linux 5.17+ needed): drops not observed; connections, HTTP and DNS still work");
		else if ((n = load_object(dir, "ns_drop", -1, lost_drop)) > 0)
			total += n;
		else if (n == 0)
			warn("%s", lost_drop);
	}
	if (total == 0) {
		ns_out_flush();
		cleanup();
		die(1, "no eBPF program could be attached (rerun with --verbose for the kernel's reasons)");
	}

	int rb_fd = shared_fd("ns_events");
	int stats_fd = shared_fd("ns_stats");
	struct ring_buffer *rb = ring_buffer__new(rb_fd, on_record, NULL, NULL);
	if (!rb) {
		cleanup();
		die(1, "cannot open the ring buffer: %s", strerror(errno));
	}
	ns_out_text(NS_META_READY, attached);
	emit_stats(stats_fd);
	ns_out_flush();

	struct stat st;
	int watch_stdin = fstat(STDIN_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
	struct timespec last, now, last_scan;
	clock_gettime(CLOCK_MONOTONIC, &last);
	last_scan = last;
	while (!stop && !ns_out_failed()) {
		/* Programs skip the wake-up for small batches (ns_submit), so after the
		 * timed wait consume whatever is queued, signalled or not. */
		int err = ring_buffer__poll(rb, 50);
		clock_gettime(CLOCK_MONOTONIC, &now);
		/* The scan visits every socket with state: every SCAN_MS is enough. */
		if (ms_between(&last_scan, &now) >= SCAN_MS) {
			scan_opens();
			write_held_pairs(0);
			last_scan = now;
		}
		if (err >= 0 || err == -EINTR)
			err = ring_buffer__consume(rb);
		write_opens();
		if (err < 0 && err != -EINTR) {
			warn("ring buffer read failed: %s", strerror(-err));
			break;
		}
		if (ms_between(&last, &now) >= 1000) {
			emit_stats(stats_fd);
			last = now;
		}
		ns_out_flush();
		if (watch_stdin) {
			struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
			if (poll(&p, 1, 0) > 0) {
				char b[256];
				if (read(STDIN_FILENO, b, sizeof(b)) <= 0)
					stop = 1;
			}
		}
	}
	ring_buffer__consume(rb);
	write_held_pairs(1);
	emit_stats(stats_fd);
	ns_out_flush();
	ring_buffer__free(rb);
	cleanup();
	if (cg_fd >= 0)
		close(cg_fd);
	return 0;
}
