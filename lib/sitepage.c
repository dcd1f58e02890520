//  sitepage - page frame, escaping, locale figures and the site's words.
//  Used by site.c and siteinv.c; writes only into files it is given.

#include "mutsync/sitepage.h"

#include "mutsync/export.h"
#include "mutsync/inventory.h"

#include "mutsync/svgchart.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *key, *fr, *en;
} words[] = {
    {"home", "Accueil", "Home"},
    {"directory", "Répertoire des mutuelles", "Directory of mutuals"},
    {"data", "Télécharger la base", "Download the database"},
    {"other", "English", "Français"},
    {"inventory", "Inventaire permanent des mutuelles de santé",
     "Permanent inventory of mutual health organizations"},
    {"synthesis", "Synthèse par pays", "Synthesis by country"},
    {"by_year", "Année par année", "Year by year"},
    {"country", "Pays", "Country"},
    {"year", "Année", "Year"},
    {"mutuals_lc", "mutuelles", "mutuals"},
    {"total", "Total", "Total"},
    {"mutuals", "Mutuelles", "Mutuals"},
    {"adherents", "Adhérents", "Adherents"},
    {"beneficiaries", "Bénéficiaires", "Beneficiaries"},
    {"target_population", "Population cible", "Target population"},
    {"penetration_rate", "Taux de pénétration", "Penetration rate"},
    {"average_age", "Âge moyen (ans)", "Average age (years)"},
    {"primary_care", "Soins primaires", "Primary care"},
    {"hospitalization", "Hospitalisation", "Hospitalization"},
    {"childbirth", "Accouchement", "Childbirth"},
    {"sonu", "SONU", "Emergency obstetric care"},
    {"drugs", "Médicaments", "Drugs"},
    {"guarantees", "Garanties", "Guarantees"},
    {"offering", "Mutuelles offrant chaque garantie", "Mutuals offering each guarantee"},
    {"name", "Nom", "Name"},
    {"union", "Union", "Union"},
    {"founded", "Création", "Founded"},
    {"card_year", "Fiche de l'année", "Card of year"},
    {"completeness", "Fiches à jour", "Cards up to date"},
    {"card_updated", "Fiche mise à jour cette année", "Card updated this year"},
    {"of", "sur", "of"},
    {"late", "En retard", "Late"},
    {"none_late", "Aucune mutuelle en retard.", "No mutual is late."},
    {"trend_beneficiaries", "Bénéficiaires, année par année", "Beneficiaries, year by year"},
    {"trend_mutuals", "Mutuelles, année par année", "Mutuals, year by year"},
    {"all_countries", "Tous les pays", "All countries"},
    {"filter", "Filtrer par pays", "Filter by country"},
    {"citation_title", "Citer la source", "Cite the source"},
    {"citation",
     "Source : Secrétariat technique de la Concertation, Inventaire permanent des mutuelles de "
     "santé en Afrique de l'Ouest et du Centre",
     "Source: Technical secretariat of the Concertation, Permanent inventory of mutual health "
     "organizations in West and Central Africa"},
    {"extracted", "extrait le", "extracted on"},
    {"downloads", "Fichiers", "Files"},
    {"csv_inventory", "Synthèse par pays et par année (CSV, UTF-8)",
     "Synthesis by country and year (CSV, UTF-8)"},
    {"csv_mutuals", "Mutuelles et leurs indicateurs de l'année (CSV, UTF-8)",
     "Mutuals and their indicators for the year (CSV, UTF-8)"},
    {"sqlite", "Les mêmes tables en base SQLite", "The same tables as a SQLite database"},
    {"free_use",
     "Chacun peut télécharger la base pour ses propres études, en citant le secrétariat.",
     "Anyone may download the database for their own study, citing the secretariat."},
    {"indicators", "Indicateurs", "Indicators"},
    {"by_month", "Par mois", "By month"},
    {"by_quarter", "Par trimestre", "By quarter"},
    {"period", "Période", "Period"},
    {"card", "Fiche", "Card"},
    {"reporting", "Qui a déclaré", "Who has reported"},
    {"last_report", "Dernier mois déclaré", "Last month reported"},
    {"last_sync", "Dernière synchronisation", "Last sync"},
    {"reported", "À jour", "Up to date"},
    {"yes", "oui", "yes"},
    {"no", "non", "no"},
    {"trend_month", "Bénéficiaires par mois", "Beneficiaries by month"},
    {"trend_paid", "Cotisations recouvrées par mois (XOF)", "Contributions paid by month (XOF)"},
    {"no_data", "pas de donnée", "no data"},
    {"network", "Le réseau", "The network"},
};

const char *ms_lang_code(ms_lang_t lang)
{
    return lang == MS_LANG_EN ? "en" : "fr";
}

const char *ms_site_word(ms_lang_t lang, const char *key)
{
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(words[i].key, key) == 0)
            return lang == MS_LANG_EN ? words[i].en : words[i].fr;
    return key;
}

void ms_site_guarantees(FILE *out, ms_lang_t lang, const ms_org_t *card)
{
    const bool offers[MS_GUARANTEE_COUNT] = {card->covers_primary_care,
                                             card->covers_hospitalization, card->covers_childbirth,
                                             card->covers_sonu, card->covers_drugs};
    bool any = false;
    for (int g = 0; g < MS_GUARANTEE_COUNT; g++)
        if (offers[g]) {
            fprintf(out, "%s%s", any ? ", " : "", ms_site_word(lang, ms_guarantee_name(g)));
            any = true;
        }
}

const char ms_site_css[] =
    "body{font-family:sans-serif;margin:0;color:#222;background:#fff;line-height:1.4}\n"
    "header{background:#1f4e79;color:#fff;padding:.5em 1em}\n"
    "header a{color:#fff;margin-right:1em}\n"
    "header .lang{float:right;margin-right:0}\n"
    "main{padding:0 1em 1em;max-width:80em}\n"
    "footer{padding:1em;color:#555;font-size:.85em;border-top:1px solid #ccc}\n"
    ".scroll{overflow-x:auto}\n"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}\n"
    "caption{text-align:left;font-weight:bold;padding:.3em 0}\n"
    "th,td{border:1px solid #bbb;padding:.2em .5em}\n"
    "td.n{text-align:right;white-space:nowrap}\n"
    "thead th{background:#e8eef5}\n"
    "tr.total{font-weight:bold}\n"
    ".chart{width:100%;max-width:40em;height:auto}\n"
    ".chart .axis{stroke:#555}\n"
    ".chart .line{fill:none;stroke:#1f4e79;stroke-width:2}\n"
    ".chart .dot{fill:#1f4e79}\n"
    ".chart .tick{font-size:11px;fill:#333}\n"
    ".late{color:#a00}\n"
    "@media (max-width:600px){main{padding:0 .5em}th,td{padding:.15em .3em;font-size:.9em}"
    "header .lang{float:none;display:block}}\n"
    "@media print{header,nav,.noprint,.chart{display:none}main{max-width:none;padding:0}"
    "body{font-size:10pt}table{page-break-inside:auto}tr{page-break-inside:avoid}"
    "thead{display:table-header-group}a{color:#000;text-decoration:none}}\n";

int ms_page_open(ms_page_t *page, const char *root, const char *previous, ms_lang_t lang,
                 bool at_root, const char *here, const char *title, ms_error_t *err)
{
    memset(page, 0, sizeof *page);
    page->lang = lang;
    snprintf(page->here, sizeof page->here, "%s", here);
    int depth = at_root ? 0 : 1;
    for (const char *p = here; *p; p++)
        depth += *p == '/';
    for (int i = 0; i < depth && strlen(page->top) + 4 < sizeof page->top; i++)
        strcat(page->top, "../");
    const char *langdir = at_root ? "" : ms_lang_code(lang);
    const char *slash = at_root ? "" : "/";
    snprintf(page->path, sizeof page->path, "%s/%s%s%s", root, langdir, slash, here);
    if (previous)
        snprintf(page->previous, sizeof page->previous, "%s/%s%s%s", previous, langdir, slash,
                 here);
    page->out = open_memstream(&page->bytes, &page->len);
    if (!page->out)
        return ms_error_set(err, MS_ENOMEM, page->path, "out of memory");
    FILE *out = page->out;
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
            ms_lang_code(lang));
    ms_markup_escape(out, title);
    fprintf(out, "</title>\n<link rel=\"stylesheet\" href=\"%ssite.css\">\n</head>\n<body>\n",
            page->top);
    fputs("<header><nav>", out);
    const char *links[][2] = {
        {"index.html", "home"}, {"directory.html", "directory"}, {"data.html", "data"}};
    for (size_t i = 0; i < 3; i++) {
        fputs("<a href=\"", out);
        ms_page_href(page, links[i][0]);
        fprintf(out, "\">%s</a>", ms_site_word(lang, links[i][1]));
    }
    ms_lang_t other = lang == MS_LANG_FR ? MS_LANG_EN : MS_LANG_FR;
    fprintf(out, "<a class=\"lang\" hreflang=\"%s\" lang=\"%s\" href=\"%s%s/%s\">%s</a>",
            ms_lang_code(other), ms_lang_code(other), page->top, ms_lang_code(other), here,
            ms_site_word(lang, "other"));
    fputs("</nav></header>\n<main>\n<h1>", out);
    ms_markup_escape(out, title);
    fputs("</h1>\n", out);
    return 0;
}

//  Whether the file PATH (not a symbolic link) holds exactly the LEN bytes BYTES.
static bool same_file(const char *path, const char *bytes, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    struct stat st;
    bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len;
    char chunk[16384];
    for (size_t at = 0; same && at < len;) {
        ssize_t got = read(fd, chunk, sizeof chunk);
        same = got > 0 && (size_t)got <= len - at && memcmp(chunk, bytes + at, (size_t)got) == 0;
        at += got > 0 ? (size_t)got : 0;
    }
    close(fd);
    return same;
}

static bool write_file(const char *path, const char *bytes, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0)
        return false;
    bool ok = true;
    for (size_t at = 0; ok && at < len;) {
        ssize_t put = write(fd, bytes + at, len - at);
        ok = put > 0 || (put < 0 && errno == EINTR);
        at += put > 0 ? (size_t)put : 0;
    }
    return close(fd) == 0 && ok;
}

int ms_page_close(ms_page_t *page, ms_error_t *err)
{
    fputs("</main>\n</body>\n</html>\n", page->out);
    bool bad = ferror(page->out) != 0;
    if (fclose(page->out) != 0)
        bad = true;
    page->out = NULL;
    if (bad || !page->bytes) {
        free(page->bytes);
        page->bytes = NULL;
        return ms_error_set(err, MS_ENOMEM, page->path, "out of memory");
    }
    bool linked = page->previous[0] && same_file(page->previous, page->bytes, page->len) &&
                  link(page->previous, page->path) == 0;
    bool written = linked || write_file(page->path, page->bytes, page->len);
    int error = errno;
    free(page->bytes);
    page->bytes = NULL;
    if (!written)
        return ms_error_set(err, MS_EIO, page->path, "cannot be written: %s", strerror(error));
    return 0;
}

void ms_page_href(const ms_page_t *page, const char *target)
{
    fprintf(page->out, "%s%s/", page->top, ms_lang_code(page->lang));
    ms_markup_escape(page->out, target);
}

//  VALUE's digits as "%.0f" prints them, into OUT (24 bytes): by hand when
//  VALUE is a whole number that a double holds exactly (a page is mostly
//  whole figures, and printf's floating-point path is the slow one). Returns
//  false, writing nothing, for any other VALUE.
static bool whole_digits(double value, char *out)
{
    if (!(value >= 0 && value < 9007199254740992.0) || value != floor(value))
        return false;
    if (value == 0 && signbit(value))
        return false;
    char reversed[24];
    size_t n = 0;
    uint64_t whole = (uint64_t)value;
    do {
        reversed[n++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole);
    for (size_t i = 0; i < n; i++)
        out[i] = reversed[n - 1 - i];
    out[n] = 0;
    return true;
}

void ms_site_number(ms_lang_t lang, double value, int decimals, char *out)
{
    char digits[48];
    bool negative = value < 0;
    if (decimals != 0 || !whole_digits(fabs(value), digits))
        snprintf(digits, sizeof digits, "%.*f", decimals, fabs(value));
    const char *group = lang == MS_LANG_FR ? "\xC2\xA0" : ",";
    char mark = lang == MS_LANG_FR ? ',' : '.';
    char *dot = strchr(digits, '.');
    size_t whole = dot ? (size_t)(dot - digits) : strlen(digits);
    size_t n = 0;
    if (negative)
        out[n++] = '-';
    for (size_t i = 0; i < whole; i++) {
        if (i && (whole - i) % 3 == 0) {
            memcpy(out + n, group, strlen(group));
            n += strlen(group);
        }
        out[n++] = digits[i];
    }
    if (dot) {
        out[n++] = mark;
        memcpy(out + n, dot + 1, strlen(dot + 1));
        n += strlen(dot + 1);
    }
    out[n] = 0;
}

void ms_page_figure(const ms_page_t *page, bool cell, const char *ref, bool has, double value,
                    int decimals)
{
    FILE *out = page->out;
    char digits[48];
    if (!has)
        digits[0] = 0;
    else if (decimals != 0)
        snprintf(digits, sizeof digits, "%.17g", value);
    else if (value < 0 || !whole_digits(value, digits))
        snprintf(digits, sizeof digits, "%.0f", value);
    fputs(cell ? "<td class=\"n\" data-value=\"" : "<span data-value=\"", out);
    fputs(digits, out);
    fputc('"', out);
    if (ref) {
        fputs(" data-ref=\"", out);
        ms_markup_escape(out, ref);
        fputc('"', out);
    }
    fputc('>', out);
    if (has) {
        char text[48];
        ms_site_number(page->lang, value, decimals, text);
        fputs(text, out);
    } else {
        fputs("<abbr title=\"", out);
        fputs(ms_site_word(page->lang, "no_data"), out);
        fputs("\">\xE2\x80\x93</abbr>", out);
    }
    fputs(cell ? "</td>" : "</span>", out);
}
