//  ms-bench-views - fills a secretariat node with the reports of N mutuals.
//
//    ms-bench-views DIR MUTUALS [MONTHS]
//
//  Creates the secretariat WCA-SEC in DIR, ten unions (one per country)
//  certified by it, and MUTUALS mutuals spread over them, each certified by
//  its union. Each mutual's public feed holds one change set: its org card
//  and the 17 default indicators for MONTHS months ending 2026-10 (1..120, default
//  3). Every envelope is signed with the org's own key and goes through the
//  accept rules and the views hook, exactly as a bundle import would, 100
//  mutuals per write transaction. Prints one key=value line: how long the
//  ingestion took and reports per second. Benchmarks only.

#include "mutsync/envelope.h"
#include "mutsync/indicator.h"
#include "mutsync/inventory.h"
#include "mutsync/views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define UNIONS 10
#define PER_TXN 100

static const char *const countries[UNIONS] = {"ML", "BJ", "SN", "GN", "BF",
                                              "NE", "TG", "CI", "CM", "TD"};

typedef struct {
    char org[MS_ORG_MAX + 1];
    ms_keypair_t *keypair;
    uint64_t seq;                       //  head of its public feed
    uint8_t head[MS_HASH_BYTES];        //  id of the head change set
    uint64_t certs_seq;                 //  head of its certs feed
    uint8_t certs_head[MS_HASH_BYTES];  //
} org_t;

typedef struct {
    ms_node_t *node;
    org_t unions[UNIONS];
    org_t *mutuals;
    long count;
    long from, to;  //  mutuals of this transaction
    int months;
    uint64_t reports;
    org_t saved[UNIONS];     //  the unions' heads before this transaction
    uint64_t saved_reports;  //  reports before this transaction
} bench_t;

static int die(const char *what, const ms_error_t *err)
{
    fprintf(stderr, "ms-bench-views: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

//  Signs COUNT changes as ORG's next change set of FEED ("public" or
//  "certs") and accepts it.
static int append(bench_t *b, ms_txn_t *txn, org_t *org, const char *feed,
                  const ms_change_t *changes, size_t count, ms_error_t *err)
{
    bool certs = strcmp(feed, "certs") == 0;
    uint64_t *seq = certs ? &org->certs_seq : &org->seq;
    uint8_t *head = certs ? org->certs_head : org->head;
    ms_changeset_t cs = {.origin = org->org,
                         .feed = feed,
                         .seq = *seq + 1,
                         .created = (int64_t)time(NULL),
                         .change_count = count,
                         .changes = changes};
    memcpy(cs.signer, ms_keypair_public(org->keypair), MS_KEY_BYTES);
    memcpy(cs.prev, head, MS_HASH_BYTES);
    uint8_t *body = NULL, *bytes = NULL;
    size_t body_len = 0, len = 0;
    ms_verdict_t verdict;
    int rc = ms_changeset_encode(&cs, &body, &body_len, err);
    if (rc == 0)
        rc = ms_envelope_seal(org->keypair, body, body_len, NULL, &bytes, &len, err);
    if (rc == 0)
        rc = ms_node_accept(b->node, txn, bytes, len, "bench", &verdict, err);
    if (rc == 0 && verdict.outcome != MS_OUTCOME_APPLIED)
        rc = ms_error_set(err, MS_EREFUSED, org->org, "refused: %s", verdict.detail);
    if (rc == 0) {
        (*seq)++;
        ms_body_id(body, body_len, head);
    }
    free(body);
    free(bytes);
    return rc;
}

static size_t cert_value(const char *name, ms_role_t role, const char *country, const char *parent,
                         const ms_keypair_t *keypair, uint8_t *buf)
{
    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    snprintf(cert.name, sizeof cert.name, "%s", name);
    cert.role = role;
    snprintf(cert.country, sizeof cert.country, "%s", country);
    snprintf(cert.parent, sizeof cert.parent, "%s", parent);
    memcpy(cert.key, ms_keypair_public(keypair), MS_KEY_BYTES);
    size_t len = 0;
    if (ms_cert_encode(&cert, buf, 512, &len) != 0)
        die("cert", NULL);
    return len;
}

static size_t card_value(const char *name, ms_role_t role, const char *country, const char *parent,
                         long i, uint8_t *buf)
{
    ms_org_t card;
    memset(&card, 0, sizeof card);
    snprintf(card.name, sizeof card.name, "%s", name);
    card.role = role;
    snprintf(card.country, sizeof card.country, "%s", country);
    snprintf(card.parent, sizeof card.parent, "%s", parent);
    if (role == MS_ROLE_MUTUAL) {
        card.created = (int32_t)(9000 + (i * 97) % 9000);
        card.target_population = (uint64_t)(2000 + (i * 7919) % 58000);
        card.covers_primary_care = true;
        card.covers_sonu = i % 3 == 0;
    }
    size_t len = 0;
    if (ms_org_encode(&card, buf, 1024, &len) != 0)
        die("card", NULL);
    return len;
}

//  The unions, their certificates (by the secretariat) and their cards.
static int setup_unions(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    bench_t *b = arg;
    ms_change_t changes[UNIONS];
    for (int u = 0; u < UNIONS; u++) {
        b->unions[u].seq = b->unions[u].certs_seq = 0;
        memset(b->unions[u].head, 0, MS_HASH_BYTES);
        memset(b->unions[u].certs_head, 0, MS_HASH_BYTES);
    }
    uint8_t values[UNIONS][512];
    for (int u = 0; u < UNIONS; u++) {
        size_t len = cert_value(b->unions[u].org, MS_ROLE_UNION, countries[u], "WCA-SEC",
                                b->unions[u].keypair, values[u]);
        changes[u] = (ms_change_t){MS_COLL_CERT, MS_OP_UPSERT, b->unions[u].org, values[u], len};
    }
    ms_verdict_t verdict;
    int rc = ms_node_append(b->node, txn, "certs", changes, UNIONS, &verdict, err);
    for (int u = 0; rc == 0 && u < UNIONS; u++) {
        uint8_t card[1024];
        size_t len = card_value(b->unions[u].org, MS_ROLE_UNION, countries[u], "WCA-SEC", u, card);
        ms_change_t change = {MS_COLL_ORG, MS_OP_UPSERT, b->unions[u].org, card, len};
        rc = append(b, txn, &b->unions[u], "public", &change, 1, err);
    }
    return rc;
}

//  Mutuals FROM..TO: their certificates (one change set per union) and
//  their public feeds (card and reports).
static int add_mutuals(ms_txn_t *txn, void *arg, ms_error_t *err)
{
    bench_t *b = arg;
    static ms_change_t changes[PER_TXN + 1];
    static uint8_t values[PER_TXN][512];
    int rc = 0;
    //  A map growth runs this again from the start: so do the feeds.
    memcpy(b->unions, b->saved, sizeof b->saved);
    b->reports = b->saved_reports;
    for (long i = b->from; i < b->to; i++) {
        b->mutuals[i].seq = 0;
        memset(b->mutuals[i].head, 0, MS_HASH_BYTES);
    }
    for (int u = 0; rc == 0 && u < UNIONS; u++) {
        size_t count = 0;
        for (long i = b->from; i < b->to; i++) {
            if (i % UNIONS != u)
                continue;
            size_t len = cert_value(b->mutuals[i].org, MS_ROLE_MUTUAL, countries[u],
                                    b->unions[u].org, b->mutuals[i].keypair, values[count]);
            changes[count] =
                (ms_change_t){MS_COLL_CERT, MS_OP_UPSERT, b->mutuals[i].org, values[count], len};
            count++;
        }
        if (count)
            rc = append(b, txn, &b->unions[u], "certs", changes, count, err);
    }
    const ms_indicator_def_t *defs;
    size_t def_count = ms_catalogue_default(&defs);
    size_t per_mutual = 1 + def_count * (size_t)b->months;
    ms_change_t *reports = calloc(per_mutual, sizeof *reports);
    uint8_t(*report_values)[128] = calloc(per_mutual, 128);
    char(*keys)[MS_KEY_MAX + 1] = calloc(per_mutual, MS_KEY_MAX + 1);
    if (!reports || !report_values || !keys)
        die("memory", NULL);
    for (long i = b->from; rc == 0 && i < b->to; i++) {
        int u = (int)(i % UNIONS);
        uint8_t card[1024];
        size_t len =
            card_value(b->mutuals[i].org, MS_ROLE_MUTUAL, countries[u], b->unions[u].org, i, card);
        reports[0] = (ms_change_t){MS_COLL_ORG, MS_OP_UPSERT, b->mutuals[i].org, card, len};
        size_t n = 1;
        uint32_t month = ms_month_back(202610, (uint32_t)b->months - 1);
        for (int m = 0; m < b->months; m++, month = ms_month_next(month)) {
            for (size_t d = 0; d < def_count; d++, n++) {
                ms_report_t report;
                memset(&report, 0, sizeof report);
                ms_month_format(month, report.period);
                snprintf(report.indicator, sizeof report.indicator, "%s", defs[d].code);
                report.value = (double)((i * 31 + (long)d * 7 + m) % 1000);
                if (defs[d].def.aggregation == MS_AGG_RATIO) {
                    report.numerator = report.value;
                    report.denominator = 1000;
                    report.value /= 1000;
                }
                snprintf(keys[n], MS_KEY_MAX + 1, "%s|%s|", report.period, report.indicator);
                size_t rlen = 0;
                if (ms_report_encode(&report, report_values[n], 128, &rlen) != 0)
                    die("report", NULL);
                reports[n] =
                    (ms_change_t){MS_COLL_REPORT, MS_OP_UPSERT, keys[n], report_values[n], rlen};
            }
        }
        rc = append(b, txn, &b->mutuals[i], "public", reports, n, err);
        b->reports += n - 1;
    }
    free(reports);
    free(report_values);
    free(keys);
    return rc;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

//  In-process query cost, without process start: the region's total for a
//  year (every indicator), and the inventory by country (each country's
//  inventory row and three cells), averaged over many repetitions.
static void query_times(ms_node_t *node)
{
    enum { REPEAT = 2000 };
    const ms_indicator_def_t *defs;
    size_t def_count = ms_catalogue_default(&defs);
    ms_period_t year = {MS_PERIOD_YEAR, 2026, 0};
    ms_error_t err = {0};
    ms_txn_t *txn;
    ms_cell_t cell;
    ms_inventory_row_t row;
    double sink = 0;
    if (ms_store_read(ms_node_store(node), &txn, &err) != 0)
        die("read", &err);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int r = 0; r < REPEAT; r++)
        for (size_t d = 0; d < def_count; d++)
            if (ms_views_cell(txn, "s:WCA-SEC", &year, defs[d].code, &cell, &err) == 0)
                sink += ms_cell_value(&cell, &defs[d]);
    double total_us = seconds_since(&start) * 1e6 / REPEAT;
    clock_gettime(CLOCK_MONOTONIC, &start);
    char scope[8];
    for (int r = 0; r < REPEAT; r++) {
        for (int u = 0; u < UNIONS; u++) {
            snprintf(scope, sizeof scope, "c:%s", countries[u]);
            if (ms_inventory_row(txn, scope, 2026, &row, &err) == 0)
                sink += (double)row.mutuals;
            if (ms_views_cell(txn, scope, &year, "adherents", &cell, &err) == 0)
                sink += cell.value;
            if (ms_views_cell(txn, scope, &year, "beneficiaries", &cell, &err) == 0)
                sink += cell.value;
            if (ms_views_cell(txn, scope, &year, "penetration_rate", &cell, &err) == 0)
                sink += cell.numerator;
        }
    }
    double inventory_us = seconds_since(&start) * 1e6 / REPEAT;
    ms_txn_abort(&txn);
    printf("bench_views_inprocess view_total_us=%.1f inventory_by_country_us=%.1f checksum=%.0f\n",
           total_us, inventory_us, sink);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ms-bench-views DIR MUTUALS [MONTHS]\n");
        return 2;
    }
    bench_t b;
    memset(&b, 0, sizeof b);
    b.count = atol(argv[2]);
    b.months = argc > 3 ? atoi(argv[3]) : 3;
    if (b.count < 1 || b.months < 1 || b.months > 120)
        return 2;
    ms_error_t err = {0};
    ms_identity_t id;
    memset(&id, 0, sizeof id);
    strcpy(id.org, "WCA-SEC");
    id.role = MS_ROLE_SECRETARIAT;
    strcpy(id.country, "SN");
    strcpy(id.name, "Secretariat");
    if (ms_node_init(argv[1], &id, &err) != 0 || ms_node_open(argv[1], &b.node, &err) != 0 ||
        ms_views_attach(b.node, &err) != 0)
        die("secretariat", &err);
    for (int u = 0; u < UNIONS; u++) {
        snprintf(b.unions[u].org, sizeof b.unions[u].org, "%s-U", countries[u]);
        if (ms_keypair_new(&b.unions[u].keypair, &err) != 0)
            die("key", &err);
    }
    b.mutuals = calloc((size_t)b.count, sizeof *b.mutuals);
    for (long i = 0; b.mutuals && i < b.count; i++) {
        snprintf(b.mutuals[i].org, sizeof b.mutuals[i].org, "%s-U-%05ld", countries[i % UNIONS],
                 i / UNIONS + 1);
        if (ms_keypair_new(&b.mutuals[i].keypair, &err) != 0)
            die("key", &err);
    }
    if (!b.mutuals || ms_store_write(ms_node_store(b.node), setup_unions, &b, &err) != 0)
        die("unions", &err);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (b.from = 0; b.from < b.count; b.from = b.to) {
        b.to = b.from + PER_TXN < b.count ? b.from + PER_TXN : b.count;
        memcpy(b.saved, b.unions, sizeof b.saved);
        b.saved_reports = b.reports;
        if (ms_store_write(ms_node_store(b.node), add_mutuals, &b, &err) != 0)
            die("mutuals", &err);
    }
    double took = seconds_since(&start);
    printf(
        "bench_views_ingest mutuals=%ld months=%d reports=%llu seconds=%.2f reports_per_s=%.0f\n",
        b.count, b.months, (unsigned long long)b.reports, took, (double)b.reports / took);
    query_times(b.node);
    for (int u = 0; u < UNIONS; u++)
        ms_keypair_destroy(&b.unions[u].keypair);
    for (long i = 0; i < b.count; i++)
        ms_keypair_destroy(&b.mutuals[i].keypair);
    free(b.mutuals);
    ms_node_close(&b.node);
    return 0;
}
