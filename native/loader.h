#ifndef NS_LOADER_H
#define NS_LOADER_H
#include <stddef.h>
#include <stdint.h>

/* caps.c: writes the missing capability names into buf; returns nonzero if any. */
int ns_missing_caps(char *buf, size_t len);

/* out.c: buffered record output on stdout. */
void ns_out_init(void);
int ns_out_write(const void *rec, size_t size);
int ns_out_flush(void);
void ns_out_text(uint32_t type, const char *text);
int ns_out_failed(void);
void ns_out_merge_short(int on);
unsigned long long ns_out_merged(void);

/* reasons.c: one NS_META_REASON record per enum skb_drop_reason value in the
 * running kernel's BTF; returns the count, or -1 if the enum is missing. */
int ns_emit_drop_reasons(void);

/* kernel_state.c: what the kernel allows, read without changing anything. Each
 * returns 0 and sets *from to where the value was read, or -1 if unknown. */
int ns_lockdown(char *out, size_t len, const char **from);
int ns_lsms(char *out, size_t len, const char **from);
int ns_cgroup2(char *out, size_t len);
int ns_kernel_at_least(int major, int minor);
void ns_memlock(char *out, size_t len);
#include <stdio.h>
void ns_print_kernel_state(FILE *f);

/* refusal.c: the last program libbpf failed to load, and why in a user's words. */
struct ns_refusal {
	char prog[64]; /* empty: libbpf did not say which */
	int err;       /* positive errno */
	int insns;     /* instructions the verifier processed; 0: refused before it ran; -1: unknown */
	int simulated; /* --refuse */
};
void ns_refusal_reset(void);
void ns_refusal_simulate(const char *prog);
/* The load failed with this errno (positive). */
void ns_refusal_failed(int err);
/* Reads one libbpf log line; returns 1 if the line is libbpf's misleading memlock hint. */
int ns_refusal_note(const char *line);
const struct ns_refusal *ns_refusal_last(void);
void ns_refusal_explain(const struct ns_refusal *r, char *out, size_t len);
#endif
