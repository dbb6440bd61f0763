/* dynamo-local-shim: a DynamoDB-compatible server on SQLite. */
#include "httpd.h"
#include "protocol.h"
#include "shim.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The Time to Live sweeper: once a second, until told to stop. */
typedef struct sweeper {
    shim_t *shim;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
} sweeper_t;

static void *sweep(void *arg)
{
    sweeper_t *sw = arg;
    pthread_mutex_lock(&sw->lock);
    while (!sw->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&sw->wake, &sw->lock, &until);
        if (sw->stop) break;
        pthread_mutex_unlock(&sw->lock);
        shim_expire(sw->shim);
        pthread_mutex_lock(&sw->lock);
    }
    pthread_mutex_unlock(&sw->lock);
    return NULL;
}

static void usage(FILE *f)
{
    fprintf(
        f, "usage: dynamo-local-shim [options]\n"
           "\n"
           "A DynamoDB-compatible HTTP server (JSON protocol 2012-08-10) on SQLite.\n"
           "\n"
           "  --host ADDR     address to listen on (default 127.0.0.1; anything else\n"
           "                  exposes the unauthenticated tables to that network)\n"
           "  --port N        port to listen on (default 8000, as DynamoDB Local; 0 picks one)\n"
           "  --db FILE       keep the tables in this SQLite file (WAL mode); default: in memory,\n"
           "                  gone when the server stops\n"
           "  --region NAME   region shown in table ARNs and the health line (default us-east-1)\n"
           "  --help          this text\n" SIGCHECK_USAGE "\n"
           "Once listening it prints \"listening on http://ADDR:PORT\" on stdout.\n"
           "SIGINT or SIGTERM stops it cleanly.\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"host", required_argument, NULL, 'h'},
        {"port", required_argument, NULL, 'p'},
        {"db", required_argument, NULL, 'd'},
        {"region", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'H'},
        {"auth", required_argument, NULL, 'a'},
        {"credentials", required_argument, NULL, 'c'},
        {"access-key-id", required_argument, NULL, 'k'},
        {"secret-access-key", required_argument, NULL, 's'},
        {"session-token", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    const char *host = "127.0.0.1", *db = NULL, *region = "us-east-1";
    const char *auth_mode = "none", *cred_file = NULL, *akid = NULL, *secret = NULL, *token = NULL;
    long port = 8000;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'h': host = optarg; break;
        case 'd': db = optarg; break;
        case 'r': region = optarg; break;
        case 'p':
            port = strtol(optarg, &end, 10);
            if (*end || port < 0 || port > 65535) {
                fprintf(stderr, "dynamo-local-shim: --port wants 0..65535, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'a': auth_mode = optarg; break;
        case 'c': cred_file = optarg; break;
        case 'k': akid = optarg; break;
        case 's': secret = optarg; break;
        case 't': token = optarg; break;
        case 'H': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "dynamo-local-shim: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }

    sigcheck_t *auth = NULL;
    char why[512];
    if (sigcheck_from_options(auth_mode, cred_file, akid, secret, token, region, "dynamodb", &auth,
                              why, sizeof why)) {
        fprintf(stderr, "dynamo-local-shim: %s\n", why);
        return 2;
    }

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* the server thread inherits the mask */
    signal(SIGPIPE, SIG_IGN);

    shim_t *shim;
    shim_err_t se = shim_open(db, region, &shim);
    if (se) {
        fprintf(stderr, "dynamo-local-shim: %s%s%s\n", shim_strerror(se), db ? ": " : "",
                db ? db : "");
        sigcheck_free(auth);
        return 1;
    }
    protocol_t proto = {shim, auth};
    httpd_config_t cfg = {
        .host = host,
        .port = (uint16_t)port,
        .max_body = SHIM_MAX_REQUEST,
        .threads = 1,
        .handler = protocol_handle,
        .ctx = &proto,
    };
    httpd_t *srv;
    httpd_err_t he = httpd_start(&cfg, &srv);
    if (he) {
        fprintf(stderr, "dynamo-local-shim: %s:%ld: %s\n", host, port, httpd_strerror(he));
        shim_close(shim);
        sigcheck_free(auth);
        return 1;
    }
    printf("listening on http://%s:%u\n", host, httpd_port(srv));
    fflush(stdout);

    sweeper_t sw = {.shim = shim, .stop = 0};
    pthread_mutex_init(&sw.lock, NULL);
    pthread_cond_init(&sw.wake, NULL);
    pthread_t sweeper;
    int sweeping = pthread_create(&sweeper, NULL, sweep, &sw) == 0;
    if (!sweeping) fprintf(stderr, "dynamo-local-shim: no Time to Live sweeper: out of threads\n");

    int sig;
    sigwait(&set, &sig);
    httpd_stop(srv);
    if (sweeping) {
        pthread_mutex_lock(&sw.lock);
        sw.stop = 1;
        pthread_cond_signal(&sw.wake);
        pthread_mutex_unlock(&sw.lock);
        pthread_join(sweeper, NULL);
    }
    shim_close(shim);
    sigcheck_free(auth);
    return 0;
}
