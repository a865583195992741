// SPDX-License-Identifier: GPL-2.0
/* The --metrics HTTP server: address parsing, request judging, and a real
 * server on loopback (no root: an unprivileged port of 127.0.0.1). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "test.h"
#include "../../src/http.h"

struct addr_case {
	const char *in;
	int family;		/* 0: invalid */
	const char *ip;
	unsigned int port;
	const char *err;	/* part of the reason, for invalid ones */
};

static void addr_case(const struct addr_case *t)
{
	struct sockaddr_storage ss;
	char err[160] = "", ip[INET6_ADDRSTRLEN];
	socklen_t len;
	int ret = nt_http_parse_addr(t->in, &ss, &len, err, sizeof(err));

	if (!t->family) {
		CHECK_INT(ret, -EINVAL);
		CHECK_CONTAINS(err, t->err);
		CHECK(!strchr(err, '\n'));
		return;
	}
	CHECK_INT(ret, 0);
	CHECK_INT(ss.ss_family, t->family);
	if (t->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		CHECK_INT(len, sizeof(*s));
		CHECK_INT(ntohs(s->sin_port), t->port);
		CHECK_STR(inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip)), t->ip);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		CHECK_INT(len, sizeof(*s));
		CHECK_INT(ntohs(s->sin6_port), t->port);
		CHECK_STR(inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip)), t->ip);
	}
}

TEST(http_parse_addr)
{
	static const struct addr_case cases[] = {
		{ "9464", AF_INET, "127.0.0.1", 9464 },
		{ "127.0.0.1:9464", AF_INET, "127.0.0.1", 9464 },
		{ "0.0.0.0:80", AF_INET, "0.0.0.0", 80 },
		{ "[::1]:9464", AF_INET6, "::1", 9464 },
		{ "[::]:65535", AF_INET6, "::", 65535 },
		{ "localhost:9464", AF_INET, "127.0.0.1", 9464 },
		{ "", 0, NULL, 0, "empty" },
		{ "0", 0, NULL, 0, "1-65535" },
		{ "127.0.0.1:0", 0, NULL, 0, "1-65535" },
		{ "70000", 0, NULL, 0, "1-65535" },
		{ "127.0.0.1:70000", 0, NULL, 0, "1-65535" },
		{ "127.0.0.1:99999999999999999999", 0, NULL, 0, "1-65535" },
		{ "127.0.0.1:-1", 0, NULL, 0, "1-65535" },
		{ "127.0.0.1: 80", 0, NULL, 0, "1-65535" },
		{ "127.0.0.1:", 0, NULL, 0, "1-65535" },
		{ "127.0.0.1", 0, NULL, 0, "missing ':PORT'" },
		{ "[::1:9464", 0, NULL, 0, "missing ']'" },
		{ "[::1]", 0, NULL, 0, "[IPv6]:PORT" },
		{ "[::1]9464", 0, NULL, 0, "[IPv6]:PORT" },
		{ "::1:9464", 0, NULL, 0, "brackets" },
		{ "[127.0.0.1]:80", 0, NULL, 0, "numeric IPv6" },
		{ "example.org:80", 0, NULL, 0, "not resolved" },
		{ ":80", 0, NULL, 0, "numeric IPv4" },
		{ "300.1.1.1:80", 0, NULL, 0, "numeric IPv4" },
		{ "garbage", 0, NULL, 0, "missing ':PORT'" },
		{ "a\nb:x", 0, NULL, 0, "1-65535" },
	};

	for (size_t i = 0; i < NT_NCASES(cases); i++)
		CHECK_CASE(addr_case(&cases[i]), cases[i].in);
}

struct judge_case {
	const char *name;
	const char *req;
	int status;
	bool head;
};

static void judge_case(const struct judge_case *t)
{
	bool head = !t->head;

	CHECK_INT(nt_http_judge(t->req, strlen(t->req), &head), t->status);
	CHECK_INT(head, t->head);
}

TEST(http_judge)
{
	static const struct judge_case cases[] = {
		{ "GET with headers", "GET /metrics HTTP/1.1\r\nHost: localhost:9464\r\n"
		  "User-Agent: Prometheus/2.45.0\r\nAccept: text/plain;version=0.0.4;q=1,*/*;q=0.1\r\n"
		  "X-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n", 200 },
		{ "HTTP/1.0, no header", "GET /metrics HTTP/1.0\r\n\r\n", 200 },
		{ "HEAD", "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 200, true },
		{ "query string", "GET /metrics?x=1&y HTTP/1.1\r\n\r\n", 200 },
		{ "absolute-form", "GET http://h:9464/metrics HTTP/1.1\r\n\r\n", 200 },
		{ "LF only", "GET /metrics HTTP/1.1\nHost: x\n\n", 200 },
		{ "header value with tab and UTF-8", "GET /metrics HTTP/1.1\r\nX-A:\tv\xc3\xa9\r\n\r\n",
		  200 },
		{ "partial request line", "GET /metr", 0 },
		{ "partial, CR at the end", "GET /metrics HTTP/1.1\r", 0 },
		{ "no blank line yet", "GET /metrics HTTP/1.1\r\nHost: x\r\n", 0 },
		{ "half a blank line", "GET /metrics HTTP/1.1\r\nHost: x\r\n\r", 0 },
		{ "nothing", "", 0 },
		{ "POST", "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405 },
		{ "lowercase get", "get /metrics HTTP/1.1\r\n\r\n", 405 },
		{ "OPTIONS *", "OPTIONS * HTTP/1.1\r\n\r\n", 405 },
		{ "HEAD of another path", "HEAD / HTTP/1.1\r\n\r\n", 404, true },
		{ "GET /", "GET / HTTP/1.1\r\n\r\n", 404 },
		{ "GET /metricsX", "GET /metricsX HTTP/1.1\r\n\r\n", 404 },
		{ "GET /metrics/", "GET /metrics/ HTTP/1.1\r\n\r\n", 404 },
		{ "GET /metric", "GET /metric HTTP/1.1\r\n\r\n", 404 },
		{ "FOO", "FOO\r\n\r\n", 400 },
		{ "two words", "GET /metrics\r\n\r\n", 400 },
		{ "two spaces", "GET  /metrics HTTP/1.1\r\n\r\n", 400 },
		{ "trailing space", "GET /metrics HTTP/1.1 \r\n\r\n", 400 },
		{ "leading blank line", "\r\nGET /metrics HTTP/1.1\r\n\r\n", 400 },
		{ "not HTTP", "GET /metrics FTP/1.1\r\n\r\n", 400 },
		{ "bad version", "GET /metrics HTTP/1\r\n\r\n", 400 },
		{ "GET *", "GET * HTTP/1.1\r\n\r\n", 400 },
		{ "bare CR", "GET /metrics\rHTTP/1.1\r\n\r\n", 400 },
		{ "binary, incomplete", "\x16\x03\x01\x02\x00\x01", 400 },
		{ "control byte, incomplete", "GE\x01", 400 },
		{ "bad method byte, incomplete", "GE(", 400 },
		{ "header without colon", "GET /metrics HTTP/1.1\r\nHost\r\n\r\n", 400 },
		{ "folded header", "GET /metrics HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 400 },
		{ "space before colon", "GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n", 400 },
		{ "control byte in a value", "GET /metrics HTTP/1.1\r\nA: \x01\r\n\r\n", 400 },
		{ "bad header, no blank line yet", "GET /metrics HTTP/1.1\r\n: x\r\n", 400 },
		{ "HTTP/2.0", "GET /metrics HTTP/2.0\r\n\r\n", 505 },
		{ "HTTP/0.9", "GET /metrics HTTP/0.9\r\n\r\n", 505 },
	};

	static const char nul_method[] = "GE\0T /metrics HTTP/1.1\r\n\r\n";
	static const char nul_value[] = "GET /metrics HTTP/1.1\r\nA: \0\r\n\r\n";
	bool head;

	for (size_t i = 0; i < NT_NCASES(cases); i++)
		CHECK_CASE(judge_case(&cases[i]), cases[i].name);
	/* a NUL, which the C strings above cannot hold */
	CHECK_INT(nt_http_judge(nul_method, sizeof(nul_method) - 1, &head), 400);
	CHECK_INT(nt_http_judge(nul_value, sizeof(nul_value) - 1, &head), 400);
}

/* The NT_HTTP_MAX_REQ limit: the blank line must end within it. */
TEST(http_judge_limit)
{
	static const char line[] = "GET /metrics HTTP/1.1\r\nX: ";
	static char req[NT_HTTP_MAX_REQ + 4096];
	const size_t max = NT_HTTP_MAX_REQ, ll = strlen(line);
	bool head;

	/* request line, "X: aaa...", the blank line ending at the limit */
	memset(req, 'a', sizeof(req));
	memcpy(req, line, ll);
	memcpy(req + max - 4, "\r\n\r\n", 4);
	CHECK_INT(nt_http_judge(req, max, &head), 200);
	CHECK_INT(nt_http_judge(req, sizeof(req), &head), 200);
	/* one byte later: too large, even with the blank line there */
	memcpy(req + max - 4, "a\r\n\r\n", 5);
	CHECK_INT(nt_http_judge(req, max, &head), 0);
	CHECK_INT(nt_http_judge(req, max + 1, &head), 431);
	/* no blank line: more is needed up to the limit, then 431 */
	memset(req + ll, 'a', sizeof(req) - ll);
	CHECK_INT(nt_http_judge(req, max, &head), 0);
	CHECK_INT(nt_http_judge(req, max + 1, &head), 431);
	CHECK_INT(nt_http_judge(req, sizeof(req), &head), 431);
	/* a request line alone too long */
	memset(req + 5, 'a', sizeof(req) - 5);
	CHECK_INT(nt_http_judge(req, max, &head), 0);
	CHECK_INT(nt_http_judge(req, sizeof(req), &head), 431);
}

/* ---- a real server on 127.0.0.1 ----------------------------------------- */

static int render_calls;

static int render_x(void *arg, char **body, size_t *len)
{
	render_calls++;
	*body = strdup("x 1\n");
	if (!*body)
		return -ENOMEM;
	*len = 4;
	return 0;
}

static long long ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A port of 127.0.0.1 free a moment ago (the kernel's choice for port 0). */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* Starts a server on a free port of 127.0.0.1 (retrying if another process
 * took it meanwhile); NULL, with the test skipped, when loopback is not
 * usable. */
static struct nt_http *start(int *port)
{
	struct nt_http *h = NULL;
	char addr[32], err[160];
	int ret = -EADDRINUSE;

	for (int i = 0; i < 5 && ret == -EADDRINUSE; i++) {
		*port = free_port();
		if (*port < 0)
			break;
		snprintf(addr, sizeof(addr), "127.0.0.1:%d", *port);
		ret = nt_http_start(&h, addr, render_x, NULL, err, sizeof(err));
	}
	if (ret) {
		nt_test_skip("cannot listen on 127.0.0.1");
		return NULL;
	}
	return h;
}

static int connect_to(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 3 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends req on a new connection and reads the answer to the end (the
 * server closes): into buf, NUL-terminated; its length, or -1. */
static int exchange(int port, const char *req, char *buf, size_t size)
{
	int fd = connect_to(port);
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		close(fd);
		return -1;
	}
	while (n + 1 < size && (r = recv(fd, buf + n, size - 1 - n, 0)) > 0)
		n += r;
	buf[n] = 0;
	/* EOF, not a timeout: Connection: close is kept */
	r = recv(fd, buf + n, 1, MSG_DONTWAIT);
	close(fd);
	return r == 0 ? (int)n : -1;
}

struct wire_case {
	const char *name;
	const char *req;
	const char *answer;	/* the whole of it */
};

static void wire_case(int port, const struct wire_case *t)
{
	char buf[1024];

	CHECK(exchange(port, t->req, buf, sizeof(buf)) >= 0);
	CHECK_STR(buf, t->answer);
}

TEST(http_serve)
{
	static const struct wire_case cases[] = {
		{ "GET", "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n",
		  "HTTP/1.1 200 OK\r\n"
		  "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		  "Content-Length: 4\r\n"
		  "Connection: close\r\n\r\n"
		  "x 1\n" },
		{ "HEAD", "HEAD /metrics HTTP/1.0\r\n\r\n",
		  "HTTP/1.1 200 OK\r\n"
		  "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		  "Content-Length: 4\r\n"
		  "Connection: close\r\n\r\n" },
		{ "POST", "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
		  "HTTP/1.1 405 Method Not Allowed\r\n"
		  "Content-Type: text/plain; charset=utf-8\r\n"
		  "Content-Length: 37\r\n"
		  "Allow: GET, HEAD\r\n"
		  "Connection: close\r\n\r\n"
		  "method not allowed: GET or HEAD only\n" },
		{ "404", "GET / HTTP/1.1\r\n\r\n",
		  "HTTP/1.1 404 Not Found\r\n"
		  "Content-Type: text/plain; charset=utf-8\r\n"
		  "Content-Length: 39\r\n"
		  "Connection: close\r\n\r\n"
		  "not found: the metrics are at /metrics\n" },
	};
	int port, calls;
	struct nt_http *h = start(&port);
	char buf[256];

	if (!h)
		return;
	render_calls = 0;
	for (size_t i = 0; i < NT_NCASES(cases); i++) {
		wire_case(port, &cases[i]);
		if (nt_test_failed_now) {
			nt_http_stop(h);
			CHECK_CASE((void)0, cases[i].name);
		}
	}
	/* a 431 reaches the client although it sent more than was read */
	{
		static char big[3 * NT_HTTP_MAX_REQ];

		memset(big, 'a', sizeof(big) - 1);
		memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
		if (exchange(port, big, buf, sizeof(buf)) < 0 ||
		    strncmp(buf, "HTTP/1.1 431 ", 13)) {
			nt_http_stop(h);
			CHECK_STR(buf, "HTTP/1.1 431 ...");
		}
	}
	calls = render_calls;
	nt_http_stop(h);
	CHECK_INT(calls, 2);
}

/* A client that connects and sends nothing holds one slot, not the server. */
TEST(http_slow_client)
{
	int port, slow, n;
	struct nt_http *h = start(&port);
	long long t0;
	char buf[256];

	if (!h)
		return;
	slow = connect_to(port);
	if (slow < 0) {
		nt_http_stop(h);
		CHECK(slow >= 0);
	}
	t0 = ms();
	n = exchange(port, "GET /metrics HTTP/1.1\r\n\r\n", buf, sizeof(buf));
	t0 = ms() - t0;
	/* the slow one is still open, unanswered */
	{
		struct pollfd p = { .fd = slow, .events = POLLIN };

		if (poll(&p, 1, 0) != 0) {
			close(slow);
			nt_http_stop(h);
			CHECK(!"the slow client was answered already");
		}
	}
	close(slow);
	nt_http_stop(h);
	CHECK(n > 0);
	CHECK_CONTAINS(buf, "\r\n\r\nx 1\n");
	CHECK(t0 < 1000);
}

/* Stopping with clients connected closes them; NULL is fine. */
TEST(http_stop)
{
	int port, fd;
	struct nt_http *h = start(&port);
	char c;

	nt_http_stop(NULL);
	if (!h)
		return;
	fd = connect_to(port);
	nt_http_stop(h);
	CHECK(fd >= 0);
	/* closed by the stop: EOF (or a reset), not a timeout */
	{
		ssize_t r = recv(fd, &c, 1, 0);

		close(fd);
		CHECK(r == 0 || (r < 0 && errno == ECONNRESET));
	}
	/* the port is free again */
	{
		char addr[32], err[160];

		snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
		CHECK_INT(nt_http_start(&h, addr, render_x, NULL, err, sizeof(err)), 0);
		nt_http_stop(h);
	}
}

/* Errors name the address. */
TEST(http_start_errors)
{
	struct nt_http *h = NULL, *h2 = NULL;
	char addr[32], err[160] = "";
	int port;

	CHECK_INT(nt_http_start(&h2, "nope", render_x, NULL, err, sizeof(err)), -EINVAL);
	CHECK(!h2);
	h = start(&port);
	if (!h)
		return;
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	if (nt_http_start(&h2, addr, render_x, NULL, err, sizeof(err)) != -EADDRINUSE) {
		nt_http_stop(h2);
		nt_http_stop(h);
		CHECK(!"a second server on the same port");
	}
	nt_http_stop(h);
	CHECK(!h2);
	CHECK_CONTAINS(err, addr);
	CHECK_CONTAINS(err, "Address already in use");
}

/* Every slot held by a client that sends nothing (slowloris): a scraper
 * still gets its answer, the oldest silent client makes room. */
TEST(http_slots_full_of_silent_clients)
{
	int port, fd[NT_HTTP_MAX_CONN], i, n;
	struct nt_http *h = start(&port);
	char buf[256];

	if (!h)
		return;
	for (i = 0; i < NT_HTTP_MAX_CONN; i++)
		fd[i] = connect_to(port);
	usleep(200000);		/* all accepted */
	n = exchange(port, "GET /metrics HTTP/1.1\r\n\r\n", buf, sizeof(buf));
	for (i = 0; i < NT_HTTP_MAX_CONN; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	nt_http_stop(h);
	CHECK(n > 0);
	CHECK_CONTAINS(buf, "HTTP/1.1 200");
}
