/* bench-netproxy: the network model of `make local-bench`. A proxy on
 * 127.0.0.1 in front of dynamo-local-shim that makes the shim look like a
 * DynamoDB endpoint across a network:
 *
 *   - TLS (with --cert/--key; OpenSSL): the functions verify the server with
 *     the CA given to them in AWS_CA_BUNDLE, so a new connection pays a real
 *     handshake and certificate check, as against dynamodb.<region>.amazonaws.com;
 *   - an added round trip per request (netmodel: fixed, uniform or
 *     lognormal), paid once when a request starts after the previous answer;
 *   - connection setup: one round trip for TCP and, with TLS, one more for
 *     the TLS 1.3 handshake, paid before the handshake is answered.
 *
 * One thread per client connection and one upstream connection for it, so
 * keep-alive behaves as the shim makes it behave. Bytes are forwarded in
 * 16 KB chunks; nothing is buffered beyond one chunk per direction. Binds
 * 127.0.0.1 only. Prints "listening on http[s]://127.0.0.1:PORT" once ready;
 * SIGINT or SIGTERM stops it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netmodel.h"

#define CHUNK (16 * 1024)
#define MAX_CONNECTIONS 256

static volatile sig_atomic_t stopping;
static atomic_int live_connections;

typedef struct proxy {
    netmodel_t model;
    SSL_CTX *tls; /* NULL: plain TCP */
    char upstream_host[256];
    char upstream_port[16];
    uint64_t seed;
} proxy_t;

typedef struct conn {
    const proxy_t *p;
    int client, upstream;
    SSL *ssl;
    uint64_t rng;
} conn_t;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static void sleep_ms(double ms)
{
    if (ms <= 0) return;
    long long ns = (long long)(ms * 1e6);
    struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    nanosleep(&ts, NULL);
}

static int connect_upstream(const proxy_t *p)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(p->upstream_host, p->upstream_port, &hints, &res) != 0) return -1;
    int fd = -1;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return fd;
}

/* Reads from the client (through TLS when on): >0 bytes, 0 at the end. */
static ssize_t client_read(conn_t *c, char *buf, size_t n)
{
    if (!c->ssl) return read(c->client, buf, n);
    int r = SSL_read(c->ssl, buf, (int)n);
    return r > 0 ? r : (SSL_get_error(c->ssl, r) == SSL_ERROR_ZERO_RETURN ? 0 : -1);
}

static int client_write(conn_t *c, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = c->ssl ? SSL_write(c->ssl, buf, (int)n) : write(c->client, buf, n);
        if (w <= 0) return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

static int fd_write(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w <= 0) return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Pumps bytes both ways until either side closes. A request pays one round
 * trip when its first bytes arrive after the previous answer. */
static void pump(conn_t *c)
{
    char *buf = malloc(CHUNK);
    int awaiting_request = 1;
    if (!buf) return;
    while (!stopping) {
        struct pollfd fds[2] = {{c->client, POLLIN, 0}, {c->upstream, POLLIN, 0}};
        int pending = c->ssl && SSL_pending(c->ssl) > 0;
        if (!pending && poll(fds, 2, 500) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (pending || (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t n = client_read(c, buf, CHUNK);
            if (n <= 0) break;
            if (awaiting_request) {
                sleep_ms(netmodel_sample(&c->p->model, &c->rng));
                awaiting_request = 0;
            }
            if (fd_write(c->upstream, buf, (size_t)n) != 0) break;
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(c->upstream, buf, CHUNK);
            if (n <= 0) break;
            if (client_write(c, buf, (size_t)n) != 0) break;
            awaiting_request = 1;
        }
    }
    free(buf);
}

static void *serve(void *arg)
{
    conn_t *c = arg;
    /* Connection setup: the TCP handshake's round trip, and with TLS the
     * TLS 1.3 handshake's, before the server's first answer. */
    sleep_ms(netmodel_sample(&c->p->model, &c->rng));
    if (c->p->tls) {
        sleep_ms(netmodel_sample(&c->p->model, &c->rng));
        if (!(c->ssl = SSL_new(c->p->tls)) || SSL_set_fd(c->ssl, c->client) != 1 ||
            SSL_accept(c->ssl) != 1)
            goto out;
    }
    if ((c->upstream = connect_upstream(c->p)) < 0) goto out;
    pump(c);
out:
    if (c->ssl) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    if (c->upstream >= 0) close(c->upstream);
    close(c->client);
    free(c);
    atomic_fetch_sub(&live_connections, 1);
    return NULL;
}

static void usage(FILE *f)
{
    fputs("usage: bench-netproxy --upstream HOST:PORT [--port N] [--cert PEM --key PEM]\n"
          "                      [--rtt-ms MS] [--rtt-dist fixed|uniform|lognormal]\n"
          "                      [--rtt-spread X] [--seed N]\n"
          "\n"
          "A proxy on 127.0.0.1 that adds a network round trip (per request, and for\n"
          "TCP + TLS setup per connection) and, with --cert/--key, TLS in front of a\n"
          "plain HTTP server. Prints \"listening on http[s]://127.0.0.1:PORT\".\n"
          "  --rtt-ms MS       median added round trip (default 0)\n"
          "  --rtt-dist D      fixed (default), uniform (MS*(1 +- X)), lognormal (sigma X)\n"
          "  --rtt-spread X    default 0.25\n",
          f);
}

int main(int argc, char **argv)
{
    proxy_t p;
    memset(&p, 0, sizeof p);
    const char *upstream = NULL, *cert = NULL, *key = NULL, *dist = "fixed";
    double rtt = 0, spread = 0.25;
    long port = 0;
    p.seed = 42;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define TAKE(name) (strcmp(a, name) == 0 && v && (i++, 1))
        if (TAKE("--upstream"))
            upstream = v;
        else if (TAKE("--port"))
            port = strtol(v, NULL, 10);
        else if (TAKE("--cert"))
            cert = v;
        else if (TAKE("--key"))
            key = v;
        else if (TAKE("--rtt-ms"))
            rtt = strtod(v, NULL);
        else if (TAKE("--rtt-dist"))
            dist = v;
        else if (TAKE("--rtt-spread"))
            spread = strtod(v, NULL);
        else if (TAKE("--seed"))
            p.seed = strtoull(v, NULL, 10);
        else if (strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
#undef TAKE
    }
    const char *colon = upstream ? strrchr(upstream, ':') : NULL;
    if (!colon || colon == upstream || (size_t)(colon - upstream) >= sizeof p.upstream_host ||
        strlen(colon + 1) >= sizeof p.upstream_port || port < 0 || port > 65535 ||
        (!cert != !key)) {
        usage(stderr);
        return 2;
    }
    snprintf(p.upstream_host, sizeof p.upstream_host, "%.*s", (int)(colon - upstream), upstream);
    snprintf(p.upstream_port, sizeof p.upstream_port, "%s", colon + 1);
    netmodel_err_t me = netmodel_init(dist, rtt, spread, &p.model);
    if (me != NETMODEL_OK) {
        fprintf(stderr, "bench-netproxy: %s\n", netmodel_strerror(me));
        return 2;
    }
    if (cert) {
        p.tls = SSL_CTX_new(TLS_server_method());
        if (!p.tls || SSL_CTX_use_certificate_chain_file(p.tls, cert) != 1 ||
            SSL_CTX_use_PrivateKey_file(p.tls, key, SSL_FILETYPE_PEM) != 1) {
            fprintf(stderr, "bench-netproxy: cannot load %s / %s: ", cert, key);
            ERR_print_errors_fp(stderr);
            return 1;
        }
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int rc = 1;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    socklen_t alen = sizeof addr;
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(lfd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(lfd, 128) != 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) != 0) {
        fprintf(stderr, "bench-netproxy: cannot listen on 127.0.0.1:%ld: %s\n", port,
                strerror(errno));
        goto out;
    }
    printf("listening on %s://127.0.0.1:%u (upstream %s, round trip %s %.3f ms)\n",
           p.tls ? "https" : "http", ntohs(addr.sin_port), upstream, dist, rtt);
    fflush(stdout);

    uint64_t serial = 0;
    while (!stopping) {
        struct pollfd pfd = {lfd, POLLIN, 0};
        if (poll(&pfd, 1, 200) <= 0) continue;
        int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd < 0) continue;
        if (atomic_load(&live_connections) >= MAX_CONNECTIONS) {
            close(cfd);
            continue;
        }
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conn_t *c = calloc(1, sizeof *c);
        if (!c) {
            close(cfd);
            continue;
        }
        c->p = &p;
        c->client = cfd;
        c->upstream = -1;
        c->rng = p.seed * 0x9E3779B97F4A7C15ull + ++serial;
        pthread_t t;
        atomic_fetch_add(&live_connections, 1);
        if (pthread_create(&t, NULL, serve, c) != 0) {
            atomic_fetch_sub(&live_connections, 1);
            close(cfd);
            free(c);
            continue;
        }
        pthread_detach(t);
    }
    /* Let the connection threads see `stopping` and close (poll wakes every 500 ms). */
    for (int i = 0; i < 30 && atomic_load(&live_connections) > 0; i++) sleep_ms(50);
    rc = 0;
out:
    if (lfd >= 0) close(lfd);
    SSL_CTX_free(p.tls);
    return rc;
}
