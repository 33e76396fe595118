/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PNG charts for the measurement tools, drawn with cairo: a grid of panels, each with line
 * series (x/y curves with point markers) or bars (a histogram), and a shared legend. Series
 * are drawn without antialiasing so every series keeps its exact colour in the image, which
 * lets a test read the curves back. */
#ifndef PF_TOOLS_CHART_H
#define PF_TOOLS_CHART_H

#include <stddef.h>
#include <stdint.h>

typedef struct chart_series {
    const char *label;
    const double *x, *y; /* n points; for bars x is the left edge, bar_width wide */
    size_t n;
    uint32_t rgb;        /* 0xRRGGBB */
} chart_series;

typedef struct chart_panel {
    const char *title, *xlabel, *ylabel;
    double xmin, xmax, ymin, ymax;
    const chart_series *series;
    size_t n_series;
    double bar_width;    /* > 0: draw the series as bars */
    const char *note;    /* optional line under the title (e.g. "not on the wire") */
} chart_panel;

/* Where a panel's plot area ended up, in pixels of the PNG. */
typedef struct chart_rect {
    int x, y, w, h;
} chart_rect;

/* A distinct colour for series @p i (a fixed 10-colour palette, then repeats). */
uint32_t chart_palette(size_t i);

/* Draws @p n panels, @p cols per row, under @p title, with a legend of panel 0's series when
 * @p legend is set, and writes the PNG to @p path. @p ret_rects (n entries, may be NULL)
 * receives the plot areas. 0, or -1 with a message in @p err. */
int chart_write_png(const char *path, const char *title, const chart_panel *panels, size_t n,
                    size_t cols, int legend, chart_rect *ret_rects, char *err, size_t err_len);

/* Releases cairo's and fontconfig's process-wide caches (fonts loaded for the text), so a
 * leak checker sees a clean exit. Call once at the end of the program. */
void chart_shutdown(void);

#endif
