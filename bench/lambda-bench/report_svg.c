/* report_svg: the per-op chart of bench_report (declared in bench_report.h):
 * horizontal bars of the warm sdk_call_ms median for C and Python, a whisker
 * out to p90, the value written at the end of each bar. A plain SVG 1.1
 * document with no scripts or external references. */
#include <math.h>
#include <stdio.h>

#include "bench_report.h"

static int op_p50_p90(const run_function_t *f, const char *name, double *p50, double *p90)
{
    const run_op_t *op = f ? run_find_op(f, name) : NULL;
    if (!op) return 0;
    samples_t s = {0};
    int ok = 1;
    for (size_t i = 0; i < op->n && ok; i++)
        ok = samples_add(&s, op->inv[i].sdk_call_ms) == SAMPLES_OK;
    samples_summary_t sum;
    ok = ok && samples_summarize(&s, &sum) == SAMPLES_OK;
    samples_free(&s);
    if (ok) {
        *p50 = sum.p50;
        *p90 = sum.p90;
    }
    return ok;
}

/* Position of v on a log10 axis from 10^lo to 10^hi, in [0, width]. */
static double xpos(double v, double lo, double hi, int width)
{
    double l = v > 0 ? log10(v) : lo;
    if (l < lo) l = lo;
    if (l > hi) l = hi;
    return width * (l - lo) / (hi - lo);
}

report_err_t report_write_svg(const report_input_t *in, const char *path)
{
    const run_function_t *fs[2] = {in->c, in->python};
    const char *names[2] = {"C", "Python"};
    const char *colors[2] = {"#1f77b4", "#ff7f0e"};
    /* A log axis: the C / Python ratio is the distance between the bar ends,
     * whatever the magnitudes. Decades from below the smallest median to
     * above the largest p90. */
    double minv = 0, maxv = 0;
    for (size_t o = 0; o < in->n_ops; o++)
        for (int k = 0; k < 2; k++) {
            double a, b;
            if (!op_p50_p90(fs[k], in->ops[o], &a, &b)) continue;
            if (a > 0 && (minv == 0 || a < minv)) minv = a;
            if (b > maxv) maxv = b;
        }
    double lo = floor(log10(minv > 0 ? minv : 0.01)), hi = ceil(log10(maxv > 0 ? maxv : 1));
    if (hi <= lo) hi = lo + 1;
    const int left = 110, width = 560, bar = 14, group = 2 * bar + 14, top = 50;
    int height = top + (int)in->n_ops * group + 50;
    FILE *f = fopen(path, "w");
    if (!f) return REPORT_ERR_IO;
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "font-family=\"sans-serif\" font-size=\"12\">\n",
            left + width + 90, height);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f,
            "<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Warm sdk_call_ms per "
            "op: median, whisker to p90 (%zu invocations each; log scale)</text>\n",
            10, in->warm_invokes);
    for (int k = 0; k < 2; k++)
        if (fs[k])
            fprintf(f,
                    "<rect x=\"%d\" y=\"30\" width=\"12\" height=\"12\" fill=\"%s\"/><text "
                    "x=\"%d\" y=\"40\">%s</text>\n",
                    left + k * 90, colors[k], left + k * 90 + 16, names[k]);
    for (double d = lo; d <= hi; d += 1) {
        double x = left + xpos(pow(10, d), lo, hi, width);
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g ms</text>\n",
                x, top, x, height - 40, x, height - 25, pow(10, d));
    }
    for (size_t o = 0; o < in->n_ops; o++) {
        int y0 = top + (int)o * group + 4;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 8,
                y0 + bar + 4, in->ops[o]);
        for (int k = 0; k < 2; k++) {
            double p50, p90;
            if (!op_p50_p90(fs[k], in->ops[o], &p50, &p90)) continue;
            int y = y0 + k * bar;
            double w = xpos(p50, lo, hi, width), w90 = xpos(p90, lo, hi, width);
            if (w < 1) w = 1;
            fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", left,
                    y, w, bar - 2, colors[k]);
            fprintf(f,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>"
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>\n",
                    left + w, y + bar / 2 - 1, left + w90, y + bar / 2 - 1, left + w90, y + 2,
                    left + w90, y + bar - 4);
            fprintf(f, "<text x=\"%.1f\" y=\"%d\">%.3f</text>\n", left + w90 + 4, y + bar - 3, p50);
        }
    }
    fprintf(f, "</svg>\n");
    return fclose(f) == 0 ? REPORT_OK : REPORT_ERR_IO;
}
