// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hides the vDSO from a program that finds it in its auxiliary vector, as Go's
 * runtime does: the AT_SYSINFO_EHDR entry becomes AT_IGNORE before the program
 * starts. Go then reads the clock by syscall, which is what it ends up doing
 * where the vDSO cannot read the clock source (hpet, acpi_pm). Made a needed
 * library of a copy of runc (patchelf --add-needed), so that the init runc
 * re-execs, with an environment of its own, loads it too.
 */
#include <elf.h>
#include <link.h>

extern char **environ;

__attribute__((constructor)) static void hide_vdso(void)
{
	char **e = environ;
	ElfW(auxv_t) * a;

	/* The auxiliary vector follows the environment on the initial stack. */
	while (*e)
		e++;
	for (a = (ElfW(auxv_t) *)(e + 1); a->a_type != AT_NULL; a++)
		if (a->a_type == AT_SYSINFO_EHDR)
			a->a_type = AT_IGNORE;
}
