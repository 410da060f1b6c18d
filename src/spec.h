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

/*
 * Which syscalls of OSR_ARG_TABLE get rules on their argument values: every
 * one is recorded either way. docs/ARGUMENTS.md says which are opt-in and why.
 * The order keeps records that wrote no_args=0|1 meaning what they said.
 */
enum osr_args {
	OSR_ARGS_DEFAULT, /* those where a value opens attack surface; the others by name */
	OSR_ARGS_NONE,	  /* names only */
	OSR_ARGS_ALL,	  /* every syscall of the table */
};

/* "default", "none", "all", by enum osr_args. */
extern const char *const osr_args_names[3];

struct profile_spec {
	enum osr_scope scope;
	bool no_new_privs;  /* the recorded container's process.noNewPrivileges */
	bool any_nnp;	    /* portable to either noNewPrivileges setting, not only the recorded */
	enum osr_args args; /* which recorded argument values become conditions */
};

/*
 * The spec's rows in a key=value table (kv.h), for a struct of type T that
 * holds one as member: the run-dir record and the service's request alike.
 * "no_new_privs" is how records before the table spelled nnp; "no_args" how
 * they said args (0 and 1, read as the numbers of default and none).
 */
/* clang-format off */
#define PROFILE_SPEC_FIELDS(T, member)                                                          \
	KV_ENUM(T, member.scope, "scope", osr_scope_names),                                 \
	KV_FIELD(T, member.no_new_privs, "nnp", KV_BOOL, .old = "no_new_privs"),           \
	KV_FIELD(T, member.any_nnp, "any_nnp", KV_BOOL),                                    \
	KV_ENUM(T, member.args, "args", osr_args_names, .old = "no_args")
/* clang-format on */

#endif
