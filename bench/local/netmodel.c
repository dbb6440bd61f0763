/* netmodel: see netmodel.h. */
#include "netmodel.h"

#include <math.h>
#include <string.h>

const char *netmodel_strerror(netmodel_err_t err)
{
    switch (err) {
    case NETMODEL_OK: return "ok";
    case NETMODEL_ERR_ARG: return "bad distribution, round trip or spread";
    }
    return "unknown error";
}

netmodel_err_t netmodel_init(const char *dist, double rtt_ms, double spread, netmodel_t *out)
{
    netmodel_t m = {NETMODEL_FIXED, rtt_ms, spread};
    if (strcmp(dist, "fixed") == 0)
        m.dist = NETMODEL_FIXED;
    else if (strcmp(dist, "uniform") == 0)
        m.dist = NETMODEL_UNIFORM;
    else if (strcmp(dist, "lognormal") == 0)
        m.dist = NETMODEL_LOGNORMAL;
    else
        return NETMODEL_ERR_ARG;
    if (!(rtt_ms >= 0 && rtt_ms <= 10000) || !(spread >= 0)) return NETMODEL_ERR_ARG;
    if (m.dist == NETMODEL_UNIFORM && spread > 1) return NETMODEL_ERR_ARG;
    if (m.dist == NETMODEL_LOGNORMAL && spread > 3) return NETMODEL_ERR_ARG;
    *out = m;
    return NETMODEL_OK;
}

/* xorshift64*: a uniform double in (0, 1). */
static double uniform01(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    uint64_t r = x * 0x2545F4914F6CDD1Dull;
    return ((double)(r >> 11) + 0.5) / 9007199254740992.0;
}

double netmodel_sample(const netmodel_t *m, uint64_t *state)
{
    switch (m->dist) {
    case NETMODEL_FIXED: return m->rtt_ms;
    case NETMODEL_UNIFORM: return m->rtt_ms * (1 + m->spread * (2 * uniform01(state) - 1));
    case NETMODEL_LOGNORMAL: {
        /* Box-Muller: one standard normal from two uniforms. */
        double u1 = uniform01(state), u2 = uniform01(state);
        double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
        return m->rtt_ms * exp(m->spread * z);
    }
    }
    return m->rtt_ms;
}
