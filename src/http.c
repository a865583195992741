// SPDX-License-Identifier: GPL-2.0
/* The --metrics HTTP server (see http.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include "http.h"
#include "log.h"

/* ---- parsing the listen address ---------------------------------------- */

/* s for an error message: one line, bounded */
static const char *quote(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = 0;
	return buf;
}

/* "1".."65535", digits only (no sign, no blank, no hex) */
static int parse_port(const char *p, unsigned int *port)
{
	unsigned long v = 0;
	size_t n;

	for (n = 0; p[n] >= '0' && p[n] <= '9'; n++)
		if (n < 6)
			v = v * 10 + (p[n] - '0');
	if (!n || p[n] || n > 5 || !v || v > 65535)
		return -EINVAL;
	*port = v;
	return 0;
}

int nt_http_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err,
		       size_t errlen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN + 1], q[72];
	const char *port, *h, *end;
	unsigned int p;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	*len = 0;
	if (!s || !*s) {
		snprintf(err, errlen, "empty address (expected PORT, HOST:PORT or [IPv6]:PORT)");
		return -EINVAL;
	}
	if (s[0] >= '0' && s[0] <= '9' && !strchr(s, ':') && !strchr(s, '.')) {
		h = NT_HTTP_DEFAULT_HOST;
		hl = strlen(h);
		port = s;
	} else if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end) {
			snprintf(err, errlen, "'%s': missing ']' after the IPv6 address",
				 quote(s, q, sizeof(q)));
			return -EINVAL;
		}
		if (end[1] != ':') {
			snprintf(err, errlen, "'%s': expected [IPv6]:PORT", quote(s, q, sizeof(q)));
			return -EINVAL;
		}
		h = s + 1;
		hl = end - h;
		port = end + 2;
	} else {
		port = strrchr(s, ':');
		if (!port) {
			snprintf(err, errlen, "'%s': missing ':PORT' (or a port alone)",
				 quote(s, q, sizeof(q)));
			return -EINVAL;
		}
		h = s;
		hl = port - s;
		port++;
		if (memchr(h, ':', hl)) {
			snprintf(err, errlen, "'%s': an IPv6 address goes in brackets, as in "
				 "[::1]:9464", quote(s, q, sizeof(q)));
			return -EINVAL;
		}
	}
	if (parse_port(port, &p)) {
		snprintf(err, errlen, "'%s': the port must be a number in 1-65535",
			 quote(port, q, sizeof(q)));
		return -EINVAL;
	}
	if (hl >= sizeof(host))
		goto bad_host;
	memcpy(host, h, hl);
	host[hl] = 0;
	if (s[0] != '[' && !strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (s[0] != '[' && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		*len = sizeof(*sin);
		return 0;
	}
	if (s[0] == '[' && inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		*len = sizeof(*sin6);
		return 0;
	}
bad_host:
	snprintf(err, errlen, "'%s': not a numeric %s address (names other than localhost "
		 "are not resolved)", quote(s, q, sizeof(q)), s[0] == '[' ? "IPv6" : "IPv4");
	return -EINVAL;
}

/* "127.0.0.1:9464" / "[::1]:9464", for messages */
static void addr_str(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, size, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, ntohs(s4->sin_port));
	}
}

/* ---- judging a request ------------------------------------------------- */

/* RFC 9110 tchar: what a method or a header name is made of */
static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/*
 * The next line of buf[0, lim): its length without the line end in *n, the
 * offset past its end returned; 0 when incomplete.  A CR is part of the line
 * end only before the LF (a bare CR stays and is rejected by the caller).
 */
static size_t next_line(const char *buf, size_t lim, size_t *n)
{
	const char *nl = memchr(buf, '\n', lim);

	if (!nl)
		return 0;
	*n = nl - buf;
	if (*n && buf[*n - 1] == '\r')
		(*n)--;
	return nl - buf + 1;
}

/* The request line: 0 for a valid one (setting get, head, path_ok), else its status. */
static int judge_line(const char *l, size_t n, bool *get, bool *head, bool *path_ok)
{
	const char *sp1, *sp2, *t, *v;
	size_t tn, vn, pn;

	sp1 = memchr(l, ' ', n);
	if (!sp1 || sp1 == l)
		return 400;
	t = sp1 + 1;
	sp2 = memchr(t, ' ', l + n - t);
	if (!sp2 || sp2 == t)
		return 400;
	tn = sp2 - t;
	v = sp2 + 1;
	vn = l + n - v;
	for (const char *c = l; c < sp1; c++)
		if (!is_tchar(*c))
			return 400;
	for (const char *c = t; c < t + tn; c++)
		if (*c <= 0x20 || *c >= 0x7f)
			return 400;
	if (vn != 8 || memcmp(v, "HTTP/", 5) || v[5] < '0' || v[5] > '9' || v[6] != '.' ||
	    v[7] < '0' || v[7] > '9')
		return 400;
	if (v[5] != '1')
		return 505;
	*get = sp1 - l == 3 && !memcmp(l, "GET", 3);
	*head = sp1 - l == 4 && !memcmp(l, "HEAD", 4);
	/* absolute-form (http://host/metrics), which a proxy would send */
	if (t[0] != '/') {
		const char *a = tn > 3 ? memmem(t, tn, "://", 3) : NULL;

		if (!a)
			return *get || *head ? 400 : 405;
		a += 3;
		t = memchr(a, '/', t + tn - a);
		if (!t) {
			*path_ok = false;
			return 0;
		}
		tn = sp2 - t;
	}
	for (pn = 0; pn < tn && t[pn] != '?' && t[pn] != '#'; pn++)
		;
	*path_ok = pn == 8 && !memcmp(t, "/metrics", 8);
	return 0;
}

/* A header line: "name: value", no folding, no control byte but HTAB. */
static bool header_ok(const char *l, size_t n)
{
	const char *colon = memchr(l, ':', n);

	if (!colon || colon == l)
		return false;
	for (const char *c = l; c < colon; c++)
		if (!is_tchar(*c))
			return false;
	for (const char *c = colon + 1; c < l + n; c++)
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
			return false;
	return true;
}

int nt_http_judge(const char *req, size_t len, bool *head)
{
	size_t lim = len > NT_HTTP_MAX_REQ ? NT_HTTP_MAX_REQ : len;
	bool get = false, path_ok = false, in_method = true;
	size_t off, n, next;
	int ret;

	*head = false;
	/* the request line, byte by byte while incomplete: random bytes or
	 * another protocol get their 400 at once, not after the timeout */
	next = next_line(req, lim, &n);
	if (!next)	/* a CR at the end may be the start of a CRLF */
		n = lim && req[lim - 1] == '\r' ? lim - 1 : lim;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = req[i];

		if (c < 0x20 || c >= 0x7f)
			return 400;
		if (c == ' ')
			in_method = false;
		else if (in_method && !is_tchar(c))
			return 400;
	}
	if (!next)
		return len > NT_HTTP_MAX_REQ ? 431 : 0;
	ret = judge_line(req, n, &get, head, &path_ok);
	if (ret)
		return ret;
	for (off = next; ; off += next) {
		next = next_line(req + off, lim - off, &n);
		if (!next)
			return len > NT_HTTP_MAX_REQ ? 431 : 0;
		if (!n)
			break;
		if (!header_ok(req + off, n))
			return 400;
	}
	if (!get && !*head)
		return 405;
	return path_ok ? 200 : 404;
}

/* ---- the server -------------------------------------------------------- */

enum { C_FREE, C_READ, C_WRITE, C_LINGER };

struct nt_http_conn {
	int fd;
	int state;
	long long deadline;		/* ms, CLOCK_MONOTONIC */
	size_t inlen;
	char *out;			/* the response, headers and body */
	size_t outlen, outoff;
	size_t drained;			/* bytes discarded while lingering */
	char in[NT_HTTP_MAX_REQ + 1];	/* one more: to see the limit passed */
};

struct nt_http {
	int lfd, wake;
	nt_http_render_fn render;
	void *arg;
	pthread_t thread;
	long long accept_pause;		/* ms: accept(2) paused until then */
	struct nt_http_conn c[NT_HTTP_MAX_CONN];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

static const char *error_body(int status)
{
	switch (status) {
	case 400: return "malformed request\n";
	case 404: return "not found: the metrics are at /metrics\n";
	case 405: return "method not allowed: GET or HEAD only\n";
	case 408: return "request timeout\n";
	case 431: return "request headers too large\n";
	case 503: return "too many connections\n";
	case 505: return "HTTP/1.x only\n";
	default: return "cannot render the metrics\n";
	}
}

/*
 * The whole response in one buffer (malloc'd; NULL when out of memory).
 * body is the rendered metrics for a 200, else the one-line error text.
 */
static char *response(int status, bool head, const char *body, size_t blen, size_t *len)
{
	char hdr[256];
	int hl;
	char *r;

	if (status != 200) {
		body = error_body(status);
		blen = strlen(body);
	}
	hl = snprintf(hdr, sizeof(hdr),
		      "HTTP/1.1 %d %s\r\n"
		      "Content-Type: %s\r\n"
		      "Content-Length: %zu\r\n"
		      "%s%s"
		      "Connection: close\r\n\r\n",
		      status, reason(status),
		      status == 200 ? NT_HTTP_CONTENT_TYPE : "text/plain; charset=utf-8", blen,
		      status == 405 ? "Allow: GET, HEAD\r\n" : "",
		      status == 503 ? "Retry-After: 1\r\n" : "");
	if (head)
		blen = 0;
	r = malloc(hl + blen);
	if (!r)
		return NULL;
	memcpy(r, hdr, hl);
	if (blen)
		memcpy(r + hl, body, blen);
	*len = hl + blen;
	return r;
}

static void conn_close(struct nt_http_conn *c)
{
	close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
	c->state = C_FREE;
}

/* A client that did not read its answer in time: a reset, so that the
 * kernel drops what is still queued for it instead of keeping it. */
static void conn_abort(struct nt_http_conn *c)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	conn_close(c);
}

/* Everything sent: our side is shut, the client's leftovers are read until it closes. */
static void conn_linger(struct nt_http_conn *c)
{
	shutdown(c->fd, SHUT_WR);
	free(c->out);
	c->out = NULL;
	c->state = C_LINGER;
	c->drained = 0;
	c->deadline = now_ms() + NT_HTTP_LINGER_MS;
}

static void conn_write(struct nt_http_conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_close(c);
			return;
		}
		c->outoff += n;
	}
	conn_linger(c);
}

static void conn_respond(struct nt_http *h, struct nt_http_conn *c, int status, bool head)
{
	char *body = NULL;
	size_t blen = 0;

	if (status == 200) {
		int ret = h->render(h->arg, &body, &blen);

		if (ret) {
			nt_debug("metrics: cannot render: %s", strerror(-ret));
			free(body);
			body = NULL;
			status = 500;
		}
	}
	c->out = response(status, head, body, blen, &c->outlen);
	free(body);
	if (!c->out) {
		conn_close(c);
		return;
	}
	c->outoff = 0;
	c->state = C_WRITE;
	c->deadline = now_ms() + NT_HTTP_WRITE_MS;
	conn_write(c);
}

static void conn_read(struct nt_http *h, struct nt_http_conn *c)
{
	bool head;
	ssize_t n;
	int st;

	n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			conn_close(c);
		return;
	}
	if (!n) {
		/* the client is done sending: a partial request is malformed
		 * (it may still read the answer, having shut down only its
		 * side); nothing at all gets nothing */
		if (!c->inlen)
			conn_close(c);
		else
			conn_respond(h, c, 400, false);
		return;
	}
	c->inlen += n;
	st = nt_http_judge(c->in, c->inlen, &head);
	if (st)
		conn_respond(h, c, st, head);
}

static void conn_drain(struct nt_http_conn *c)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			break;
		c->drained += n;
		if (c->drained > NT_HTTP_LINGER_MAX)
			break;
	}
	conn_close(c);
}

/* One more connection than we serve: a 503 if it fits the socket buffer (a
 * new socket's always does), and closed, so the backlog never fills. */
static void reject(int fd)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Content-Length: 21\r\n"
		"Retry-After: 1\r\n"
		"Connection: close\r\n\r\n"
		"too many connections\n";
	char buf[1024];

	/* what the client already sent, read: unread bytes would make the
	 * close a reset, which could destroy the 503 before it is read */
	for (int i = 0; i < 16 && recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0; i++)
		;
	if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		nt_debug("metrics: 503: %s", strerror(errno));
	shutdown(fd, SHUT_WR);
	close(fd);
}

/* Every slot taken: the connection that has waited longest for its request
 * makes room (a slowloris client holds its slot until evicted; a scraper
 * sends its request at once), or NULL when every one is being answered. */
static struct nt_http_conn *oldest_reading(struct nt_http *h)
{
	struct nt_http_conn *old = NULL;

	for (int j = 0; j < NT_HTTP_MAX_CONN; j++)
		if (h->c[j].state == C_READ && (!old || h->c[j].deadline < old->deadline))
			old = &h->c[j];
	return old;
}

static void accept_all(struct nt_http *h)
{
	/* bounded per round, so that a flood cannot starve the clients */
	for (int i = 0; i < NT_HTTP_BACKLOG; i++) {
		struct nt_http_conn *c = NULL;
		int fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				nt_debug("metrics: accept: %s", strerror(errno));
				h->accept_pause = now_ms() + NT_HTTP_ACCEPT_PAUSE_MS;
				return;
			}
			/* EAGAIN, or an error of that one connection
			 * (ECONNABORTED, EPROTO, ...): next round */
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			continue;
		}
		for (int j = 0; j < NT_HTTP_MAX_CONN && !c; j++)
			if (h->c[j].state == C_FREE)
				c = &h->c[j];
		if (!c && (c = oldest_reading(h)))
			conn_abort(c);
		if (!c) {
			reject(fd);
			continue;
		}
		c->fd = fd;
		c->state = C_READ;
		c->inlen = 0;
		c->deadline = now_ms() + NT_HTTP_READ_MS;
	}
}

/* Deadlines passed: 408 for a request still incomplete, the end for the rest. */
static void expire(struct nt_http *h, long long now)
{
	for (int i = 0; i < NT_HTTP_MAX_CONN; i++) {
		struct nt_http_conn *c = &h->c[i];

		if (c->state == C_FREE || c->deadline > now)
			continue;
		if (c->state == C_READ)
			conn_respond(h, c, 408, false);
		else if (c->state == C_WRITE)
			conn_abort(c);
		else
			conn_close(c);
	}
}

static void *http_thread(void *arg)
{
	struct nt_http *h = arg;
	struct pollfd pfd[NT_HTTP_MAX_CONN + 2];
	int slot[NT_HTTP_MAX_CONN + 2];

	for (;;) {
		long long now = now_ms(), next = -1;
		int n = 0, timeout;

		expire(h, now);
		pfd[n++] = (struct pollfd){ .fd = h->wake, .events = POLLIN };
		if (h->accept_pause <= now)
			pfd[n++] = (struct pollfd){ .fd = h->lfd, .events = POLLIN };
		else
			next = h->accept_pause;
		for (int i = 0; i < NT_HTTP_MAX_CONN; i++) {
			struct nt_http_conn *c = &h->c[i];

			if (c->state == C_FREE)
				continue;
			slot[n] = i;
			pfd[n++] = (struct pollfd){
				.fd = c->fd,
				.events = c->state == C_WRITE ? POLLOUT : POLLIN,
			};
			if (next < 0 || c->deadline < next)
				next = c->deadline;
		}
		timeout = next < 0 ? -1 : next - now > 0 ? (int)(next - now) : 0;
		if (poll(pfd, n, timeout) < 0) {
			if (errno != EINTR) {
				nt_debug("metrics: poll: %s", strerror(errno));
				usleep(100000);
			}
			continue;
		}
		if (pfd[0].revents)
			break;
		for (int k = 1; k < n; k++) {
			struct nt_http_conn *c;

			if (!pfd[k].revents)
				continue;
			if (pfd[k].fd == h->lfd) {
				accept_all(h);
				continue;
			}
			c = &h->c[slot[k]];
			/* POLLERR / POLLHUP: the call below reports it */
			if (c->state == C_READ)
				conn_read(h, c);
			else if (c->state == C_WRITE)
				conn_write(c);
			else if (c->state == C_LINGER)
				conn_drain(c);
		}
	}
	return NULL;
}

int nt_http_start(struct nt_http **hp, const char *addr, nt_http_render_fn render, void *arg,
		  char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	sigset_t all, old;
	char name[INET6_ADDRSTRLEN + 8];
	struct nt_http *h;
	socklen_t sl;
	int one = 1, ret;

	*hp = NULL;
	ret = nt_http_parse_addr(addr, &ss, &sl, err, errlen);
	if (ret)
		return ret;
	addr_str(&ss, name, sizeof(name));
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "cannot listen on %s: out of memory", name);
		return -ENOMEM;
	}
	h->render = render;
	h->arg = arg;
	h->wake = -1;
	for (int i = 0; i < NT_HTTP_MAX_CONN; i++)
		h->c[i].fd = -1;
	h->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->lfd < 0 ||
	    setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(h->lfd, (struct sockaddr *)&ss, sl) ||
	    listen(h->lfd, NT_HTTP_BACKLOG)) {
		ret = -errno;
		snprintf(err, errlen, "cannot listen on %s: %s", name, strerror(errno));
		goto fail;
	}
	h->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (h->wake < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot serve %s: eventfd: %s", name, strerror(errno));
		goto fail;
	}
	/* signals are for the tracing thread: the server's inherits a full mask */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&h->thread, NULL, http_thread, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		snprintf(err, errlen, "cannot serve %s: thread: %s", name, strerror(-ret));
		goto fail;
	}
	*hp = h;
	return 0;
fail:
	if (h->lfd >= 0)
		close(h->lfd);
	if (h->wake >= 0)
		close(h->wake);
	free(h);
	return ret;
}

void nt_http_stop(struct nt_http *h)
{
	uint64_t one = 1;

	if (!h)
		return;
	if (write(h->wake, &one, sizeof(one)) != sizeof(one))
		nt_debug("metrics: wake: %s", strerror(errno));
	pthread_join(h->thread, NULL);
	for (int i = 0; i < NT_HTTP_MAX_CONN; i++)
		if (h->c[i].state != C_FREE)
			conn_close(&h->c[i]);
	close(h->lfd);
	close(h->wake);
	free(h);
}
