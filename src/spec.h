/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef OSR_SPEC_H
#define OSR_SPEC_H

/*
 * What a profile is to cover: set once (annotations, options, the protocol),
 * then carried whole wherever a recording travels (tracer_config,
 * tracer_record, proto_request, output_opts) and written and read by one
 * table of fields (PROFILE_SPEC_FIELDS). A new setting is a field here and a
 * row there.
 */
#include <stdbool.h>

#include "kv.h"

enum osr_scope {
	OSR_SCOPE_WORKLOAD, /* what runs under the filter, under any runtime: the default */
	OSR_SCOPE_ALL,	    /* everything from prestart on, the runtime's setup too */
	OSR_SCOPE_EXACT,    /* what runs under the filter, under the recording runtime only */
};

/* "workload", "all", "exact", by enum osr_scope. */
extern const char *const osr_scope_names[3];

struct profile_spec {
	enum osr_scope scope;
	bool no_new_privs; /* the recorded container's process.noNewPrivileges */
	bool any_nnp;	   /* portable to either noNewPrivileges setting, not only the recorded */
	bool no_args;	   /* names only: the recorded arguments are not used */
};

/*
 * The spec's rows in a key=value table (kv.h), for a struct of type T that
 * holds one as member: the run-dir record and the service's request alike.
 * "no_new_privs" is how records before the table spelled nnp.
 */
/* clang-format off */
#define PROFILE_SPEC_FIELDS(T, member)                                                          \
	KV_ENUM(T, member.scope, "scope", osr_scope_names),                                 \
	KV_FIELD(T, member.no_new_privs, "nnp", KV_BOOL, .old = "no_new_privs"),           \
	KV_FIELD(T, member.any_nnp, "any_nnp", KV_BOOL),                                    \
	KV_FIELD(T, member.no_args, "no_args", KV_BOOL)
/* clang-format on */

#endif
