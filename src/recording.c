// SPDX-License-Identifier: GPL-2.0-only
/* The recording model: making a table ready for the program, reading it back. */
#include <errno.h>
#include <string.h>
#include <seccomp.h>

#include "names.h"
#include "recording.h"

void recording_prepare(struct osr_container *table)
{
	static const unsigned int phases[] = { OSR_PHASE_FILTERED, OSR_PHASE_WORKLOAD };

	for (unsigned int abi = 0; abi < OSR_ABI_COUNT; abi++) {
		uint32_t arch = abi_arch(abi);

		for (int k = OSR_ARG_NONE + 1; arch && k < OSR_ARG_KIND_COUNT; k++) {
			const char *name = arg_kind_name((enum osr_arg_kind)k);
			int nr = seccomp_syscall_resolve_name_arch(arch, name);

			if (nr < 0 || nr >= OSR_MAX_SYSCALLS)
				continue;
			for (size_t p = 0; p < sizeof(phases) / sizeof(phases[0]); p++)
				table->seen[phases[p]][abi][nr] = OSR_KIND_SEEN(k);
		}
	}
}

int arg_values_add(struct arg_values *s, uint64_t v)
{
	size_t i;

	for (i = 0; i < s->n && s->v[i] < v; i++)
		;
	if (i < s->n && s->v[i] == v)
		return 0;
	if (s->n == sizeof(s->v) / sizeof(s->v[0])) {
		s->any = true;
		return -E2BIG;
	}
	memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof(s->v[0]));
	s->v[i] = v;
	s->n++;
	return 0;
}

void arg_values_union(struct arg_values *dst, const struct arg_values *src)
{
	dst->any |= src->any;
	for (unsigned int i = 0; i < src->n; i++)
		arg_values_add(dst, src->v[i]);
}

void recording_read(const struct osr_container *table, struct recording *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned int p = 0; p < OSR_PHASE_COUNT; p++)
		for (unsigned int abi = 0; abi < OSR_ABI_COUNT; abi++)
			for (unsigned int nr = 0; nr < OSR_MAX_SYSCALLS; nr++)
				out->seen[p][abi][nr] = table->seen[p][abi][nr] & OSR_SEEN;
	for (unsigned int abi = 0; abi < OSR_ABI_COUNT; abi++)
		for (unsigned int k = 0; k < OSR_ARG_KIND_COUNT; k++) {
			const struct osr_argset *s = &table->args[abi][k];
			struct arg_values *a = &out->args[abi][k];

			a->any = s->full != 0;
			for (unsigned int i = 0; i < OSR_ARG_VALUES; i++)
				if (s->v[i] & OSR_ARG_PRESENT)
					arg_values_add(a, s->v[i] & ~OSR_ARG_PRESENT);
		}
	out->overflow = table->overflow;
	out->unfollowed = table->unfollowed;
}

bool recording_workload_ran(const struct osr_container *table)
{
	for (unsigned int abi = 0; abi < OSR_ABI_COUNT; abi++)
		for (unsigned int nr = 0; nr < OSR_MAX_SYSCALLS; nr++)
			if (table->seen[OSR_PHASE_WORKLOAD][abi][nr] & OSR_SEEN)
				return true;
	return false;
}
