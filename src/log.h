/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NT_LOG_H
#define NT_LOG_H

#include <stdio.h>

extern int nt_log_level;	/* 0 quiet, 1 -v, 2 --debug */

#define nt_err(fmt, ...)   fprintf(stderr, "nettrace: " fmt "\n", ##__VA_ARGS__)
#define nt_info(fmt, ...)  do { if (nt_log_level >= 1) fprintf(stderr, fmt "\n", ##__VA_ARGS__); } while (0)
#define nt_debug(fmt, ...) do { if (nt_log_level >= 2) fprintf(stderr, "debug: " fmt "\n", ##__VA_ARGS__); } while (0)

#endif
