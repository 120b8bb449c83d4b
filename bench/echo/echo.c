/* echo: the floor of the benchmarks, a bare epoll server that does no real
 * work.
 *
 * For every newline-terminated line it receives it writes back
 *
 *     {"jsonrpc":"2.0","result":0,"id":<the id of the line>}\n
 *
 * finding the id with a plain search for "id": (no JSON parsing, params are
 * never read, no method runs). The load generator drives it with
 * `-proto jsonrpc2 -check none`: it checks that one reply with a pending id
 * arrives per request, not the result.
 *
 * With --http it is the floor of the HTTP scenario instead: for every
 * complete HTTP/1.1 request (a header ended by an empty line, then
 * Content-Length bytes of body) it writes back a fixed 200 response with a
 * JSON-RPC 2.0 body, keeping the connection open. The request is not
 * otherwise read; wrk drives it as it drives the real servers.
 *
 * What it shows is the cost of the sockets alone: one thread, epoll in
 * level-triggered mode, one read() per readable connection per wakeup and
 * one write() for all the replies that read produced.
 *
 *     echo [--http] PORT   listens on 127.0.0.1:PORT, prints "listening ADDR"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { IN_CAP = 64 * 1024, OUT_PAUSE = 1 << 20, MAX_EVENTS = 256 };

struct conn {
    int fd;
    size_t in_len;
    char *out;
    size_t out_len, out_off, out_cap;
    int paused; /* EPOLLIN off while the peer does not read our replies */
    char in[IN_CAP];
};

static int ep;

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void out_append(struct conn *c, const char *p, size_t n) {
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + n) cap *= 2;
        c->out = realloc(c->out, cap);
        if (!c->out) die("realloc");
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
}

/* The id token after "id": up to ',', '}' or whitespace; "null" if none. */
static void reply_to(struct conn *c, const char *line, size_t n) {
    static const char head[] = "{\"jsonrpc\":\"2.0\",\"result\":0,\"id\":";
    const char *id = "null";
    size_t id_len = 4;
    const char *k = memmem(line, n, "\"id\":", 5);
    if (k) {
        const char *p = k + 5, *end = line + n;
        while (p < end && *p == ' ') p++;
        const char *q = p;
        while (q < end && *q != ',' && *q != '}' && *q != ' ' && *q != '\r') q++;
        if (q > p) {
            id = p;
            id_len = (size_t)(q - p);
        }
    }
    out_append(c, head, sizeof head - 1);
    out_append(c, id, id_len);
    out_append(c, "}\n", 2);
}

static void set_events(struct conn *c) {
    struct epoll_event ev = {.events = (c->paused ? 0u : EPOLLIN) | (c->out_len > c->out_off ? EPOLLOUT : 0u),
                             .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl");
}

static void close_conn(struct conn *c) {
    close(c->fd); /* also leaves the epoll set */
    free(c->out);
    free(c);
}

/* One write of what is pending (EPOLLOUT brings us back if it was short);
 * 0 if the connection must close. */
static int flush_out(struct conn *c) {
    ssize_t w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
    if (w < 0) return errno == EAGAIN || errno == EINTR;
    c->out_off += (size_t)w;
    if (c->out_off == c->out_len) c->out_off = c->out_len = 0;
    return 1;
}

static int http_mode;

/* The length of the complete HTTP request at the start of `p`, 0 if it is
 * not all here yet. */
static size_t http_request_length(const char *p, size_t n) {
    const char *end = memmem(p, n, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t header = (size_t)(end - p) + 4, body = 0;
    for (const char *q = p; q < end; q++) {
        if ((q == p || q[-1] == '\n') && strncasecmp(q, "content-length:", 15) == 0) {
            body = strtoul(q + 15, NULL, 10);
            break;
        }
    }
    return header + body <= n ? header + body : 0;
}

static void http_requests(struct conn *c, size_t *start) {
    static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 36\r\n\r\n"
                                "{\"jsonrpc\":\"2.0\",\"result\":0,\"id\":1}\n";
    size_t n;
    while ((n = http_request_length(c->in + *start, c->in_len - *start)) > 0) {
        out_append(c, reply, sizeof reply - 1);
        *start += n;
    }
}

/* Every complete line: a JSON-RPC 2.0 request. */
static void line_requests(struct conn *c, size_t *start) {
    for (;;) {
        char *nl = memchr(c->in + *start, '\n', c->in_len - *start);
        if (!nl) break;
        size_t end = (size_t)(nl - c->in);
        reply_to(c, c->in + *start, end - *start);
        *start = end + 1;
    }
}

static int on_readable(struct conn *c) {
    ssize_t r = read(c->fd, c->in + c->in_len, IN_CAP - c->in_len);
    if (r == 0) return 0;
    if (r < 0) return errno == EAGAIN || errno == EINTR;
    c->in_len += (size_t)r;
    size_t start = 0;
    if (http_mode) http_requests(c, &start);
    else line_requests(c, &start);
    if (start == 0 && c->in_len == IN_CAP) return 0; /* a line longer than the buffer */
    memmove(c->in, c->in + start, c->in_len - start);
    c->in_len -= start;
    return 1;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--http") == 0) {
        http_mode = 1;
        argv++;
        argc--;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: echo [--http] PORT\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (ls < 0) die("socket");
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0) die("bind");
    if (listen(ls, 1024) < 0) die("listen");
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, ls, &lev) < 0) die("epoll_ctl");
    printf("listening 127.0.0.1:%s\n", argv[1]);
    fflush(stdout);

    struct epoll_event evs[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, evs, MAX_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    c = calloc(1, sizeof *c);
                    if (!c) die("calloc");
                    c->fd = fd;
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
                }
                continue;
            }
            size_t pending_before = c->out_len - c->out_off;
            int paused_before = c->paused;
            if ((evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && !on_readable(c)) {
                close_conn(c);
                continue;
            }
            if (c->out_len > c->out_off && !flush_out(c)) {
                close_conn(c);
                continue;
            }
            c->paused = c->out_len - c->out_off > OUT_PAUSE;
            int want_out = c->out_len > c->out_off;
            if (want_out != (pending_before > 0) || c->paused != paused_before) set_events(c);
        }
    }
}
