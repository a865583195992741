// SPDX-License-Identifier: GPL-2.0
/*
 * udpbench: small-packet UDP load for the nettrace benchmarks.
 *
 *   udpbench send ADDR PORT [-t SECONDS] [-n MAXPKTS] [-s SIZE] [-b BATCH]
 *       Sends SIZE-byte datagrams (default 18) to ADDR:PORT with sendmmsg()
 *       in batches of BATCH (default 64) until SECONDS (default 2) elapsed
 *       or MAXPKTS (default 50,000,000) were sent, whichever comes first.
 *       The socket is not connected, so the ICMP port-unreachable errors a
 *       closed port sends back never fail a send.
 *       Prints one line:  sent=N elapsed_ns=N cpu_ns=N errors=N
 *       (cpu_ns: user+system time of this process from getrusage, which on
 *       loopback includes the receive softirq run on the way out of send).
 *
 *   udpbench sink ADDR PORT [-t SECONDS]
 *       Binds ADDR:PORT, receives with recvmmsg() until SECONDS elapsed or
 *       the socket stayed idle for 1 s after the first datagram.  Prints
 *         received=N
 *       It writes "ready" to stderr once bound.
 *
 *   udpbench count
 *       A consumer of nettrace's output that only counts: reads stdin in
 *       large blocks until EOF, passes the status lines ("begin trace",
 *       "end trace", "summary:", "*** lost") through to stdout at once, and
 *       at EOF prints:  counted: N lines, N packets  (packets: lifecycle
 *       "*****" block headers).  Status lines are not counted.  Reads with
 *       a 1 MiB pipe and sleeps 10 ms after a short read, so the writer on
 *       the same CPU is not preempted by it at every write.
 *
 * IPv4 only; every run is bounded in time and count.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXBATCH 256

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned long long cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
}

static int count_main(void)
{
	static char in[1 << 16];
	static const char *const status[] = { "begin trace", "end trace", "summary:", "*** lost" };
	char line[512];
	size_t ll = 0;
	unsigned long long lines = 0, blocks = 0;
	ssize_t n;

	/* A 1 MiB pipe: the writer (nettrace, on the same CPU) fills it in
	 * fewer, larger steps instead of blocking every 64 KiB. */
	fcntl(0, F_SETPIPE_SZ, 1 << 20);
	for (;;) {
		char *p, *end, *nl;

		n = read(0, in, sizeof(in));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* Not blocked in read() while the writer runs: its write(2)s
		 * then wake nobody, and the CPU they share is not switched
		 * back and forth for every 64 KiB (that was most of the
		 * writer's measured time).  10 ms of a 1 MiB pipe is
		 * > 100 MB/s. */
		if ((size_t)n < sizeof(in))
			nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
		for (p = in, end = in + n; p < end; p = nl + 1) {
			size_t k;
			unsigned int i;
			int st = 0;

			nl = memchr(p, '\n', end - p);
			k = (nl ? nl : end) - p;
			if (ll < sizeof(line) - 1) {
				size_t c = k < sizeof(line) - 1 - ll ? k : sizeof(line) - 1 - ll;

				memcpy(line + ll, p, c);
				ll += c;
			}
			if (!nl)
				break;
			line[ll] = 0;
			for (i = 0; i < sizeof(status) / sizeof(status[0]); i++)
				if (!strncmp(line, status[i], strlen(status[i])))
					st = 1;
			if (st) {
				printf("%s\n", line);
				fflush(stdout);
			} else {
				lines++;
				if (!strncmp(line, "********", 8))
					blocks++;
			}
			ll = 0;
		}
	}
	printf("counted: %llu lines, %llu packets\n", lines, blocks);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: udpbench send ADDR PORT [-t SEC] [-n MAX] [-s SIZE] [-b BATCH]\n"
			"       udpbench sink ADDR PORT [-t SEC]\n"
			"       udpbench count\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static char buf[MAXBATCH][2048];
	struct mmsghdr msgs[MAXBATCH];
	struct iovec iov[MAXBATCH];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	double secs = 2;
	unsigned long long max = 50000000ULL, sent = 0, errors = 0, t0, c0, deadline;
	int size = 18, batch = 64, fd, opt, i, sink;

	if (argc == 2 && !strcmp(argv[1], "count"))
		return count_main();
	if (argc < 4)
		usage();
	if (!strcmp(argv[1], "send"))
		sink = 0;
	else if (!strcmp(argv[1], "sink"))
		sink = 1;
	else
		usage();
	if (inet_pton(AF_INET, argv[2], &sin.sin_addr) != 1)
		usage();
	sin.sin_port = htons(atoi(argv[3]));
	optind = 4;
	while ((opt = getopt(argc, argv, "t:n:s:b:")) != -1) {
		switch (opt) {
		case 't': secs = atof(optarg); break;
		case 'n': max = strtoull(optarg, NULL, 0); break;
		case 's': size = atoi(optarg); break;
		case 'b': batch = atoi(optarg); break;
		default: usage();
		}
	}
	if (secs <= 0 || secs > 60 || size < 1 || size > 1400 || batch < 1 || batch > MAXBATCH)
		usage();

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < MAXBATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = sink ? sizeof(buf[i]) : (size_t)size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		if (!sink) {
			msgs[i].msg_hdr.msg_name = &sin;
			msgs[i].msg_hdr.msg_namelen = sizeof(sin);
			memset(buf[i], 'x', size);
		}
	}

	if (sink) {
		int rcv = 16 << 20, got_any = 0;
		unsigned long long received = 0, last = 0;

		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
			perror("bind");
			return 1;
		}
		fprintf(stderr, "ready\n");
		t0 = now_ns();
		deadline = t0 + (unsigned long long)(secs * 1e9);
		for (;;) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			unsigned long long t = now_ns();
			int n;

			if (t >= deadline || (got_any && t - last > 1000000000ULL))
				break;
			if (poll(&pfd, 1, 100) <= 0)
				continue;
			n = recvmmsg(fd, msgs, batch, MSG_DONTWAIT, NULL);
			if (n > 0) {
				received += n;
				got_any = 1;
				last = now_ns();
			}
		}
		printf("received=%llu\n", received);
		return 0;
	}

	t0 = now_ns();
	c0 = cpu_ns();
	deadline = t0 + (unsigned long long)(secs * 1e9);
	while (sent < max) {
		int want = batch, n;

		if (max - sent < (unsigned long long)want)
			want = max - sent;
		n = sendmmsg(fd, msgs, want, 0);
		if (n < 0) {
			if (errno != EINTR && errno != ENOBUFS && errno != ECONNREFUSED &&
			    errno != EAGAIN) {
				perror("sendmmsg");
				return 1;
			}
			errors++;
		} else {
			sent += n;
		}
		if (now_ns() >= deadline)
			break;
	}
	printf("sent=%llu elapsed_ns=%llu cpu_ns=%llu errors=%llu\n", sent, now_ns() - t0,
	       cpu_ns() - c0, errors);
	return 0;
}
