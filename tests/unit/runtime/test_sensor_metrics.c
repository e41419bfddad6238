/* test_sensor_metrics.c - the Prometheus exposition of the watch counters:
 * every series once with HELP and TYPE, one line per ring, a buffer too
 * small is refused, and the file is replaced whole (no .tmp left). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/sensor/metrics.h"
#include "test.h"

static comb_watch_stats sample(void)
{
    comb_watch_stats st;
    memset(&st, 0, sizeof st);
    st.records = 300;
    st.events = 290;
    st.alerts = 2;
    st.nrings = 3;
    st.ring_bytes = 1u << 20;
    for (unsigned i = 0; i < 3; i++) {
        st.ring[i].events = 100 + i;
        st.ring[i].drops = i == 1 ? 7 : 0;
        st.ring[i].read = 100 + i;
    }
    st.procs_live = 12;
    return st;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_format(void)
{
    comb_watch_stats st = sample();
    char buf[COMB_METRICS_MAX];
    size_t n = comb_metrics_format(&st, buf, sizeof buf);
    CHECK(n > 0 && n == strlen(buf));
    CHECK(strstr(buf, "\ncomb_watch_events_total 290\n") != NULL);
    CHECK(strstr(buf, "\ncomb_watch_alerts_total 2\n") != NULL);
    CHECK(strstr(buf, "\ncomb_watch_rings 3\n") != NULL);
    CHECK(strstr(buf, "comb_watch_ring_drops_total{ring=\"1\"} 7\n") != NULL);
    CHECK(strstr(buf, "comb_watch_ring_drops_total{ring=\"0\"} 0\n") != NULL);
    CHECK(strstr(buf, "comb_watch_ring_events_total{ring=\"2\"} 102\n") != NULL);
    CHECK_INT(count(buf, "{ring="), 9);
    CHECK_INT(count(buf, "# TYPE comb_watch_ring_drops_total counter\n"), 1);
    CHECK_INT(count(buf, "# HELP "), count(buf, "# TYPE "));
    CHECK(buf[n - 1] == '\n');
    /* too small: refused, never a cut exposition */
    CHECK_INT((int)comb_metrics_format(&st, buf, 100), 0);
    /* the most rings fit */
    st.nrings = COMB_SENSOR_MAX_RINGS;
    for (unsigned i = 0; i < COMB_SENSOR_MAX_RINGS; i++)
        st.ring[i].events = st.ring[i].drops = st.ring[i].read = UINT64_MAX;
    CHECK(comb_metrics_format(&st, buf, sizeof buf) > 0);
}

static void test_write(void)
{
    char dir[] = "/tmp/comb-metrics-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128], tmp[140];
    snprintf(path, sizeof path, "%s/comb.prom", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    comb_watch_stats st = sample();
    comb_err err;
    CHECK_INT(comb_metrics_write(path, &st, &err), COMB_OK);
    st.alerts = 5;
    CHECK_INT(comb_metrics_write(path, &st, &err), COMB_OK);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    char buf[COMB_METRICS_MAX] = "";
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    CHECK(strstr(buf, "\ncomb_watch_alerts_total 5\n") != NULL);
    struct stat sb;
    CHECK(stat(tmp, &sb) != 0);
    char bad[160];
    snprintf(bad, sizeof bad, "%s/missing/comb.prom", dir);
    CHECK_INT(comb_metrics_write(bad, &st, &err), COMB_EIO);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    RUN(test_format);
    RUN(test_write);
    return test_summary();
}
