/* What the running kernel allows BPF to do, read from where it can be read without
 * changing anything: securityfs (if mounted), the kernel command line, the kernel's
 * own config (/proc/config.gz or /boot/config-RELEASE), /sys, rlimits and our
 * capabilities. Used to explain a refused program and by --kernel-state. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <zlib.h>
#include "loader.h"

static int read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

/* The value of `key=` on the kernel command line, if given. */
static int cmdline_value(const char *key, char *out, size_t len)
{
	char line[4096];
	if (read_small("/proc/cmdline", line, sizeof(line)))
		return -1;
	size_t kl = strlen(key);
	for (char *p = strtok(line, " "); p; p = strtok(NULL, " ")) {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			snprintf(out, len, "%s", p + kl + 1);
			return 0;
		}
	}
	return -1;
}

/* A line of the kernel's build config starting with `prefix`, without it. */
static int config_line(const char *prefix, char *out, size_t len)
{
	struct utsname u;
	char path[300];
	gzFile f = gzopen("/proc/config.gz", "rb");
	if (!f && uname(&u) == 0) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		f = gzopen(path, "rb"); /* gzread reads plain files as they are */
	}
	if (!f)
		return -1;
	char line[1024];
	size_t pl = strlen(prefix);
	int found = -1;
	while (gzgets(f, line, sizeof(line))) {
		if (strncmp(line, prefix, pl) == 0) {
			line[strcspn(line, "\n")] = 0;
			snprintf(out, len, "%s", line + pl);
			found = 0;
			break;
		}
	}
	gzclose(f);
	return found;
}

int ns_lockdown(char *out, size_t len, const char **from)
{
	char buf[128];
	if (read_small("/sys/kernel/security/lockdown", buf, sizeof(buf)) == 0) {
		char *a = strchr(buf, '['), *b = a ? strchr(a, ']') : NULL;
		if (a && b) {
			*b = 0;
			snprintf(out, len, "%s", a + 1);
			*from = "securityfs";
			return 0;
		}
	}
	if (cmdline_value("lockdown", out, len) == 0) {
		*from = "kernel command line";
		return 0;
	}
	/* The build can force a level at boot; it may have been raised since. */
	/* One pass over the config: the set choice reads CONFIG_..._FORCE_LEVEL=y (the
	 * others "# ... is not set"). */
	char v[32];
	if (config_line("CONFIG_LOCK_DOWN_KERNEL_FORCE_", v, sizeof(v)) == 0 && strcmp(v + strcspn(v, "="), "=y") == 0) {
		v[strcspn(v, "=")] = 0;
		for (char *c = v; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		snprintf(out, len, "%s", v);
		*from = "kernel config, securityfs not mounted";
		return 0;
	}
	return -1;
}

int ns_lsms(char *out, size_t len, const char **from)
{
	if (read_small("/sys/kernel/security/lsm", out, len) == 0) {
		*from = "securityfs";
		return 0;
	}
	if (cmdline_value("lsm", out, len) == 0) {
		*from = "kernel command line";
		return 0;
	}
	char v[512];
	if (config_line("CONFIG_LSM=", v, sizeof(v)) == 0) {
		size_t n = strlen(v);
		if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
			v[n - 1] = 0;
			memmove(v, v + 1, n - 1);
		}
		snprintf(out, len, "%s", v);
		*from = "kernel config: the order it was built with, not necessarily what is active";
		return 0;
	}
	return -1;
}

int ns_cgroup2(char *out, size_t len)
{
	const char *cands[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		struct statfs s;
		if (statfs(cands[i], &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC) {
			snprintf(out, len, "%s", cands[i]);
			return 0;
		}
	}
	return -1;
}

int ns_kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;
	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 1; /* unknown: assume a current kernel */
	return ma > major || (ma == major && mi >= minor);
}

static void fmt_limit(rlim_t v, char *out, size_t len)
{
	if (v == RLIM_INFINITY)
		snprintf(out, len, "unlimited");
	else if (v >= 1024 * 1024)
		snprintf(out, len, "%llu MiB", (unsigned long long)(v / (1024 * 1024)));
	else
		snprintf(out, len, "%llu KiB", (unsigned long long)(v / 1024));
}

void ns_memlock(char *out, size_t len)
{
	struct rlimit r;
	if (getrlimit(RLIMIT_MEMLOCK, &r) != 0)
		snprintf(out, len, "unknown");
	else
		fmt_limit(r.rlim_cur, out, len);
}

/* --kernel-state: one `name: value` line per fact, for CI logs and bug reports. */
void ns_print_kernel_state(FILE *f)
{
	struct utsname u;
	char v[512];
	const char *from = "";
	fprintf(f, "kernel: %s\n", uname(&u) == 0 ? u.release : "unknown");
	if (ns_lockdown(v, sizeof(v), &from) == 0)
		fprintf(f, "lockdown: %s (%s)\n", v, from);
	else
		fprintf(f, "lockdown: unknown (no securityfs, no lockdown= or kernel config)\n");
	if (ns_lsms(v, sizeof(v), &from) == 0)
		fprintf(f, "lsm: %s (%s)\n", v, from);
	else
		fprintf(f, "lsm: unknown\n");
	char missing[128];
	if (ns_missing_caps(missing, sizeof(missing)))
		fprintf(f, "capabilities: missing %s\n", missing);
	else
		fprintf(f, "capabilities: CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN present\n");
	fprintf(f, "btf: %s\n", access("/sys/kernel/btf/vmlinux", R_OK) == 0 ? "/sys/kernel/btf/vmlinux" : "missing");
	fprintf(f, "cgroup2: %s\n", ns_cgroup2(v, sizeof(v)) == 0 ? v : "not mounted");
	ns_memlock(v, sizeof(v));
	fprintf(f, "memlock: %s%s\n", v, ns_kernel_at_least(5, 11) ? " (not used for BPF since Linux 5.11: memory is charged to the cgroup)" : "");
	if (read_small("/proc/sys/kernel/unprivileged_bpf_disabled", v, sizeof(v)) == 0)
		fprintf(f, "unprivileged_bpf_disabled: %s\n", v);
	if (read_small("/proc/sys/net/core/bpf_jit_enable", v, sizeof(v)) == 0)
		fprintf(f, "bpf_jit_enable: %s\n", v);
}
