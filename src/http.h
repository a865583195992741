/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HTTP endpoint of --monitor --metrics ADDR: a tiny HTTP/1.x server that
 * serves GET and HEAD of /metrics (Prometheus text format) and nothing else.
 *
 * It runs in its own thread, one poll(2) loop over the listening socket, the
 * clients and a wake-up eventfd, so that nothing a client does (connecting
 * and sending nothing, sending forever, not reading the answer, opening
 * hundreds of connections) can stall the tracing thread: every socket is
 * non-blocking, every phase of a connection has a deadline, the number of
 * connections is capped, and one request is served per connection.
 *
 * A connection goes through three phases:
 *   read    until nt_http_judge() has a verdict (NT_HTTP_READ_MS, then 408);
 *   write   the response (NT_HTTP_WRITE_MS, then dropped);
 *   linger  our side shut down, the client's leftovers read and discarded
 *           until it closes (NT_HTTP_LINGER_MS / NT_HTTP_LINGER_MAX), so that
 *           closing with unread bytes does not reset the connection and
 *           destroy the answer before the client has read it (431, 400).
 */
#ifndef NT_HTTP_H
#define NT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Request line and headers, blank line included: more is answered 431.
 * Prometheus and curl send a few hundred bytes. */
#define NT_HTTP_MAX_REQ		8192
/* Connections served at once.  One more takes the slot of the connection
 * that has waited longest for its request (slowloris clients cannot keep a
 * scraper out); when all are being answered it gets a 503 and is closed at
 * once, so the listen backlog never fills and a scraper gets a quick answer. */
#define NT_HTTP_MAX_CONN	32
/* Listen backlog: only covers the moment between two accept rounds, which
 * on a slow (emulated) machine can see a few hundred connects; the kernel
 * caps it at net.core.somaxconn. */
#define NT_HTTP_BACKLOG		256
/* Time from accept to a complete request (slowloris), then 408. */
#define NT_HTTP_READ_MS		5000
/* Time to write a whole response to a client that does not read it. */
#define NT_HTTP_WRITE_MS	5000
/* After the response: time and bytes read and discarded while waiting for
 * the client to close. */
#define NT_HTTP_LINGER_MS	1000
#define NT_HTTP_LINGER_MAX	(4 << 20)
/* Pause of accept(2) after EMFILE/ENFILE/ENOMEM: the pending connection
 * keeps the socket readable, and retrying at once would spin. */
#define NT_HTTP_ACCEPT_PAUSE_MS	100
/* The address of a port given alone: loopback unless told otherwise. */
#define NT_HTTP_DEFAULT_HOST	"127.0.0.1"
/* The Prometheus text exposition format. */
#define NT_HTTP_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/*
 * Produces the body of GET /metrics, in the server thread (so it must lock
 * what the tracing thread writes); *body is malloc'd and the server frees it.
 * 0 or -errno (the client then gets a 500).  Also called for HEAD, whose
 * answer carries the body's length.
 */
typedef int (*nt_http_render_fn)(void *arg, char **body, size_t *len);

struct nt_http;

/*
 * Parses a listen address: "9464" (a port alone: NT_HTTP_DEFAULT_HOST),
 * "127.0.0.1:9464", "0.0.0.0:9464", "[::1]:9464", "[::]:9464" or
 * "localhost:9464" (127.0.0.1).  Addresses are numeric: no other name is
 * resolved, nor an IPv6 scope.  Ports are 1-65535.  0, or -EINVAL with a
 * one-line reason in err.
 */
int nt_http_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len, char *err,
		       size_t errlen);

/*
 * Parses addr (as nt_http_parse_addr), binds (SO_REUSEADDR; an IPv6 socket
 * keeps the system's IPV6_V6ONLY default) and listens, then starts the
 * server thread, which calls render for every GET or HEAD of /metrics.
 * The thread blocks every signal.  0, or -errno with one line naming the
 * address in err ("cannot listen on 127.0.0.1:9464: Address already in use").
 */
int nt_http_start(struct nt_http **h, const char *addr, nt_http_render_fn render, void *arg,
		  char *err, size_t errlen);

/* Stops the thread, closes every socket and frees.  NULL is fine. */
void nt_http_stop(struct nt_http *h);

/*
 * The request check the server runs on the bytes received so far (pure,
 * exposed for the unit tests).  Returns 0 when more bytes are needed, or the
 * status to answer:
 *   200  GET or HEAD of /metrics (a query string is fine)
 *   404  another path
 *   405  another method (for any path: the server has nothing else)
 *   400  malformed: a request line that is not "METHOD SP TARGET SP
 *        HTTP/d.d", a bad header line, control or non-ASCII bytes; known
 *        as soon as the bad line (or byte) is seen
 *   431  no blank line within NT_HTTP_MAX_REQ bytes
 *   505  a version other than HTTP/1.x
 * Lines may end in CRLF or LF alone.  *head is set when the method is HEAD
 * (the answer then has no body, whatever the status).
 */
int nt_http_judge(const char *req, size_t len, bool *head);

#endif
