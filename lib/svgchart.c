//  svgchart - polylines in a fixed 640 x 240 viewBox; the browser scales the
//  drawing (width 100%), so the same chart fits a phone and a printed page.

#include "mutsync/svgchart.h"

#include "mutsync/export.h"

#include <string.h>

enum { WIDTH = 640, HEIGHT = 240, LEFT = 56, RIGHT = 16, TOP = 16, BOTTOM = 40 };

void ms_svg_chart(FILE *out, const char *title, const ms_chart_point_t *points, size_t count,
                  const char *label_max)
{
    double max = 0;
    for (size_t i = 0; i < count; i++)
        if (points[i].has && points[i].value > max)
            max = points[i].value;
    double plot_w = WIDTH - LEFT - RIGHT, plot_h = HEIGHT - TOP - BOTTOM;
    fprintf(out, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", WIDTH,
            HEIGHT);
    ms_markup_escape(out, title);
    fputs("\" xmlns=\"http://www.w3.org/2000/svg\"><title>", out);
    ms_markup_escape(out, title);
    fprintf(out, "</title>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", LEFT,
            HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n", LEFT, TOP,
            LEFT, HEIGHT - BOTTOM);
    fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">", LEFT - 4, TOP + 4);
    ms_markup_escape(out, label_max);
    fprintf(out, "</text><text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">0</text>\n",
            LEFT - 4, HEIGHT - BOTTOM);
    size_t step = count > 12 ? (count + 11) / 12 : 1;
    bool open = false;
    for (size_t i = 0; i < count; i++) {
        double x = LEFT + (count > 1 ? plot_w * (double)i / (double)(count - 1) : plot_w / 2);
        double y = HEIGHT - BOTTOM - (max > 0 ? plot_h * points[i].value / max : 0);
        if (points[i].has) {
            if (!open)
                fputs("<polyline class=\"line\" points=\"", out);
            fprintf(out, "%s%.1f,%.1f", open ? " " : "", x, y);
            open = true;
        }
        if (open && (i + 1 == count || !points[i + 1].has)) {
            fputs("\"/>\n", out);
            open = false;
        }
    }
    for (size_t i = 0; i < count; i++) {
        double x = LEFT + (count > 1 ? plot_w * (double)i / (double)(count - 1) : plot_w / 2);
        double y = HEIGHT - BOTTOM - (max > 0 ? plot_h * points[i].value / max : 0);
        if (points[i].has)
            fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" class=\"dot\"/>", x, y);
        if (i % step == 0 || i + 1 == count) {
            fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">", x,
                    HEIGHT - BOTTOM + 16);
            ms_markup_escape(out, points[i].label);
            fputs("</text>", out);
        }
    }
    fputs("\n</svg>\n", out);
}
