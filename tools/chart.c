/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cairo charts for pf-loss-harness and pf-latency-probe. */
#include "chart.h"

#include <math.h>
#include <stdio.h>

#include <cairo.h>
#include <fontconfig/fontconfig.h>

#define PANEL_W 460
#define PANEL_H 320
#define PLOT_LEFT 64
#define PLOT_RIGHT 16
#define PLOT_TOP 46
#define PLOT_BOTTOM 46
#define TITLE_H 36
#define LEGEND_W 230

uint32_t chart_palette(size_t i)
{
    static const uint32_t colours[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                       0x8c564b, 0xe377c2, 0x17becf, 0xbcbd22, 0x000080};
    return colours[i % (sizeof(colours) / sizeof(colours[0]))];
}

static void set_rgb(cairo_t *cr, uint32_t rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0,
                         (rgb & 0xFF) / 255.0);
}

static void text(cairo_t *cr, double x, double y, double size, const char *s, double align)
{
    cairo_text_extents_t e;
    cairo_set_font_size(cr, size);
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, x - align * e.x_advance, y);
    cairo_show_text(cr, s);
}

static double map(double v, double lo, double hi, double a, double b)
{
    if (hi <= lo)
        return a;
    if (v < lo)
        v = lo;
    if (v > hi)
        v = hi;
    return a + (v - lo) / (hi - lo) * (b - a);
}

/* Five ticks with labels on both axes, and a light grid. */
static void axes(cairo_t *cr, const chart_panel *p, const chart_rect *r)
{
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
    cairo_set_line_width(cr, 1.0);
    char buf[32];
    for (int i = 0; i <= 5; i++) {
        double fx = r->x + r->w * i / 5.0, fy = r->y + r->h - r->h * i / 5.0;
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
        cairo_move_to(cr, fx + 0.5, r->y);
        cairo_line_to(cr, fx + 0.5, r->y + r->h);
        cairo_move_to(cr, r->x, fy + 0.5);
        cairo_line_to(cr, r->x + r->w, fy + 0.5);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        snprintf(buf, sizeof(buf), "%.3g", p->xmin + (p->xmax - p->xmin) * i / 5.0);
        text(cr, fx, r->y + r->h + 16, 11, buf, 0.5);
        snprintf(buf, sizeof(buf), "%.3g", p->ymin + (p->ymax - p->ymin) * i / 5.0);
        text(cr, r->x - 6, fy + 4, 11, buf, 1.0);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_rectangle(cr, r->x + 0.5, r->y + 0.5, r->w, r->h);
    cairo_stroke(cr);
    if (p->xlabel)
        text(cr, r->x + r->w / 2.0, r->y + r->h + 36, 12, p->xlabel, 0.5);
    if (p->ylabel) {
        cairo_save(cr);
        cairo_move_to(cr, r->x - 48, r->y + r->h / 2.0);
        cairo_rotate(cr, -M_PI / 2);
        cairo_text_extents_t e;
        cairo_set_font_size(cr, 12);
        cairo_text_extents(cr, p->ylabel, &e);
        cairo_rel_move_to(cr, -e.x_advance / 2, 0);
        cairo_show_text(cr, p->ylabel);
        cairo_restore(cr);
    }
    if (p->title)
        text(cr, r->x + r->w / 2.0, r->y - (p->note ? 24 : 10), 13, p->title, 0.5);
    if (p->note) {
        cairo_set_source_rgb(cr, 0.6, 0.1, 0.1);
        text(cr, r->x + r->w / 2.0, r->y - 8, 11, p->note, 0.5);
    }
}

static void series(cairo_t *cr, const chart_panel *p, const chart_rect *r)
{
    /* No antialiasing: every series keeps its exact colour (see chart.h). */
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    cairo_save(cr);
    cairo_rectangle(cr, r->x, r->y, r->w + 1, r->h + 1);
    cairo_clip(cr);
    for (size_t s = 0; s < p->n_series; s++) {
        const chart_series *se = &p->series[s];
        set_rgb(cr, se->rgb);
        for (size_t i = 0; i < se->n; i++) {
            if (isnan(se->y[i]))
                continue;
            double x = map(se->x[i], p->xmin, p->xmax, r->x, r->x + r->w);
            double y = map(se->y[i], p->ymin, p->ymax, r->y + r->h, r->y);
            if (p->bar_width > 0) {
                double x2 = map(se->x[i] + p->bar_width, p->xmin, p->xmax, r->x, r->x + r->w);
                if (se->y[i] > p->ymin)
                    cairo_rectangle(cr, floor(x), floor(y), fmax(1.0, floor(x2) - floor(x) - 1),
                                    r->y + r->h - floor(y));
                continue;
            }
            if (i == 0 || isnan(se->y[i - 1]))
                cairo_move_to(cr, x, y);
            else
                cairo_line_to(cr, x, y);
        }
        if (p->bar_width <= 0) {
            cairo_set_line_width(cr, 2.0);
            cairo_stroke(cr);
            for (size_t i = 0; i < se->n; i++) {
                if (isnan(se->y[i]))
                    continue;
                double x = map(se->x[i], p->xmin, p->xmax, r->x, r->x + r->w);
                double y = map(se->y[i], p->ymin, p->ymax, r->y + r->h, r->y);
                cairo_rectangle(cr, floor(x) - 2, floor(y) - 2, 5, 5);
            }
        }
        cairo_fill(cr);
    }
    cairo_restore(cr);
}

static void draw_legend(cairo_t *cr, const chart_panel *p, double x, double y)
{
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
    for (size_t s = 0; s < p->n_series; s++) {
        double ly = y + 20.0 * (double)s;
        set_rgb(cr, p->series[s].rgb);
        cairo_rectangle(cr, x, ly - 9, 22, 10);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text(cr, x + 30, ly, 12, p->series[s].label ? p->series[s].label : "", 0.0);
    }
}

int chart_write_png(const char *path, const char *title, const chart_panel *panels, size_t n,
                    size_t cols, int legend, chart_rect *ret_rects, char *err, size_t err_len)
{
    if (!n || !cols) {
        snprintf(err, err_len, "nothing to draw");
        return -1;
    }
    size_t rows = (n + cols - 1) / cols;
    int width = (int)cols * PANEL_W + (legend ? LEGEND_W : 0);
    int height = TITLE_H + (int)rows * PANEL_H;
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    cairo_t *cr = cairo_create(surf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, width / 2.0, 24, 16, title ? title : "", 0.5);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    for (size_t i = 0; i < n; i++) {
        chart_rect r = {(int)(i % cols) * PANEL_W + PLOT_LEFT,
                        TITLE_H + (int)(i / cols) * PANEL_H + PLOT_TOP,
                        PANEL_W - PLOT_LEFT - PLOT_RIGHT, PANEL_H - PLOT_TOP - PLOT_BOTTOM};
        axes(cr, &panels[i], &r);
        series(cr, &panels[i], &r);
        if (ret_rects)
            ret_rects[i] = r;
    }
    if (legend)
        draw_legend(cr, &panels[0], (double)cols * PANEL_W + 10, TITLE_H + PLOT_TOP + 10);
    cairo_status_t st = cairo_status(cr);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_write_to_png(surf, path);
    cairo_destroy(cr);
    cairo_surface_destroy(surf);
    if (st != CAIRO_STATUS_SUCCESS) {
        snprintf(err, err_len, "%s: %s", path, cairo_status_to_string(st));
        return -1;
    }
    return 0;
}

void chart_shutdown(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
