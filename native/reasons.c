/* Drop reason names come from the running kernel's BTF (enum skb_drop_reason),
 * not from a table compiled in here: the numbering changes between kernels. */
#include <string.h>
#include <time.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "../bpf/netscope.h"
#include "loader_proto.h"
#include "loader.h"

struct ns_reason_rec {
	struct ns_hdr hdr;
	__u32 code;
	__u32 pad;
	char name[NS_REASON_NAME_LEN];
};

int ns_emit_drop_reasons(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	if (!btf)
		return -1;
	int id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	if (id < 0) {
		btf__free(btf);
		return -1;
	}
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_enum *e = btf_enum(t);
	int n = btf_vlen(t);
	for (int i = 0; i < n; i++) {
		const char *name = btf__name_by_offset(btf, e[i].name_off);
		struct ns_reason_rec r;
		memset(&r, 0, sizeof(r));
		r.hdr.type = NS_META_REASON;
		r.hdr.size = sizeof(r);
		r.code = (__u32)e[i].val;
		if (!name)
			continue;
		/* SKB_DROP_REASON_NETFILTER_DROP -> NETFILTER_DROP (Hubble's style) */
		if (strncmp(name, "SKB_DROP_REASON_", 16) == 0)
			name += 16;
		strncpy(r.name, name, sizeof(r.name) - 1);
		ns_out_write(&r, sizeof(r));
	}
	btf__free(btf);
	return n;
}
