// SPDX-License-Identifier: GPL-2.0
/*
 * The event formats the tracefs backend decodes, and nothing more.
 *
 * tracefs_local_events_system() parses every event of each system named
 * and then /proc/kallsyms and printk_formats into the handle, for
 * tep_print_event()'s %pS.  nettrace never prints through libtraceevent
 * (it reads fields and resolves symbols itself), and on the development
 * host the symbol table alone was most of the backend's start-up
 * (bench/: begin trace ~137 ms).  Here: the page header and the formats
 * of the events that will be enabled, a dozen small files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event-parse.h>
#include "tracefs_tep.h"

/* tracefs files report size 0: read to EOF.  NUL-terminated; NULL on error. */
static char *slurp(const char *path, int *size)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *nb;
	ssize_t r;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (cap - len < 1024) {
			nb = realloc(buf, cap * 2);
			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		len += r;
	}
	close(fd);
	buf[len] = 0;
	*size = (int)len;
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

struct tep_handle *nt_tfs_tep_load(const char *dir, const struct nt_tfs_evname *evs, int n,
				   char *why, size_t len)
{
	static const unsigned int one = 1;
	struct tep_handle *tep;
	char path[4096], *buf;
	int i, size, err;

	tep = tep_alloc();
	if (!tep) {
		snprintf(why, len, "out of memory");
		return NULL;
	}
	/* this host's own buffers: its long size, page size and byte order */
	tep_set_long_size(tep, sizeof(long));
	tep_set_page_size(tep, getpagesize());
	tep_set_file_bigendian(tep, *(const unsigned char *)&one ? TEP_LITTLE_ENDIAN
								 : TEP_BIG_ENDIAN);

	snprintf(path, sizeof(path), "%s/events/header_page", dir);
	buf = slurp(path, &size);
	if (!buf) {
		snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
		goto err;
	}
	err = tep_parse_header_page(tep, buf, size, sizeof(long));
	free(buf);
	if (err) {
		snprintf(why, len, "cannot parse %s", path);
		goto err;
	}

	for (i = 0; i < n; i++) {
		/* the same event twice (two hooks on one tracepoint) */
		if (tep_find_event_by_name(tep, evs[i].sys, evs[i].name))
			continue;
		snprintf(path, sizeof(path), "%s/events/%s/%s/format", dir, evs[i].sys,
			 evs[i].name);
		buf = slurp(path, &size);
		if (!buf) {
			if (errno == ENOENT)
				continue;
			snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
			goto err;
		}
		err = tep_parse_event(tep, buf, size, evs[i].sys);
		free(buf);
		/* a print format libtraceevent cannot follow still has
		 * fields, and fields are all nettrace reads */
		if (err && err != TEP_ERRNO__READ_PRINT_FAILED) {
			snprintf(why, len, "cannot parse the format of %s:%s (libtraceevent error %d)",
				 evs[i].sys, evs[i].name, err);
			goto err;
		}
	}
	return tep;
err:
	tep_free(tep);
	return NULL;
}
