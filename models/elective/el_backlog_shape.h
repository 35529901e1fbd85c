/*
 * models/elective/el_backlog_shape.h: how a backlog's waits spread inside their bands.
 *
 * The RTT statistics give a snapshot's list by wait band (0-18, 18-52, 52-65, ... weeks).
 * Spreading each band's patients uniformly puts a cliff in the wait density at every band
 * edge: at England's August 2021 list the 18-52 band averages five times the density of the
 * 52-65 band, so a uniform fill sends five times too many patients past 52 weeks in the first
 * month. `band_shape: smooth` gives each band an exponential density instead (a log-linear
 * histospline): the band keeps its count exactly, and its slope is the slope of the log
 * density through the neighbouring bands' midpoints. A list whose waits are exponential is
 * recovered exactly (tests/test_elective_backlog_shape.c).
 */
#ifndef EL_BACKLOG_SHAPE_H
#define EL_BACKLOG_SHAPE_H

#include <stddef.h>

/*
 * Fits the decay rate (per week; negative where the density rises) of each of n bands
 * [lo[i], hi[i]) weeks holding share[i] of the list. Bands with no share get rate 0 and are
 * left out of their neighbours' slopes. Bands need not be given in order.
 */
void el_backlog_shape_fit(size_t n, const double *lo, const double *hi, const double *share,
                          double *rate);

/* A wait in [lo, hi) weeks from a uniform u in [0, 1) under the band's rate (0: uniform). */
double el_backlog_shape_draw(double lo, double hi, double rate, double u);

#endif
