// SPDX-License-Identifier: GPL-2.0
/*
 * The rule library, embedded: the Makefile concatenates the rules/ files into
 * $(OUT)/rules.txt (each file introduced by a "#@file NAME" line) and the
 * assembler includes it here as one NUL-terminated string.
 */
#ifndef NT_RULES_TXT
#error "NT_RULES_TXT (path of the concatenated rules) must be defined"
#endif

__asm__(".section .rodata\n"
	".global nt_builtin_rules\n"
	".type nt_builtin_rules, @object\n"
	"nt_builtin_rules:\n"
	".incbin \"" NT_RULES_TXT "\"\n"
	".byte 0\n"
	".size nt_builtin_rules, . - nt_builtin_rules\n"
	".previous\n");
