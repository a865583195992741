// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: an HTTP request to --metrics (src/http.c), and listen
 * addresses. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "../../src/http.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[256], *s;
	bool head;

	nt_http_judge((const char *)data, len, &head);
	s = malloc(len + 1);
	if (!s)
		return 0;
	memcpy(s, data, len);
	s[len] = 0;
	nt_http_parse_addr(s, &ss, &sl, err, sizeof(err));
	free(s);
	return 0;
}
