//  cmd_site - mutsync site: the static website of what this node holds
//  (site.h), the same one mutsyncd --site keeps current.

#include "cli.h"
#include "commands.h"

#include "mutsync/site.h"
#include "mutsync/views.h"

#include <time.h>

static const char site_usage[] =
    N_("usage: mutsync -d DIR site --out SITEDIR [--lang fr|en] [--year YYYY]\n"
       "Writes a static website of what this node holds into SITEDIR, in French and\n"
       "English (a language switch on every page); --lang sets the language the home\n"
       "page SITEDIR/index.html opens in (default French). It needs no server code\n"
       "and nothing online: open it from a USB key or any plain web server.\n"
       "At the secretariat: the inventory by country for the year and year by year,\n"
       "with charts, the directory of mutuals, a page per country and per mutual,\n"
       "how many cards are up to date, and the database to download (CSV and SQLite).\n"
       "At a union: its mutuals' indicators by month, quarter and year, who has\n"
       "reported and synced. At a mutual: its indicators and its card.\n"
       "The figures are those of view and inventory --format json. --year: the\n"
       "inventory's year (default the current one). The site is built beside\n"
       "SITEDIR and swapped in at once.\n");

enum { SITE_OUT, SITE_YEAR };

static const cli_opt_t site_opts[] = {
    {"out", CLI_TEXT, 0, 0, 0}, {"year", CLI_UINT, 1910, 2100, 0}, {NULL, 0, 0, 0, 0}};

int cmd_site(int argc, char **argv)
{
    cli_args_t args;
    int rc = cli_parse(argc, argv, site_opts, NULL, site_usage, &args);
    if (rc)
        return rc;
    if (!args.text[SITE_OUT] || !args.text[SITE_OUT][0])
        return cli_usage(site_usage, _("--out SITEDIR is required"));
    ms_site_options_t options = {cli_lang_given(),
                                 args.text[SITE_YEAR] ? (uint32_t)args.number[SITE_YEAR] : 0,
                                 (int64_t)time(NULL)};
    ms_node_t *node = NULL;
    ms_error_t err = {0};
    rc = cli_open(cli_dir(), &node);
    if (rc == 0 && (ms_views_publish(node, NULL, &err) != 0 ||
                    ms_site_write(node, args.text[SITE_OUT], &options, &err) != 0))
        rc = cli_fail(&err);
    ms_node_close(&node);
    if (rc == 0)
        printf(_("site written to %s\n"), args.text[SITE_OUT]);
    return rc;
}
