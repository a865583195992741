// SPDX-License-Identifier: GPL-2.0
/*
 * http_abuse HOST PORT MODE: treats the --metrics server (src/http.c) the way
 * a hostile or broken client would and prints in one line what it answered;
 * exit 0 if it behaved as src/http.h says, 1 if not, 2 on bad usage.
 *   slow     40 connections sending one byte a second for 8 s: each refused
 *            at once (503 or closed) or answered 408, and all closed by 10 s
 *   huge     a 1 MiB header: 431
 *   many     200 connections held 3 s: every connect accepted (the backlog
 *            never fills), at most MAX_CONN held, the rest refused; then a
 *            GET /metrics is served
 *   garbage  20 connections of random bytes: 400 each
 * slow and many connect all their peers at once, each given 10 s.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONN	32	/* NT_HTTP_MAX_CONN */
#define MAXP		200

struct peer {
	int fd;
	bool closed;
	char buf[64];		/* the start of the answer */
	size_t n;
};

static struct addrinfo *ai;

static long long ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* a blocking connection whose connect, sends and receives give up after 3 s */
/* A connect may wait for two SYN retries (1 s, then 3 s: a port colliding
 * with a TIME_WAIT, an emulated machine slow to run the accept round);
 * more means the server stalled. */
static int dial(void)
{
	struct timeval ctv = { .tv_sec = 8 }, tv = { .tv_sec = 3 };
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &ctv, sizeof(ctv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* the status of an answer's first bytes; 0 if none */
static int status(const struct peer *p)
{
	int st = 0;

	if (sscanf(p->buf, "HTTP/1.%*d %3d", &st) != 1)
		return 0;
	return st;
}

static void read_peer(struct peer *p)
{
	char tmp[4096];
	ssize_t r = recv(p->fd, tmp, sizeof(tmp), MSG_DONTWAIT);

	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (r > 0) {
		size_t k = (size_t)r < sizeof(p->buf) - 1 - p->n ? (size_t)r :
			   sizeof(p->buf) - 1 - p->n;

		memcpy(p->buf + p->n, tmp, k);
		p->n += k;
		p->buf[p->n] = 0;
		return;
	}
	/* EOF, or a reset: the connection is over */
	p->closed = true;
	close(p->fd);
}

/* reads what the open peers receive until every one is closed or until */
static void pump(struct peer *p, int n, long long until)
{
	struct pollfd pf[MAXP];
	int map[MAXP];

	for (;;) {
		long long now = ms();
		int k = 0;

		for (int i = 0; i < n; i++)
			if (!p[i].closed) {
				pf[k] = (struct pollfd){ .fd = p[i].fd, .events = POLLIN };
				map[k++] = i;
			}
		if (!k || now >= until)
			return;
		if (poll(pf, k, until - now) <= 0)
			continue;
		for (int j = 0; j < k; j++)
			if (pf[j].revents)
				read_peer(&p[map[j]]);
	}
}

/* Connects n peers at once (non-blocking), giving each 10 s: three SYN
 * retries (1, 2, 4 s) still connect, so a peer that does not means the
 * server stopped accepting; connecting one after the other instead made a
 * few retries in an emulated guest use up the time of the peers after them.
 * Returns how many could not connect and says why on stderr. */
static int open_peers(struct peer *p, int n)
{
	struct pollfd pf[MAXP];
	int map[MAXP], fail = 0;
	bool up[MAXP] = { false };
	long long end = ms() + 10000;

	for (int i = 0; i < n; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (p[i].fd >= 0 && connect(p[i].fd, ai->ai_addr, ai->ai_addrlen) &&
		    errno != EINPROGRESS) {
			fprintf(stderr, "connect: %s\n", strerror(errno));
			close(p[i].fd);
			p[i].fd = -1;
		}
		p[i].closed = p[i].fd < 0;
		fail += p[i].closed;
	}
	for (;;) {
		long long now = ms();
		int k = 0;

		for (int i = 0; i < n; i++)
			if (!p[i].closed && !up[i]) {
				pf[k] = (struct pollfd){ .fd = p[i].fd, .events = POLLOUT };
				map[k++] = i;
			}
		if (!k)
			break;
		if (now >= end) {
			fprintf(stderr, "connect: %d still pending after 10 s\n", k);
			for (int j = 0; j < k; j++) {
				close(p[map[j]].fd);
				p[map[j]].fd = -1;
				p[map[j]].closed = true;
			}
			fail += k;
			break;
		}
		if (poll(pf, k, end - now) <= 0)
			continue;
		for (int j = 0; j < k; j++) {
			struct peer *q = &p[map[j]];
			int err = 0;
			socklen_t len = sizeof(err);

			if (!pf[j].revents)
				continue;
			getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (!err) {
				up[map[j]] = true;
				continue;
			}
			/* a reset: accepted, then closed by the server (a
			 * 503 or an eviction) before this poll saw it */
			q->closed = true;
			close(q->fd);
			if (err == ECONNRESET || err == EPIPE)
				continue;
			fprintf(stderr, "connect: %s\n", strerror(err));
			q->fd = -1;
			fail++;
		}
	}
	return fail;
}

static int mode_slow(void)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\n";
	struct peer p[40];
	int fail = open_peers(p, 40), n408 = 0, refused = 0, bad = 0;
	long long t0 = ms();

	for (int s = 0; s < 8; s++) {
		for (int i = 0; i < 40; i++)
			if (!p[i].closed)
				send(p[i].fd, req + s, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		pump(p, 40, t0 + (s + 1) * 1000);
	}
	pump(p, 40, t0 + 10000);
	for (int i = 0; i < 40; i++) {
		if (!p[i].closed) {
			bad++;
			close(p[i].fd);
		} else if (status(&p[i]) == 408) {
			n408++;
		} else if (status(&p[i]) == 503 || !p[i].n) {
			refused++;
		} else {
			bad++;
		}
	}
	bad += fail;
	printf("slow: 408 x%d, refused x%d, wrong or still open x%d\n", n408, refused, bad);
	return bad ? 1 : 0;
}

static int mode_huge(void)
{
	static const char start[] = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Huge: ";
	size_t len = (1 << 20) + sizeof(start), off = 0;
	char *req = malloc(len);
	struct peer p = { .fd = dial() };
	long long end = ms() + 10000;

	if (!req || p.fd < 0) {
		printf("huge: cannot connect\n");
		return 1;
	}
	memset(req, 'a', len);
	memcpy(req, start, sizeof(start) - 1);
	memcpy(req + len - 4, "\r\n\r\n", 4);
	while (!p.closed && ms() < end) {
		/* sending until answered: the answer may come before the end */
		struct pollfd pf = { .fd = p.fd,
				     .events = POLLIN | (off < len && !p.n ? POLLOUT : 0) };

		if (poll(&pf, 1, 100) <= 0)
			continue;
		if (pf.revents & POLLOUT) {
			ssize_t r = send(p.fd, req + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);

			if (r > 0)
				off += r;
		}
		if (pf.revents & (POLLIN | POLLERR | POLLHUP))
			read_peer(&p);
	}
	if (!p.closed)
		close(p.fd);
	free(req);
	printf("huge: %d\n", status(&p));
	return status(&p) == 431 && p.closed ? 0 : 1;
}

static int mode_many(void)
{
	static const char get[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
	static struct peer p[MAXP];
	int fail = open_peers(p, MAXP), held = 0, refused = 0, bad = 0;
	struct peer g = { .fd = -1 };

	pump(p, MAXP, ms() + 3000);
	for (int i = 0; i < MAXP; i++) {
		if (p[i].fd < 0)
			continue;
		/* 408: held until the server's timeout, which the 3 s may
		 * reach when connects were slow (a SYN retried after 1 s when
		 * the port collides with one of the last run's TIME_WAITs) */
		if (!p[i].closed || status(&p[i]) == 408) {
			held++;
			if (!p[i].closed)
				close(p[i].fd);
		} else if (status(&p[i]) == 503 || !p[i].n) {
			refused++;
		} else {
			bad++;
		}
	}
	/* the server is free again */
	usleep(200000);
	g.fd = dial();
	if (g.fd >= 0 && send(g.fd, get, sizeof(get) - 1, MSG_NOSIGNAL) == sizeof(get) - 1)
		pump(&g, 1, ms() + 3000);
	if (g.fd >= 0 && !g.closed)
		close(g.fd);
	printf("many: held %d, refused %d, connect failed %d, wrong %d; then GET: %d\n",
	       held, refused, fail, bad, status(&g));
	return !fail && !bad && held <= MAX_CONN && status(&g) == 200 ? 0 : 1;
}

static int mode_garbage(void)
{
	unsigned int seed = time(NULL) ^ getpid();
	int n400 = 0, other = 0;
	char junk[4096];

	srand(seed);
	for (int i = 0; i < 20; i++) {
		size_t len = 64 + rand() % (sizeof(junk) - 64);
		struct peer p = { .fd = dial() };

		for (size_t j = 0; j < len; j++)
			junk[j] = rand();
		if (p.fd < 0 || send(p.fd, junk, len, MSG_NOSIGNAL) != (ssize_t)len) {
			other++;
			if (p.fd >= 0)
				close(p.fd);
			continue;
		}
		pump(&p, 1, ms() + 3000);
		if (!p.closed)
			close(p.fd);
		if (status(&p) == 400 && p.closed)
			n400++;
		else
			other++;
	}
	printf("garbage: 400 x%d, other x%d (seed %u)\n", n400, other, seed);
	return other ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };

	if (argc != 4 || getaddrinfo(argv[1], argv[2], &hints, &ai)) {
		fprintf(stderr, "usage: http_abuse HOST PORT slow|huge|many|garbage "
			"(HOST numeric)\n");
		return 2;
	}
	if (!strcmp(argv[3], "slow"))
		return mode_slow();
	if (!strcmp(argv[3], "huge"))
		return mode_huge();
	if (!strcmp(argv[3], "many"))
		return mode_many();
	if (!strcmp(argv[3], "garbage"))
		return mode_garbage();
	fprintf(stderr, "http_abuse: unknown mode '%s'\n", argv[3]);
	return 2;
}
