/* Why the kernel refused a program, in words a user can act on. libbpf reports a
 * failed load as log lines (which program, the verifier's log) and adds a guess of
 * its own for EPERM ("try raising 'ulimit -l'") that is wrong on every kernel since
 * 5.11; the lines are read here for the program's name and how far the verifier
 * got, and the guess is replaced by one made from the kernel's actual state. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "loader.h"

static struct ns_refusal last;

void ns_refusal_reset(void)
{
	memset(&last, 0, sizeof(last));
	last.insns = -1;
}

const struct ns_refusal *ns_refusal_last(void)
{
	return &last;
}

void ns_refusal_failed(int err)
{
	last.err = err;
}

void ns_refusal_simulate(const char *prog)
{
	ns_refusal_reset();
	snprintf(last.prog, sizeof(last.prog), "%s", prog);
	last.err = EPERM;
	last.insns = 0;
	last.simulated = 1;
}

int ns_refusal_note(const char *line)
{
	const char *p = strstr(line, "prog '");
	if (p && !last.prog[0]) {
		p += 6;
		const char *q = strchr(p, '\'');
		if (q && (strncmp(q, "': BPF program load failed", 26) == 0 || strncmp(q, "': failed to load", 17) == 0 ||
			  strncmp(q, "': -- BEGIN PROG LOAD LOG --", 28) == 0)) {
			size_t n = (size_t)(q - p) < sizeof(last.prog) - 1 ? (size_t)(q - p) : sizeof(last.prog) - 1;
			memcpy(last.prog, p, n);
			last.prog[n] = 0;
		}
	}
	/* The verifier's summary: 0 means the program was refused before verification. */
	const char *s = strstr(line, "processed ");
	unsigned n;
	if (s && sscanf(s, "processed %u insns", &n) == 1)
		last.insns = (int)n;
	return strstr(line, "try raising 'ulimit -l'") != NULL; /* 1: do not pass on */
}

/* EPERM/EACCES before the verifier ran, with every capability: a security policy. */
static void policy_cause(char *out, size_t len)
{
	char lock[64], lsm[256];
	const char *from = "";
	int has_lock = ns_lockdown(lock, sizeof(lock), &from) == 0 && strcmp(lock, "none") != 0;
	const char *lock_from = from;
	/* The build's LSM order says little about what is active: only a read list counts. */
	int has_lsm = ns_lsms(lsm, sizeof(lsm), &from) == 0 && strncmp(from, "kernel config", 13) != 0;
	if (has_lock)
		snprintf(out, len, "likely kernel lockdown \"%s\" (%s)%s%s", lock, lock_from, has_lsm ? "; LSMs: " : "",
			 has_lsm ? lsm : "");
	else if (has_lsm && strstr(lsm, "bpf"))
		snprintf(out, len, "likely a BPF LSM policy (LSMs: %s)", lsm);
	else if (has_lsm)
		snprintf(out, len, "likely a kernel security policy (LSMs: %s)", lsm);
	else
		snprintf(out, len, "likely a kernel security policy");
}

void ns_refusal_explain(const struct ns_refusal *r, char *out, size_t len)
{
	/* Missing capabilities end the loader before anything loads (exit 3). */
	char cause[400];
	int err = r->err < 0 ? -r->err : r->err;
	const char *what = strerror(err);
	if (err == EPERM || err == EACCES) {
		if (r->insns > 0)
			snprintf(cause, sizeof(cause), "the verifier rejected it after %d instructions; --verbose shows its log", r->insns);
		else
			policy_cause(cause, sizeof(cause));
	} else if (err == EINVAL || err == E2BIG || err == EFAULT) {
		if (r->insns > 0)
			snprintf(cause, sizeof(cause), "the verifier rejected it after %d instructions; --verbose shows its log", r->insns);
		else
			snprintf(cause, sizeof(cause), "this kernel does not support it (program type, hook or helper)");
	} else if (err == ENOENT || err == ESRCH || err == EOPNOTSUPP || err == 524 /* ENOTSUPP */) {
		snprintf(cause, sizeof(cause), "this kernel lacks its hook");
	} else if (err == ENOMEM) {
		char ml[64];
		ns_memlock(ml, sizeof(ml));
		if (ns_kernel_at_least(5, 11))
			snprintf(cause, sizeof(cause), "the kernel is out of memory for BPF (the cgroup's memory limit)");
		else
			snprintf(cause, sizeof(cause), "locked-memory limit too low (ulimit -l: %s)", ml);
	} else {
		snprintf(cause, sizeof(cause), "%s", what);
		what = "";
	}
	if (r->simulated)
		snprintf(out, len, "simulated by --refuse: %s before verification; %s", strerror(err), cause);
	else if (!what[0])
		snprintf(out, len, "%s", cause);
	else if (r->insns == 0)
		snprintf(out, len, "%s before verification; %s", what, cause);
	else
		snprintf(out, len, "%s; %s", what, cause);
}
