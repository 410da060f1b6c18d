// SPDX-License-Identifier: GPL-2.0-only
/* Attach the do-nothing floor program until SIGTERM or SIGINT; say "attached" first. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "floor.skel.h"

int main(void)
{
	struct floor_bpf *skel = floor_bpf__open_and_load();
	sigset_t set;
	int sig;

	if (!skel || floor_bpf__attach(skel) < 0) {
		fprintf(stderr, "osr-floor: cannot load or attach the floor program\n");
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("attached\n");
	fflush(stdout);
	sigwait(&set, &sig);
	floor_bpf__destroy(skel);
	return 0;
}
