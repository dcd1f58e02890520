//  svgchart - a line chart as inline SVG, drawn when the page is written.
//
//  The site's trend charts (site.h): one series over periods, gaps where
//  there is no data (the line breaks; "no data" is not 0). The SVG scales
//  to the page width, carries a <title> and an aria-label, and needs no
//  script, font or file beside the page.

#ifndef MS_SVGCHART_H
#define MS_SVGCHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
    const char *label;  //  the period, shown under the axis (borrowed)
    double value;       //  the figure
    bool has;           //  false: no data for the period
} ms_chart_point_t;

//  Writes an <svg> element to OUT: TITLE (plain text, escaped here) and the
//  COUNT POINTS as a line from the first to the last; the y axis runs from 0
//  to the largest value, labelled with it as LABEL_MAX (already formatted
//  for the page's locale).
void ms_svg_chart(FILE *out, const char *title, const ms_chart_point_t *points, size_t count,
                  const char *label_max);

#endif
