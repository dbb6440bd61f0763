/* lambda-emulator: options, start, wait for a signal, stop. */
#define _GNU_SOURCE
#include "cgroup.h"
#include "functions.h"
#include "invoke_api.h"
#include "scheduler.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: lambda-emulator [options] [--] [BOOTSTRAP [ARGS...] [HANDLER]]\n"
    "\n"
    "A local AWS Lambda: the Invoke API and control plane on one address, one\n"
    "Runtime API (2018-06-01) port per execution environment, all served by\n"
    "one thread.\n"
    "\n"
    "With BOOTSTRAP it starts like AWS's Runtime Interface Emulator: one function\n"
    "(named \"function\" unless --function-name says otherwise) whose runtime is\n"
    "BOOTSTRAP run with the remaining arguments, in the current directory, with\n"
    "_HANDLER set to the last argument (when there is more than BOOTSTRAP), e.g.\n"
    "  lambda-emulator ./bootstrap my.handler\n"
    "  lambda-emulator node node_modules/aws-lambda-ric/bin/index.mjs index.handler\n"
    "Without it, functions are created with\n"
    "`aws lambda create-function --endpoint-url http://HOST:PORT ...`.\n"
    "\n"
    "Options:\n"
    "  --host ADDR           Invoke API address (default 127.0.0.1)\n"
    "  --port N              Invoke API port (default 8080; 0 picks one)\n"
    "  --runtime-host ADDR   address of the Runtime API ports (127.0.0.1)\n"
    "  --function-name NAME  the BOOTSTRAP function's name (function)\n"
    "  --handler NAME        its _HANDLER, if not given as HANDLER\n"
    "  --timeout SECONDS     its timeout (300, as RIE)\n"
    "  --memory-size MB      its MemorySize (3008, as RIE)\n"
    "  --env KEY=VALUE       its environment (repeatable)\n"
    "                        (AWS_LAMBDA_FUNCTION_NAME, _TIMEOUT and _MEMORY_SIZE\n"
    "                        in the emulator's environment set these defaults too)\n"
    "  --state-dir DIR       where uploaded code is unpacked (default: a fresh\n"
    "                        directory under $TMPDIR, removed at exit)\n"
    "  --max-concurrency N   busy environments at most; beyond, RequestResponse\n"
    "                        invokes get 429 TooManyRequestsException and Event\n"
    "                        invokes wait in a queue (default 10)\n"
    "  --idle-timeout SECS   reclaim environments idle this long (default 600)\n"
    "  --init-timeout SECS   limit of the init phase, spawn to first /next (10)\n"
    "  --event-retries N     runs more of an Event invoke that ended in a function\n"
    "                        error, with the same request id (0-2; default 2,\n"
    "                        Lambda's MaximumRetryAttempts)\n"
    "  --event-retry-delays A,B  seconds before the first and the second retry\n"
    "                        (default 60,120, as Lambda; fractions allowed)\n"
    "  --region REGION       AWS_REGION given to functions and used in ARNs\n"
    "                        (default $AWS_REGION or us-east-1)\n"
    "  --log-file PATH       write function logs and START/END/REPORT lines here\n"
    "                        (default: standard output)\n"
    "  --cgroup-root DIR     cgroup v1 mount (default /sys/fs/cgroup)\n"
    "  --no-cgroups          use no cgroups at all (see below)\n"
    "  --no-cpu-limit        do not scale CPU to memory\n"
    "  --no-freeze           do not freeze idle environments\n" SIGCHECK_USAGE
    "                        (checked on the Invoke API and control plane, as service\n"
    "                        \"lambda\" in --region)\n"
    "  --help                this text\n"
    "\n"
    "Execution environments: each runtime runs in its own process group with\n"
    "only the variables Lambda sets. Where the cgroup v1 controllers under\n"
    "--cgroup-root are writable, each environment gets a memory group (limit =\n"
    "MemorySize, going over it kills the environment: Runtime.OutOfMemory; Max\n"
    "Memory Used = the group's peak), a cpu group (CFS quota of one vCPU at\n"
    "1,769 MB, scaled linearly) and a freezer group (frozen between invokes).\n"
    "Without cgroups: memory is not limited, Max Memory Used is the peak RSS of\n"
    "the runtime and its children, CPU is not limited, and idle environments\n"
    "are stopped with SIGSTOP/SIGCONT to their process group.\n";

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static unsigned parse_uint(const char *s, const char *what, unsigned max)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || end == s || v > max) {
        fprintf(stderr, "lambda-emulator: bad %s: %s\n", what, s);
        exit(2);
    }
    return (unsigned)v;
}

/* "A,B": two numbers of seconds (fractions allowed) into milliseconds. */
static int parse_delays(const char *s, unsigned out[2])
{
    for (int k = 0; k < 2; k++) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || !(v >= 0 && v <= 3600) || *end != (k == 0 ? ',' : '\0')) return -1;
        out[k] = (unsigned)(v * 1000 + 0.5);
        s = end + 1;
    }
    return 0;
}

/* An absolute path to the bootstrap: as given, or looked up in PATH. */
static char *resolve_command(const char *cmd)
{
    if (strchr(cmd, '/')) return realpath(cmd, NULL);
    const char *path = getenv("PATH");
    if (!path) return NULL;
    char *copy = strdup(path), *save = NULL, *out = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir && !out; dir = strtok_r(NULL, ":", &save)) {
        char full[PATH_MAX];
        snprintf(full, sizeof full, "%s/%s", dir, cmd);
        if (access(full, X_OK) == 0) out = realpath(full, NULL);
    }
    free(copy);
    return out;
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *rapi_host = "127.0.0.1", *state_dir = NULL;
    const char *fname = getenv("AWS_LAMBDA_FUNCTION_NAME");
    const char *handler = NULL, *log_file = NULL, *cgroup_root = "/sys/fs/cgroup";
    const char *region = getenv("AWS_REGION");
    unsigned port = 8080, timeout = 300, memory = 3008, max_conc = 10, idle = 600, init = 10;
    unsigned event_retries = 2, retry_delay_ms[2] = {60000, 120000};
    int cgroups = 1, cpu_limit = 1, freeze = 1, rc = 1;
    const char *auth_mode = "none", *cred_file = NULL, *akid = NULL, *secret = NULL, *token = NULL;
    sigcheck_t *auth = NULL;
    char **vars = calloc((size_t)argc + 1, sizeof *vars);
    size_t nvars = 0;
    if (getenv("AWS_LAMBDA_FUNCTION_TIMEOUT"))
        timeout = parse_uint(getenv("AWS_LAMBDA_FUNCTION_TIMEOUT"), "timeout", 900);
    if (getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"))
        memory = parse_uint(getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"), "memory size", 10240);
    if (!fname) fname = "function";
    if (!region) region = "us-east-1";

    enum {
        O_HOST = 256,
        O_PORT,
        O_RHOST,
        O_FNAME,
        O_HANDLER,
        O_TIMEOUT,
        O_MEM,
        O_ENV,
        O_STATE,
        O_CONC,
        O_IDLE,
        O_INIT,
        O_RETRIES,
        O_DELAYS,
        O_REGION,
        O_LOG,
        O_CGROOT,
        O_NOCG,
        O_NOCPU,
        O_NOFREEZE,
        O_AUTH,
        O_CREDS,
        O_AKID,
        O_SECRET,
        O_TOKEN,
        O_HELP
    };
    static const struct option opts[] = {{"host", 1, 0, O_HOST},
                                         {"port", 1, 0, O_PORT},
                                         {"runtime-host", 1, 0, O_RHOST},
                                         {"function-name", 1, 0, O_FNAME},
                                         {"handler", 1, 0, O_HANDLER},
                                         {"timeout", 1, 0, O_TIMEOUT},
                                         {"memory-size", 1, 0, O_MEM},
                                         {"env", 1, 0, O_ENV},
                                         {"state-dir", 1, 0, O_STATE},
                                         {"max-concurrency", 1, 0, O_CONC},
                                         {"idle-timeout", 1, 0, O_IDLE},
                                         {"init-timeout", 1, 0, O_INIT},
                                         {"event-retries", 1, 0, O_RETRIES},
                                         {"event-retry-delays", 1, 0, O_DELAYS},
                                         {"region", 1, 0, O_REGION},
                                         {"log-file", 1, 0, O_LOG},
                                         {"cgroup-root", 1, 0, O_CGROOT},
                                         {"no-cgroups", 0, 0, O_NOCG},
                                         {"no-cpu-limit", 0, 0, O_NOCPU},
                                         {"no-freeze", 0, 0, O_NOFREEZE},
                                         {"auth", 1, 0, O_AUTH},
                                         {"credentials", 1, 0, O_CREDS},
                                         {"access-key-id", 1, 0, O_AKID},
                                         {"secret-access-key", 1, 0, O_SECRET},
                                         {"session-token", 1, 0, O_TOKEN},
                                         {"help", 0, 0, O_HELP},
                                         {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case O_HOST: host = optarg; break;
        case O_PORT: port = parse_uint(optarg, "port", 65535); break;
        case O_RHOST: rapi_host = optarg; break;
        case O_FNAME: fname = optarg; break;
        case O_HANDLER: handler = optarg; break;
        case O_TIMEOUT: timeout = parse_uint(optarg, "timeout", 900); break;
        case O_MEM: memory = parse_uint(optarg, "memory size", 10240); break;
        case O_ENV:
            if (!strchr(optarg, '=')) {
                fprintf(stderr, "lambda-emulator: --env wants KEY=VALUE\n");
                return 2;
            }
            vars[nvars++] = optarg;
            break;
        case O_STATE: state_dir = optarg; break;
        case O_CONC: max_conc = parse_uint(optarg, "max concurrency", 100000); break;
        case O_IDLE: idle = parse_uint(optarg, "idle timeout", 86400); break;
        case O_INIT: init = parse_uint(optarg, "init timeout", 3600); break;
        case O_RETRIES: event_retries = parse_uint(optarg, "event retries", 2); break;
        case O_DELAYS:
            if (parse_delays(optarg, retry_delay_ms) != 0) {
                fprintf(stderr, "lambda-emulator: --event-retry-delays wants two numbers of "
                                "seconds, 0 to 3600, e.g. 60,120\n");
                return 2;
            }
            break;
        case O_REGION: region = optarg; break;
        case O_LOG: log_file = optarg; break;
        case O_CGROOT: cgroup_root = optarg; break;
        case O_NOCG: cgroups = 0; break;
        case O_NOCPU: cpu_limit = 0; break;
        case O_NOFREEZE: freeze = 0; break;
        case O_AUTH: auth_mode = optarg; break;
        case O_CREDS: cred_file = optarg; break;
        case O_AKID: akid = optarg; break;
        case O_SECRET: secret = optarg; break;
        case O_TOKEN: token = optarg; break;
        case 'h':
        case O_HELP: fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (timeout < 1 || memory < 128 || max_conc < 1 || init < 1) {
        fprintf(stderr, "lambda-emulator: timeout >= 1, memory >= 128, concurrency >= 1\n");
        return 2;
    }

    char why[512];
    if (sigcheck_from_options(auth_mode, cred_file, akid, secret, token, region, "lambda", &auth,
                              why, sizeof why)) {
        fprintf(stderr, "lambda-emulator: %s\n", why);
        return 2;
    }

    /* Signals: the main thread waits for them; every thread inherits the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    char tmp_state[PATH_MAX] = "";
    fn_registry_t *reg = NULL;
    sched_t *sched = NULL;
    invoke_api_t *api = NULL;
    int log_fd = 1;
    char **cmd = NULL;
    if (!state_dir) {
        const char *t = getenv("TMPDIR");
        snprintf(tmp_state, sizeof tmp_state, "%s/lambda-emulator-XXXXXX", t ? t : "/tmp");
        if (!mkdtemp(tmp_state)) {
            perror("lambda-emulator: state directory");
            goto out;
        }
        state_dir = tmp_state;
    } else if (mkdir(state_dir, 0755) != 0 && errno != EEXIST) {
        perror("lambda-emulator: state directory");
        goto out;
    }
    if (log_file) {
        log_fd = open(log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (log_fd < 0) {
            perror("lambda-emulator: log file");
            goto out;
        }
    }
    if (fn_registry_new(state_dir, region, "000000000000", &reg) != FN_OK) goto out;
    if (optind < argc) {
        int n = argc - optind;
        cmd = calloc((size_t)n + 1, sizeof *cmd);
        char *bin = cmd ? resolve_command(argv[optind]) : NULL;
        if (!bin) {
            fprintf(stderr, "lambda-emulator: cannot find %s\n", argv[optind]);
            goto out;
        }
        cmd[0] = bin;
        for (int i = 1; i < n; i++) cmd[i] = argv[optind + i];
        if (!handler && n > 1) handler = argv[argc - 1]; /* RIE: the last argument */
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd) || fn_add_local(reg, fname, cmd, cwd, handler ? handler : "",
                                                     memory, timeout, vars) != FN_OK) {
            fprintf(stderr, "lambda-emulator: cannot register %s\n", fname);
            goto out;
        }
    }
    int have_cg = cgroups && access(cgroup_root, W_OK) == 0;
    if (have_cg) cgroup_sweep_stale(cgroup_root, "lambda-emulator");
    sched_config_t sc = {
        .max_concurrency = max_conc,
        .idle_timeout_ms = idle * 1000u,
        .init_timeout_ms = init * 1000u,
        .use_cgroups = have_cg,
        .limit_cpu = cpu_limit,
        .freeze = freeze,
        .cgroup_root = cgroup_root,
        .rapi_host = rapi_host,
        .region = region,
        .log_fd = log_fd,
        .event_retries = event_retries,
        .retry_delay_ms = {retry_delay_ms[0], retry_delay_ms[1]},
    };
    if (sched_new(&sc, &sched) != SCHED_OK) goto out;
    fn_registry_on_retire(reg, sched_retire, sched);
    invoke_api_err_t ae = invoke_api_start(host, (uint16_t)port, 1, reg, sched, &api);
    if (ae != INVOKE_API_OK) {
        fprintf(stderr, "lambda-emulator: %s:%u: %s\n", host, port, invoke_api_strerror(ae));
        goto out;
    }
    invoke_api_set_auth(api, auth);
    /* Say which v1 controllers environments will get (each one is optional). */
    char ctl_path[PATH_MAX], ctls[64] = "";
    static const char *names[] = {"memory", "cpu", "freezer"};
    int frz = 0;
    for (int i = 0; i < 3 && have_cg; i++) {
        snprintf(ctl_path, sizeof ctl_path, "%s/%s", cgroup_root, names[i]);
        if ((i == 1 && !cpu_limit) || access(ctl_path, W_OK) != 0) continue;
        strcat(ctls, *ctls ? " " : "");
        strcat(ctls, names[i]);
        frz |= i == 2;
    }
    fprintf(stderr, "lambda-emulator: Invoke API on http://%s:%u (cgroups: %s; freeze: %s)\n", host,
            invoke_api_port(api), *ctls ? ctls : "none",
            !freeze ? "off"
            : frz   ? "cgroup freezer"
                    : "SIGSTOP/SIGCONT");
    int sig;
    sigwait(&set, &sig);
    rc = 0;

out:
    if (sched) sched_shutdown(sched);
    invoke_api_stop(api);
    sched_free(sched);
    fn_registry_free(reg);
    sigcheck_free(auth);
    if (cmd) free(cmd[0]);
    free(cmd);
    free(vars);
    if (log_fd > 2) close(log_fd);
    if (*tmp_state) nftw(tmp_state, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
