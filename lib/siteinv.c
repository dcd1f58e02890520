//  siteinv - the inventory in the site: the synthesis by country for the
//  year and year by year, the completeness of the yearly cards, the
//  directory of mutuals, the country pages and the downloads (CSV with a
//  BOM, and the same tables in SQLite, with the citation). Every figure is
//  the one inventory --format json gives (data-ref "inventory:...").
//  Called by site.c with the data it gathered.

#include "mutsync/siteinv.h"

#include "mutsync/export.h"
#include "mutsync/svgchart.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

enum { FIELDS = 13 };

//  The inventory's fields, as inventory --format json names them.
static const char *const field_names[FIELDS] = {"mutuals",
                                                "adherents",
                                                "beneficiaries",
                                                "target_population",
                                                "penetration_rate",
                                                "offering.primary_care",
                                                "offering.hospitalization",
                                                "offering.childbirth",
                                                "offering.sonu",
                                                "offering.drugs",
                                                "average_age",
                                                "cards_of_year",
                                                NULL};

static const char *const field_words[FIELDS] = {"mutuals",
                                                "adherents",
                                                "beneficiaries",
                                                "target_population",
                                                "penetration_rate",
                                                "primary_care",
                                                "hospitalization",
                                                "childbirth",
                                                "sonu",
                                                "drugs",
                                                "average_age",
                                                "card_updated",
                                                NULL};

//  Field F of INV: *VALUE, *DECIMALS; false when the JSON says null.
static bool field(const ms_site_inv_t *inv, int f, double *value, int *decimals)
{
    *decimals = 0;
    switch (f) {
    case 0:
        *value = (double)inv->row.mutuals;
        return true;
    case 1:
        *value = (double)inv->adherents.value;
        return inv->adherents.orgs != 0;
    case 2:
        *value = (double)inv->beneficiaries.value;
        return inv->beneficiaries.orgs != 0;
    case 3:
        *value = (double)inv->target.value;
        return inv->target.orgs != 0;
    case 4:
        *decimals = 4;
        if (!inv->penetration.orgs || inv->penetration.denominator == 0)
            return false;
        *value = (double)inv->penetration.numerator / (double)inv->penetration.denominator;
        return true;
    case 10:
        *decimals = 1;
        *value = inv->row.average_age;
        return inv->row.dated != 0;
    case 11:
        *value = (double)inv->row.cards_of_year;
        return true;
    default:
        *value = (double)inv->row.offering[f - 5];
        return true;
    }
}

const ms_site_inv_t *ms_siteinv_at(const ms_site_data_t *data, size_t i, size_t k)
{
    return &data->inv[i * MS_SITE_YEARS + k];
}

int ms_siteinv_load(ms_site_data_t *data, ms_error_t *err)
{
    data->inv = calloc((data->country_count + 1) * MS_SITE_YEARS, sizeof *data->inv);
    if (!data->inv)
        return ms_error_set(err, MS_ENOMEM, "site", "out of memory");
    for (size_t i = 0; i <= data->country_count; i++) {
        char scope[MS_SCOPE_MAX + 1];
        if (i < data->country_count)
            snprintf(scope, sizeof scope, "c:%s", data->countries[i]);
        else
            snprintf(scope, sizeof scope, "s:%s", data->id->org);
        for (size_t k = 0; k < MS_SITE_YEARS; k++) {
            ms_site_inv_t *inv = &data->inv[i * MS_SITE_YEARS + k];
            uint32_t year = data->year - (MS_SITE_YEARS - 1) + (uint32_t)k;
            ms_period_t period = {MS_PERIOD_YEAR, year, 0};
            int rc = ms_inventory_row(data->txn, scope, year, &inv->row, err);
            if (rc == 0)
                rc = ms_views_cell(data->txn, scope, &period, "adherents", &inv->adherents, err);
            if (rc == 0)
                rc = ms_views_cell(data->txn, scope, &period, "beneficiaries", &inv->beneficiaries,
                                   err);
            if (rc == 0)
                rc = ms_views_cell(data->txn, scope, &period, "target_population", &inv->target,
                                   err);
            if (rc == 0)
                rc = ms_views_cell(data->txn, scope, &period, "penetration_rate", &inv->penetration,
                                   err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static const char *scope_label(const ms_site_data_t *data, size_t i)
{
    return i < data->country_count ? data->countries[i] : "total";
}

static void header_row(ms_page_t *page, const char *first)
{
    fprintf(page->out, "<thead><tr><th scope=\"col\">%s</th>", ms_site_word(page->lang, first));
    for (int f = 0; f < FIELDS - 1; f++)
        fprintf(page->out, "<th scope=\"col\">%s</th>", ms_site_word(page->lang, field_words[f]));
    fputs("</tr></thead>\n", page->out);
}

static void inv_cells(ms_page_t *page, const ms_site_inv_t *inv, uint32_t year, const char *scope)
{
    for (int f = 0; f < FIELDS - 1; f++) {
        double value;
        int decimals;
        bool has = field(inv, f, &value, &decimals);
        char ref[96];
        snprintf(ref, sizeof ref, "inventory:%u:%s:%s", year, scope, field_names[f]);
        ms_page_figure(page, true, ref, has, value, decimals);
    }
}

static void year_table(const ms_site_data_t *data, ms_page_t *page, size_t i, const char *caption)
{
    FILE *out = page->out;
    fputs("<div class=\"scroll\"><table>\n<caption>", out);
    ms_markup_escape(out, caption);
    fputs("</caption>\n", out);
    header_row(page, "year");
    fputs("<tbody>\n", out);
    for (size_t k = 0; k < MS_SITE_YEARS; k++) {
        uint32_t year = data->year - (MS_SITE_YEARS - 1) + (uint32_t)k;
        fprintf(out, "<tr><th scope=\"row\">%u</th>", year);
        inv_cells(page, ms_siteinv_at(data, i, k), year, scope_label(data, i));
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table></div>\n", out);
}

static void trend(const ms_site_data_t *data, ms_page_t *page, size_t i, int f, const char *key)
{
    ms_chart_point_t points[MS_SITE_YEARS];
    char labels[MS_SITE_YEARS][8], max_text[48];
    double max = 0;
    for (size_t k = 0; k < MS_SITE_YEARS; k++) {
        int decimals;
        snprintf(labels[k], sizeof labels[k], "%u", data->year - (MS_SITE_YEARS - 1) + (uint32_t)k);
        points[k].label = labels[k];
        points[k].has = field(ms_siteinv_at(data, i, k), f, &points[k].value, &decimals);
        if (points[k].has && points[k].value > max)
            max = points[k].value;
    }
    ms_site_number(page->lang, max, 0, max_text);
    ms_svg_chart(page->out, ms_site_word(page->lang, key), points, MS_SITE_YEARS, max_text);
}

static void mutual_link(const ms_page_t *page, const ms_site_mutual_t *m)
{
    char target[MS_ORG_MAX + 20];
    snprintf(target, sizeof target, "mutuals/%s.html", m->info.org);
    fputs("<a href=\"", page->out);
    ms_page_href(page, target);
    fputs("\">", page->out);
    ms_markup_escape(page->out, m->has_card && m->card.name[0] ? m->card.name : m->info.name);
    fputs("</a>", page->out);
}

void ms_siteinv_home(const ms_site_data_t *data, ms_page_t *page)
{
    FILE *out = page->out;
    ms_lang_t lang = page->lang;
    size_t total = data->country_count, last = MS_SITE_YEARS - 1;
    size_t up = 0;
    for (size_t i = 0; i < data->mutual_count; i++)
        up += data->mutuals[i].card.card_year == data->year;
    fprintf(out, "<h2>%s</h2>\n<p>%s %u : ", ms_site_word(lang, "completeness"),
            ms_site_word(lang, "card_updated"), data->year);
    char ref[64];
    snprintf(ref, sizeof ref, "inventory:%u:total:cards_of_year", data->year);
    ms_page_figure(page, false, ref, true, (double)up, 0);
    fprintf(out, " %s ", ms_site_word(lang, "of"));
    ms_page_figure(page, false, NULL, true, (double)data->mutual_count, 0);
    fprintf(out, " %s.</p>\n", ms_site_word(lang, "mutuals_lc"));
    if (up == data->mutual_count) {
        fprintf(out, "<p>%s</p>\n", ms_site_word(lang, "none_late"));
    } else {
        fprintf(out, "<details><summary>%s</summary>\n<ul class=\"late\">\n",
                ms_site_word(lang, "late"));
        for (size_t i = 0; i < data->mutual_count; i++) {
            if (data->mutuals[i].card.card_year == data->year)
                continue;
            fputs("<li>", out);
            mutual_link(page, &data->mutuals[i]);
            fprintf(out, " (%s)</li>\n", data->mutuals[i].info.country);
        }
        fputs("</ul></details>\n", out);
    }
    fprintf(out, "<h2>%s %u</h2>\n<div class=\"scroll\"><table>\n<caption>%s %u</caption>\n",
            ms_site_word(lang, "synthesis"), data->year, ms_site_word(lang, "synthesis"),
            data->year);
    header_row(page, "country");
    fputs("<tbody>\n", out);
    for (size_t i = 0; i <= total; i++) {
        const char *scope = scope_label(data, i);
        if (i < total) {
            char target[32];
            snprintf(target, sizeof target, "countries/%s.html", scope);
            fputs("<tr><th scope=\"row\"><a href=\"", out);
            ms_page_href(page, target);
            fprintf(out, "\">%s</a></th>", scope);
        } else {
            fprintf(out, "<tr class=\"total\"><th scope=\"row\">%s</th>",
                    ms_site_word(lang, "total"));
        }
        inv_cells(page, ms_siteinv_at(data, i, last), data->year, scope);
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table></div>\n", out);
    fprintf(out, "<h2>%s</h2>\n", ms_site_word(lang, "by_year"));
    trend(data, page, total, 0, "trend_mutuals");
    trend(data, page, total, 2, "trend_beneficiaries");
    year_table(data, page, total, ms_site_word(lang, "by_year"));
}

static void directory_table(const ms_site_data_t *data, ms_page_t *page, const char *country)
{
    FILE *out = page->out;
    ms_lang_t lang = page->lang;
    fprintf(out, "<div class=\"scroll\"><table id=\"mutuals\">\n<caption>%s</caption>\n",
            ms_site_word(lang, "directory"));
    const char *cols[] = {"name",       "country",           "union",    "founded",
                          "guarantees", "target_population", "card_year"};
    fputs("<thead><tr>", out);
    for (size_t c = 0; c < 7; c++)
        fprintf(out, "<th scope=\"col\">%s</th>", ms_site_word(lang, cols[c]));
    fputs("</tr></thead>\n<tbody>\n", out);
    for (size_t i = 0; i < data->mutual_count; i++) {
        const ms_site_mutual_t *m = &data->mutuals[i];
        if (country && strcmp(country, m->info.country) != 0)
            continue;
        char created[11] = "";
        if (m->card.created)
            ms_date_format(m->card.created, created);
        fprintf(out, "<tr data-country=\"%s\"><th scope=\"row\">", m->info.country);
        mutual_link(page, m);
        fprintf(out, "</th><td>%s</td><td>", m->info.country);
        ms_markup_escape(out, m->info.parent);
        fprintf(out, "</td><td>%.4s</td><td>", created);
        ms_site_guarantees(out, lang, &m->card);
        fputs("</td>", out);
        ms_page_figure(page, true, NULL, m->has_card, (double)m->card.target_population, 0);
        fprintf(out, "<td%s>", m->card.card_year == data->year ? "" : " class=\"late\"");
        if (m->card.card_year)
            fprintf(out, "%u", m->card.card_year);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table></div>\n", out);
}

static int directory_page(const ms_site_data_t *data, ms_lang_t lang, ms_error_t *err)
{
    ms_page_t page;
    int rc = ms_page_open(&page, data->dir, data->previous, lang, false, "directory.html",
                          ms_site_word(lang, "directory"), err);
    if (rc)
        return rc;
    FILE *out = page.out;
    fprintf(out,
            "<p class=\"noprint\"><label for=\"country\">%s</label> <select id=\"country\">"
            "<option value=\"\">%s</option>",
            ms_site_word(lang, "filter"), ms_site_word(lang, "all_countries"));
    for (size_t i = 0; i < data->country_count; i++)
        fprintf(out, "<option>%s</option>", data->countries[i]);
    fputs("</select></p>\n<p class=\"noprint\">", out);
    for (size_t i = 0; i < data->country_count; i++) {
        char target[32];
        snprintf(target, sizeof target, "countries/%s.html", data->countries[i]);
        fputs("<a href=\"", out);
        ms_page_href(&page, target);
        fprintf(out, "\">%s</a> ", data->countries[i]);
    }
    fputs("</p>\n", out);
    directory_table(data, &page, NULL);
    fputs("<script>\ndocument.getElementById('country').addEventListener('change', function () {\n"
          "  var c = this.value;\n"
          "  document.querySelectorAll('#mutuals tbody tr').forEach(function (tr) {\n"
          "    tr.hidden = c !== '' && tr.getAttribute('data-country') !== c;\n"
          "  });\n});\n</script>\n",
          out);
    return ms_page_close(&page, err);
}

static int country_page(const ms_site_data_t *data, size_t i, ms_lang_t lang, ms_error_t *err)
{
    ms_page_t page;
    char here[32], title[64];
    snprintf(here, sizeof here, "countries/%s.html", data->countries[i]);
    snprintf(title, sizeof title, "%s %s", ms_site_word(lang, "country"), data->countries[i]);
    int rc = ms_page_open(&page, data->dir, data->previous, lang, false, here, title, err);
    if (rc)
        return rc;
    trend(data, &page, i, 0, "trend_mutuals");
    trend(data, &page, i, 2, "trend_beneficiaries");
    year_table(data, &page, i, ms_site_word(lang, "by_year"));
    directory_table(data, &page, data->countries[i]);
    return ms_page_close(&page, err);
}

static void citation(const ms_site_data_t *data, ms_lang_t lang, char *out, size_t cap)
{
    snprintf(out, cap, "%s, %u, %s %s.", ms_site_word(lang, "citation"), data->year,
             ms_site_word(lang, "extracted"), data->today);
}

static int data_page(const ms_site_data_t *data, ms_lang_t lang, ms_error_t *err)
{
    ms_page_t page;
    int rc = ms_page_open(&page, data->dir, data->previous, lang, false, "data.html",
                          ms_site_word(lang, "data"), err);
    if (rc)
        return rc;
    FILE *out = page.out;
    char text[512];
    citation(data, lang, text, sizeof text);
    fprintf(out, "<p>%s</p>\n<h2>%s</h2>\n<ul>\n", ms_site_word(lang, "free_use"),
            ms_site_word(lang, "downloads"));
    const char *files[][2] = {{"inventory.csv", "csv_inventory"},
                              {"mutuals.csv", "csv_mutuals"},
                              {"mutsync.sqlite", "sqlite"}};
    for (size_t f = 0; f < 3; f++)
        fprintf(out, "<li><a href=\"%s%s\" download>%s</a> — %s</li>\n", page.top, files[f][0],
                files[f][0], ms_site_word(lang, files[f][1]));
    fprintf(out, "</ul>\n<h2>%s</h2>\n<blockquote><p>", ms_site_word(lang, "citation_title"));
    ms_markup_escape(out, text);
    fputs("</p></blockquote>\n", out);
    return ms_page_close(&page, err);
}

int ms_siteinv_pages(const ms_site_data_t *data, ms_lang_t lang, ms_error_t *err)
{
    int rc = directory_page(data, lang, err);
    for (size_t i = 0; rc == 0 && i < data->country_count; i++)
        rc = country_page(data, i, lang, err);
    if (rc == 0)
        rc = data_page(data, lang, err);
    return rc;
}

//  ---------------------------------------------------------------------------
//  Downloads

//  Field F of INV as text ("" for null), as the CSV and the database hold it.
static void field_text(const ms_site_inv_t *inv, int f, char *out, size_t cap)
{
    double value;
    int decimals;
    if (!field(inv, f, &value, &decimals))
        out[0] = 0;
    else if (decimals == 0)
        snprintf(out, cap, "%.0f", value);
    else
        snprintf(out, cap, "%.*f", decimals == 4 ? 6 : 2, value);
}

static const char inventory_columns[] =
    "year,scope,mutuals,adherents,beneficiaries,target_population,penetration_rate,"
    "primary_care,hospitalization,childbirth,sonu,drugs,average_age,cards_of_year";

static int inventory_csv(const ms_site_data_t *data, const char *path, ms_error_t *err)
{
    FILE *out = fopen(path, "w");
    if (!out)
        return ms_error_set(err, MS_EIO, path, "cannot be written");
    ms_csv_style_t style = {',', true};
    ms_csv_begin(out, &style);
    fprintf(out, "%s\r\n", inventory_columns);
    for (size_t k = 0; k < MS_SITE_YEARS; k++)
        for (size_t i = 0; i <= data->country_count; i++) {
            fprintf(out, "%u", data->year - (MS_SITE_YEARS - 1) + (uint32_t)k);
            ms_csv_field(out, &style, false, scope_label(data, i));
            for (int f = 0; f < FIELDS - 1; f++) {
                char text[48];
                field_text(ms_siteinv_at(data, i, k), f, text, sizeof text);
                ms_csv_field(out, &style, false, text);
            }
            fputs("\r\n", out);
        }
    return fclose(out) == 0 ? 0 : ms_error_set(err, MS_EIO, path, "could not be written");
}

static int mutuals_csv(const ms_site_data_t *data, const char *path, char **csv_p, ms_error_t *err)
{
    size_t len = 0;
    FILE *mem = open_memstream(csv_p, &len);
    if (!mem)
        return ms_error_set(err, MS_ENOMEM, "site", "out of memory");
    ms_export_options_t options = {
        MS_EXPORT_CSV, {MS_PERIOD_YEAR, data->year, 0}, NULL, NULL, {',', false}, data->now};
    int rc = ms_export_write(data->txn, data->id->org, data->id->root, &options, mem, err);
    fclose(mem);
    if (rc)
        return rc;
    FILE *out = fopen(path, "w");
    if (!out || fputs("\xEF\xBB\xBF", out) < 0 || fputs(*csv_p, out) < 0) {
        if (out)
            fclose(out);
        return ms_error_set(err, MS_EIO, path, "cannot be written");
    }
    return fclose(out) == 0 ? 0 : ms_error_set(err, MS_EIO, path, "could not be written");
}

//  Splits the next CSV line of *TEXT (fields quoted by csvout.h) into
//  FIELDS (at most CAP, pointing into the text, which is modified).
static size_t next_row(char **text, char **fields, size_t cap)
{
    char *p = *text, *w = p;
    size_t count = 0;
    if (!*p)
        return 0;
    fields[count++] = w;
    bool quoted = false;
    for (; *p; p++) {
        if (quoted) {
            if (*p == '"' && p[1] == '"')
                *w++ = *p++;
            else if (*p == '"')
                quoted = false;
            else
                *w++ = *p;
        } else if (*p == '"') {
            quoted = true;
        } else if (*p == ',') {
            *w++ = 0;
            if (count < cap)
                fields[count++] = w;
        } else if (*p == '\r' && p[1] == '\n') {
            p += 2;
            break;
        } else {
            *w++ = *p;
        }
    }
    *w = 0;
    *text = p;
    return count;
}

static int sql_exec(sqlite3 *db, const char *sql, const char *path, ms_error_t *err)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK
               ? 0
               : ms_error_set(err, MS_EIO, path, "sqlite: %s", sqlite3_errmsg(db));
}

//  A table named NAME whose columns are HEADER's, filled with ROWS (CSV).
static int sql_table(sqlite3 *db, const char *name, char *csv, const char *path, ms_error_t *err)
{
    enum { COLUMNS_MAX = 64 };
    char *fields[COLUMNS_MAX], sql[4096];
    size_t columns = next_row(&csv, fields, COLUMNS_MAX);
    int n = snprintf(sql, sizeof sql, "CREATE TABLE %s (", name);
    for (size_t c = 0; c < columns; c++)
        n += snprintf(sql + n, sizeof sql - (size_t)n, "%s\"%s\"", c ? ", " : "", fields[c]);
    snprintf(sql + n, sizeof sql - (size_t)n, ")");
    int rc = sql_exec(db, sql, path, err);
    if (rc)
        return rc;
    n = snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (", name);
    for (size_t c = 0; c < columns; c++)
        n += snprintf(sql + n, sizeof sql - (size_t)n, "%s?", c ? ", " : "");
    snprintf(sql + n, sizeof sql - (size_t)n, ")");
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return ms_error_set(err, MS_EIO, path, "sqlite: %s", sqlite3_errmsg(db));
    size_t count;
    while (rc == 0 && (count = next_row(&csv, fields, COLUMNS_MAX)) == columns) {
        for (size_t c = 0; c < columns; c++) {
            char *end;
            long long whole = strtoll(fields[c], &end, 10);
            if (!fields[c][0])
                sqlite3_bind_null(stmt, (int)c + 1);
            else if (!*end && fields[c][0] != '0')
                sqlite3_bind_int64(stmt, (int)c + 1, whole);
            else if (strcmp(fields[c], "0") == 0)
                sqlite3_bind_int64(stmt, (int)c + 1, 0);
            else if ((strtod(fields[c], &end), !*end) && strchr("0123456789", fields[c][0]))
                sqlite3_bind_double(stmt, (int)c + 1, strtod(fields[c], NULL));
            else
                sqlite3_bind_text(stmt, (int)c + 1, fields[c], -1, SQLITE_STATIC);
        }
        if (sqlite3_step(stmt) != SQLITE_DONE)
            rc = ms_error_set(err, MS_EIO, path, "sqlite: %s", sqlite3_errmsg(db));
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return rc;
}

static int database(const ms_site_data_t *data, const char *path, char *inventory, char *mutuals,
                    ms_error_t *err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        sqlite3_close(db);
        return ms_error_set(err, MS_EIO, path, "cannot be created");
    }
    //  A new file in a directory that is thrown away on any failure: no
    //  rollback journal and no sync to disk (the swap of the site is the
    //  one step that counts).
    int rc = sql_exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN", path, err);
    if (rc == 0)
        rc = sql_table(db, "inventory", inventory, path, err);
    if (rc == 0)
        rc = sql_table(db, "mutuals", mutuals, path, err);
    char fr[512], en[512];
    citation(data, MS_LANG_FR, fr, sizeof fr);
    citation(data, MS_LANG_EN, en, sizeof en);
    sqlite3_stmt *stmt = NULL;
    if (rc == 0)
        rc = sql_exec(db, "CREATE TABLE citation (lang, text)", path, err);
    if (rc == 0 && sqlite3_prepare_v2(db, "INSERT INTO citation VALUES (?, ?), (?, ?)", -1, &stmt,
                                      NULL) == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, "fr", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, fr, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, "en", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, en, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_DONE)
            rc = ms_error_set(err, MS_EIO, path, "sqlite: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(stmt);
    if (rc == 0)
        rc = sql_exec(db, "COMMIT", path, err);
    if (sqlite3_close(db) != SQLITE_OK && rc == 0)
        rc = ms_error_set(err, MS_EIO, path, "could not be closed");
    return rc;
}

int ms_siteinv_files(const ms_site_data_t *data, ms_error_t *err)
{
    char path[4096], *mutuals = NULL, *inventory = NULL;
    snprintf(path, sizeof path, "%s/inventory.csv", data->dir);
    int rc = inventory_csv(data, path, err);
    snprintf(path, sizeof path, "%s/mutuals.csv", data->dir);
    if (rc == 0)
        rc = mutuals_csv(data, path, &mutuals, err);
    if (rc == 0) {
        size_t len = 0;
        FILE *mem = open_memstream(&inventory, &len);
        snprintf(path, sizeof path, "%s/inventory.csv", data->dir);
        FILE *in = mem ? fopen(path, "r") : NULL;
        char buf[4096];
        size_t n;
        if (in && fread(buf, 1, 3, in) == 3)
            while ((n = fread(buf, 1, sizeof buf, in)) > 0)
                fwrite(buf, 1, n, mem);
        if (in)
            fclose(in);
        if (mem)
            fclose(mem);
        snprintf(path, sizeof path, "%s/mutsync.sqlite", data->dir);
        rc = inventory && mutuals ? database(data, path, inventory, mutuals, err)
                                  : ms_error_set(err, MS_ENOMEM, "site", "out of memory");
    }
    free(inventory);
    free(mutuals);
    return rc;
}
