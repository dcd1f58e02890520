//  site - gathers what the node holds once, writes every page in both
//  languages into a directory beside the target, then swaps it in.
//
//  DESIGN. One read transaction; the mutuals, the catalogue and the
//  inventory cells are read once into an ms_site_data_t (siteinv.h), and an
//  org's indicator cells once per org page, then written in French and in
//  English. The pages of the inventory (directory, countries, data) are
//  siteinv.c's; this file writes the homes and the org pages (indicators by
//  month, quarter and year). Called by mutsync site and mutsyncd --site.

#define _GNU_SOURCE  //  renameat2
#include "mutsync/site.h"

#include "mutsync/export.h"
#include "mutsync/replica.h"
#include "mutsync/siteinv.h"
#include "mutsync/svgchart.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { MONTHS = 12, QUARTERS = 4, YEARS = 5, ROWS = MONTHS + QUARTERS + YEARS };

//  An org page's figures: ROWS periods x the catalogue, read and reduced to
//  the figure the view's JSON gives once, then written in both languages.
typedef struct {
    ms_period_t periods[ROWS];
    char period_text[ROWS][MS_PERIOD_TEXT_BYTES];  //  as ms_period_format writes them
    ms_cell_t *cells;                              //  [ROWS * def_count]
    bool *has;                                     //  [ROWS * def_count]: false when null
    double *values;                                //  [ROWS * def_count]: the figure
} org_figures_t;

static const char *def_name(const ms_indicator_def_t *def, ms_lang_t lang)
{
    return lang == MS_LANG_EN ? def->def.name_en : def->def.name_fr;
}

//  The figure of CELL as the view's JSON gives it; false when null there.
static bool cell_figure(const ms_cell_t *cell, const ms_indicator_def_t *def, double *value)
{
    char text[32];
    if (!ms_export_figure(cell, def, text))
        return false;
    *value = def->def.aggregation == MS_AGG_RATIO ? ms_cell_value(cell, def) : (double)cell->value;
    return true;
}

static int load_figures(const ms_site_data_t *data, const char *scope, org_figures_t *f,
                        ms_error_t *err)
{
    for (int i = 0; i < MONTHS; i++)
        f->periods[i] = (ms_period_t){MS_PERIOD_MONTH, data->year, (uint32_t)i + 1};
    for (int i = 0; i < QUARTERS; i++)
        f->periods[MONTHS + i] = (ms_period_t){MS_PERIOD_QUARTER, data->year, (uint32_t)i + 1};
    for (int i = 0; i < YEARS; i++)
        f->periods[MONTHS + QUARTERS + i] =
            (ms_period_t){MS_PERIOD_YEAR, data->year - (YEARS - 1) + (uint32_t)i, 0};
    for (int p = 0; p < ROWS; p++) {
        ms_period_format(&f->periods[p], f->period_text[p]);
        for (size_t d = 0; d < data->def_count; d++) {
            size_t at = (size_t)p * data->def_count + d;
            int rc = ms_views_cell(data->txn, scope, &f->periods[p], data->defs[d].code,
                                   &f->cells[at], err);
            if (rc)
                return rc;
            f->values[at] = 0;
            f->has[at] = cell_figure(&f->cells[at], &data->defs[d], &f->values[at]);
        }
    }
    return 0;
}

static void figures_table(const ms_site_data_t *data, ms_page_t *page, const org_figures_t *f,
                          const char *row_id, int first, int count, const char *caption)
{
    FILE *out = page->out;
    fputs("<div class=\"scroll\"><table>\n<caption>", out);
    ms_markup_escape(out, caption);
    fprintf(out, "</caption>\n<thead><tr><th scope=\"col\">%s</th>",
            ms_site_word(page->lang, "period"));
    for (size_t d = 0; d < data->def_count; d++) {
        fputs("<th scope=\"col\">", out);
        ms_markup_escape(out, def_name(&data->defs[d], page->lang));
        fputs("</th>", out);
    }
    fputs("</tr></thead>\n<tbody>\n", out);
    for (int p = first; p < first + count; p++) {
        const char *period = f->period_text[p];
        char ref[160];
        int prefix = snprintf(ref, sizeof ref, "view:%s:%s:", period, row_id);
        fprintf(out, "<tr><th scope=\"row\">%s</th>", period);
        for (size_t d = 0; d < data->def_count; d++) {
            const ms_indicator_def_t *def = &data->defs[d];
            size_t at = (size_t)p * data->def_count + d;
            snprintf(ref + prefix, sizeof ref - (size_t)prefix, "%s", def->code);
            ms_page_figure(page, true, ref, f->has[at], f->values[at],
                           def->def.aggregation == MS_AGG_RATIO ? 4 : 0);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table></div>\n", out);
}

static void month_chart(const ms_site_data_t *data, ms_page_t *page, const org_figures_t *f,
                        const char *code, const char *title_key)
{
    size_t d = 0;
    while (d < data->def_count && strcmp(data->defs[d].code, code) != 0)
        d++;
    if (d == data->def_count)
        return;
    ms_chart_point_t points[MONTHS];
    char max_text[48];
    double max = 0;
    for (int p = 0; p < MONTHS; p++) {
        size_t at = (size_t)p * data->def_count + d;
        points[p].label = f->period_text[p] + 5;
        points[p].has = f->has[at];
        points[p].value = f->values[at];
        if (points[p].has && points[p].value > max)
            max = points[p].value;
    }
    ms_site_number(page->lang, max, 0, max_text);
    char title[160];
    snprintf(title, sizeof title, "%s, %u", ms_site_word(page->lang, title_key), data->year);
    ms_svg_chart(page->out, title, points, MONTHS, max_text);
}

static void card_section(const ms_site_mutual_t *m, ms_page_t *page, uint32_t year)
{
    FILE *out = page->out;
    ms_lang_t lang = page->lang;
    fprintf(out, "<h2>%s</h2>\n<table>\n<caption>%s</caption>\n<tbody>\n",
            ms_site_word(lang, "card"), ms_site_word(lang, "card"));
    char created[11] = "";
    if (m->card.created)
        ms_date_format(m->card.created, created);
    const char *rows[][2] = {
        {"country", m->info.country}, {"union", m->info.parent}, {"founded", created}};
    for (size_t i = 0; i < 3; i++) {
        fprintf(out, "<tr><th scope=\"row\">%s</th><td>", ms_site_word(lang, rows[i][0]));
        ms_markup_escape(out, rows[i][1]);
        fputs("</td></tr>\n", out);
    }
    fprintf(out, "<tr><th scope=\"row\">%s</th><td>", ms_site_word(lang, "guarantees"));
    ms_site_guarantees(out, lang, &m->card);
    fprintf(out, "</td></tr>\n<tr><th scope=\"row\">%s</th>",
            ms_site_word(lang, "target_population"));
    ms_page_figure(page, true, NULL, m->has_card, (double)m->card.target_population, 0);
    fprintf(out, "</tr>\n<tr><th scope=\"row\">%s</th><td%s>", ms_site_word(lang, "card_year"),
            m->card.card_year == year ? "" : " class=\"late\"");
    if (m->card.card_year)
        fprintf(out, "%u", m->card.card_year);
    fputs("</td></tr>\n</tbody>\n</table>\n", out);
}

//  The indicators of SCOPE (tables by month, quarter and year, charts).
static void indicators_section(const ms_site_data_t *data, ms_page_t *page, const org_figures_t *f,
                               const char *row_id)
{
    ms_lang_t lang = page->lang;
    char caption[160];
    fprintf(page->out, "<h2>%s %u</h2>\n", ms_site_word(lang, "indicators"), data->year);
    month_chart(data, page, f, "beneficiaries", "trend_month");
    month_chart(data, page, f, "contributions_paid_xof", "trend_paid");
    snprintf(caption, sizeof caption, "%s, %u", ms_site_word(lang, "by_month"), data->year);
    figures_table(data, page, f, row_id, 0, MONTHS, caption);
    snprintf(caption, sizeof caption, "%s, %u", ms_site_word(lang, "by_quarter"), data->year);
    figures_table(data, page, f, row_id, MONTHS, QUARTERS, caption);
    figures_table(data, page, f, row_id, MONTHS + QUARTERS, YEARS, ms_site_word(lang, "by_year"));
}

static void reporting_section(const ms_site_data_t *data, ms_page_t *page)
{
    FILE *out = page->out;
    ms_lang_t lang = page->lang;
    time_t now = (time_t)data->now;
    struct tm tm;
    gmtime_r(&now, &tm);
    uint32_t due = ms_month_back((uint32_t)(tm.tm_year + 1900) * 100 + (uint32_t)tm.tm_mon + 1, 1);
    fprintf(out, "<h2>%s</h2>\n<div class=\"scroll\"><table>\n<caption>%s</caption>\n",
            ms_site_word(lang, "reporting"), ms_site_word(lang, "reporting"));
    fprintf(out,
            "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th "
            "scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
            ms_site_word(lang, "name"), ms_site_word(lang, "last_report"),
            ms_site_word(lang, "last_sync"), ms_site_word(lang, "reported"));
    for (size_t i = 0; i < data->mutual_count; i++) {
        const ms_site_mutual_t *m = &data->mutuals[i];
        char month[8] = "", synced[11] = "";
        if (m->last_month)
            ms_month_format(m->last_month, month);
        if (m->last_sync) {
            time_t at = (time_t)m->last_sync;
            struct tm at_tm;
            gmtime_r(&at, &at_tm);
            strftime(synced, sizeof synced, "%Y-%m-%d", &at_tm);
        }
        bool ok = m->last_month >= due;
        fputs("<tr><th scope=\"row\"><a href=\"", out);
        char target[MS_ORG_MAX + 20];
        snprintf(target, sizeof target, "mutuals/%s.html", m->info.org);
        ms_page_href(page, target);
        fputs("\">", out);
        ms_markup_escape(out, m->has_card && m->card.name[0] ? m->card.name : m->info.name);
        fprintf(out, "</a></th><td>%s</td><td>%s</td><td%s>%s</td></tr>\n", month, synced,
                ok ? "" : " class=\"late\"", ms_site_word(lang, ok ? "yes" : "no"));
    }
    fputs("</tbody>\n</table></div>\n", out);
}

static int write_home(const ms_site_data_t *data, const org_figures_t *self, ms_lang_t lang,
                      bool at_root, ms_error_t *err)
{
    ms_page_t page;
    const ms_identity_t *id = data->id;
    const char *title =
        id->role == MS_ROLE_SECRETARIAT ? ms_site_word(lang, "inventory") : id->name;
    int rc =
        ms_page_open(&page, data->dir, data->previous, lang, at_root, "index.html", title, err);
    if (rc)
        return rc;
    if (id->role == MS_ROLE_SECRETARIAT) {
        ms_siteinv_home(data, &page);
    } else {
        if (id->role == MS_ROLE_MUTUAL && data->mutual_count == 1)
            card_section(&data->mutuals[0], &page, data->year);
        indicators_section(data, &page, self, "total");
        if (id->role == MS_ROLE_UNION)
            reporting_section(data, &page);
    }
    return ms_page_close(&page, err);
}

static int write_mutual(const ms_site_data_t *data, const ms_site_mutual_t *m, org_figures_t *f,
                        ms_error_t *err)
{
    char scope[MS_SCOPE_MAX + 1], here[MS_ORG_MAX + 20];
    snprintf(scope, sizeof scope, "s:%s", m->info.org);
    snprintf(here, sizeof here, "mutuals/%s.html", m->info.org);
    int rc = load_figures(data, scope, f, err);
    const char *row = strcmp(m->info.org, data->id->org) == 0 ? "total" : m->info.org;
    for (int lang = 0; rc == 0 && lang < 2; lang++) {
        ms_page_t page;
        const char *name = m->has_card && m->card.name[0] ? m->card.name : m->info.name;
        rc =
            ms_page_open(&page, data->dir, data->previous, (ms_lang_t)lang, false, here, name, err);
        if (rc)
            break;
        card_section(m, &page, data->year);
        indicators_section(data, &page, f, row);
        rc = ms_page_close(&page, err);
    }
    return rc;
}

//  The mutual's last reported month (its own cells, back from the month
//  after NOW, at most 36) and when it last signed a public change set.
static int mutual_activity(ms_site_data_t *data, ms_site_mutual_t *m, ms_error_t *err)
{
    char scope[MS_SCOPE_MAX + 1];
    snprintf(scope, sizeof scope, "o:%s", m->info.org);
    uint32_t month = ms_views_count_limit(data->now);
    for (int i = 0; i < 36 && !m->last_month; i++, month = ms_month_back(month, 1)) {
        ms_period_t period = ms_period_of_month(month, MS_PERIOD_MONTH);
        ms_cell_t cell;
        int rc = ms_views_cell(data->txn, scope, &period, "beneficiaries", &cell, err);
        if (rc)
            return rc;
        if (cell.orgs)
            m->last_month = month;
    }
    ms_head_t head;
    int rc = ms_replica_head(data->txn, m->info.org, "public", &head, err);
    if (rc || head.seq == 0)
        return rc;
    uint8_t id[MS_HASH_BYTES];
    ms_val_t bytes;
    int64_t created = 0;
    if (ms_replica_envelope(data->txn, m->info.org, "public", head.seq, id, &bytes, NULL) == 0 &&
        ms_envelope_created(bytes.data, bytes.len, &created, NULL) == 0)
        m->last_sync = created;
    return 0;
}

static int gather_org(const ms_view_org_t *org, void *arg)
{
    ms_site_data_t *data = arg;
    if (org->role != MS_ROLE_MUTUAL)
        return 0;
    ms_site_mutual_t *grown =
        realloc(data->mutuals, (data->mutual_count + 1) * sizeof *data->mutuals);
    if (!grown)
        return MS_ENOMEM;
    data->mutuals = grown;
    ms_site_mutual_t *m = &data->mutuals[data->mutual_count++];
    memset(m, 0, sizeof *m);
    m->info = *org;
    int rc = ms_export_card(data->txn, org->org, &m->card, NULL);
    m->has_card = rc == 0;
    return rc == 0 || rc == MS_ENOTFOUND ? 0 : rc;
}

static int gather_country(const char *country, void *arg)
{
    ms_site_data_t *data = arg;
    char(*grown)[3] = realloc(data->countries, (data->country_count + 1) * sizeof *grown);
    if (!grown)
        return MS_ENOMEM;
    data->countries = grown;
    snprintf(data->countries[data->country_count++], 3, "%s", country);
    return 0;
}

static int gather(ms_site_data_t *data, ms_error_t *err)
{
    int rc = ms_catalogue_list(data->txn, data->id->root, &data->defs, &data->def_count, err);
    if (rc == 0)
        rc = ms_views_orgs(data->txn, data->id->org, gather_org, data, err);
    if (rc == 0)
        rc = ms_views_countries(data->txn, gather_country, data, err);
    for (size_t i = 0; rc == 0 && i < data->mutual_count; i++)
        rc = mutual_activity(data, &data->mutuals[i], err);
    if (rc == 0)
        rc = ms_siteinv_load(data, err);
    if (rc == MS_ENOMEM)
        ms_error_set(err, MS_ENOMEM, "site", "out of memory");
    return rc;
}

static int write_all(ms_site_data_t *data, ms_error_t *err)
{
    char path[4096];
    static const char *const dirs[] = {"fr",         "en",           "fr/mutuals",
                                       "en/mutuals", "fr/countries", "en/countries"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", data->dir, dirs[i]);
        if (mkdir(path, 0755) != 0)
            return ms_error_set(err, MS_EIO, path, "cannot be created: %s", strerror(errno));
    }
    snprintf(path, sizeof path, "%s/site.css", data->dir);
    FILE *css = fopen(path, "w");
    if (!css || fputs(ms_site_css, css) < 0 || fclose(css) != 0)
        return ms_error_set(err, MS_EIO, path, "cannot be written");
    org_figures_t f;
    size_t count = (size_t)ROWS * (data->def_count + 1);
    f.cells = calloc(count, sizeof *f.cells);
    f.has = calloc(count, sizeof *f.has);
    f.values = calloc(count, sizeof *f.values);
    if (!f.cells || !f.has || !f.values) {
        free(f.cells);
        free(f.has);
        free(f.values);
        return ms_error_set(err, MS_ENOMEM, "site", "out of memory");
    }
    char scope[MS_SCOPE_MAX + 1];
    snprintf(scope, sizeof scope, "s:%s", data->id->org);
    int rc = load_figures(data, scope, &f, err);
    for (int lang = 0; rc == 0 && lang < 2; lang++)
        rc = write_home(data, &f, (ms_lang_t)lang, false, err);
    if (rc == 0)
        rc = write_home(data, &f, data->home_lang, true, err);
    for (size_t i = 0; rc == 0 && i < data->mutual_count; i++)
        rc = write_mutual(data, &data->mutuals[i], &f, err);
    free(f.cells);
    free(f.has);
    free(f.values);
    for (int lang = 0; rc == 0 && lang < 2; lang++)
        rc = ms_siteinv_pages(data, (ms_lang_t)lang, err);
    if (rc == 0)
        rc = ms_siteinv_files(data, err);
    return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tree(const char *path)
{
    (void)nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

//  Puts the built TMP in DIR's place: one exchange when DIR exists, so the
//  old site serves until the new one is there; then the old one is removed.
static int swap_in(const char *tmp, const char *dir, ms_error_t *err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (rename(tmp, dir) != 0)
            return ms_error_set(err, MS_EIO, dir, "cannot be created: %s", strerror(errno));
        return 0;
    }
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) != 0)
        return ms_error_set(err, MS_EIO, dir, "cannot be replaced: %s", strerror(errno));
    remove_tree(tmp);
    return 0;
}

int ms_site_write(ms_node_t *node, const char *dir, const ms_site_options_t *options,
                  ms_error_t *err)
{
    ms_site_data_t data;
    memset(&data, 0, sizeof data);
    data.id = ms_node_identity(node);
    data.now = options->now ? options->now : (int64_t)time(NULL);
    time_t now = (time_t)data.now;
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(data.today, sizeof data.today, "%Y-%m-%d", &tm);
    data.year = options->year ? options->year : (uint32_t)tm.tm_year + 1900;
    if (data.year < 1900 + MS_SITE_YEARS || data.year > 2100)
        return ms_error_set(err, MS_EINVAL, "site", "year %u is out of range", data.year);
    const char *lang = options->lang ? options->lang : "fr";
    if (strcmp(lang, "fr") != 0 && strcmp(lang, "en") != 0)
        return ms_error_set(err, MS_EINVAL, "site", "language \"%s\" is not fr or en", lang);
    data.home_lang = strcmp(lang, "en") == 0 ? MS_LANG_EN : MS_LANG_FR;
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    char target[4096], tmp[4200];
    snprintf(target, sizeof target, "%.*s", (int)len, dir);
    snprintf(tmp, sizeof tmp, "%s.new-XXXXXX", target);
    if (!mkdtemp(tmp))
        return ms_error_set(err, MS_EIO, target, "no room beside it for the new site: %s",
                            strerror(errno));
    chmod(tmp, 0755);
    data.dir = tmp;
    struct stat st;
    if (stat(target, &st) == 0 && S_ISDIR(st.st_mode))
        data.previous = target;
    int rc = ms_store_read(ms_node_store(node), &data.txn, err);
    if (rc == 0)
        rc = gather(&data, err);
    if (rc == 0)
        rc = write_all(&data, err);
    ms_txn_abort(&data.txn);
    free(data.defs);
    free(data.mutuals);
    free(data.countries);
    free(data.inv);
    if (rc == 0)
        rc = swap_in(tmp, target, err);
    if (rc)
        remove_tree(tmp);
    return rc;
}

void ms_site_keeper_note(ms_site_keeper_t *keeper, int64_t now_ms)
{
    if (!keeper->dir)
        return;
    int64_t due = now_ms + MS_SITE_DELAY_MS;
    if (keeper->last_ms && due < keeper->last_ms + MS_SITE_INTERVAL_MS)
        due = keeper->last_ms + MS_SITE_INTERVAL_MS;
    if (!keeper->due_ms || due < keeper->due_ms)
        keeper->due_ms = due;
}

int ms_site_keeper_tick(ms_site_keeper_t *keeper, ms_node_t *node, int64_t now_ms, ms_error_t *err)
{
    if (!keeper->dir)
        return 0;
    if (!keeper->started) {
        keeper->started = true;
        keeper->due_ms = now_ms;
    }
    if (!keeper->due_ms || now_ms < keeper->due_ms)
        return 0;
    keeper->due_ms = 0;
    keeper->last_ms = now_ms;
    ms_site_options_t options = keeper->base;
    options.now = (int64_t)time(NULL);
    int rc = ms_site_write(node, keeper->dir, &options, err);
    if (rc)
        keeper->due_ms = now_ms + MS_SITE_INTERVAL_MS;
    return rc;
}
