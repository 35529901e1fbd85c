/*
 * models/beds/beds_pressure.h: the bed-pressure cancellation curve (prefix beds_).
 *
 * When free general and acute beds on a site fall below a threshold, inpatient electives due
 * that day are cancelled with a probability that rises with occupancy. The beds model
 * publishes free beds per site (its `free_beds` signal); the elective model applies the
 * curve. Both read the same input, under `beds:`
 *
 *   bed_pressure:
 *     threshold_free_beds: 20                  # pressure only below 20 free beds
 *     cancel_probability: [[0.90, 0.00], [0.95, 0.05], [1.00, 0.25]]   # [occupancy, p]
 *
 * The curve is piecewise linear between its points (occupancies strictly rising, each in
 * [0, 2]; probabilities in [0, 1] and never falling), flat beyond its ends. Sites whose
 * beds are all ring-fenced for electives (an elective centre) are exempt: probability 0.
 */
#ifndef CAPSIM_BEDS_PRESSURE_H
#define CAPSIM_BEDS_PRESSURE_H

#include <stdbool.h>
#include <stddef.h>

#include "scenario/yaml.h"

struct sim_error;

#define BEDS_CURVE_MAX 64

typedef struct beds_pressure {
    bool enabled;               /* the section was given */
    long threshold_free_beds;   /* pressure while free beds < this */
    size_t n_points;
    double occupancy[BEDS_CURVE_MAX];
    double probability[BEDS_CURVE_MAX];
    size_t n_sites;             /* the system's sites */
    bool *exempt;               /* per system site: ring-fenced beds only (owned) */
} beds_pressure;

/*
 * Read the `bed_pressure` map `node` (NULL: disabled) for a system of n_sites sites, none
 * exempt yet (beds_pressure_exempt marks them). SIM_OK, SIM_ENOMEM, or SIM_EINPUT with err
 * naming the file, line, column and key.
 */
int beds_pressure_read(const sim_node *node, size_t n_sites, beds_pressure *p,
                       struct sim_error *err);
/* Mark system site `site` as exempt (its beds are ring-fenced). */
void beds_pressure_exempt(beds_pressure *p, int site);
void beds_pressure_fini(beds_pressure *p);

/* True if pressure is on at `site` with `free_beds` free (false for NaN or exempt sites). */
bool beds_pressure_applies(const beds_pressure *cfg, int site, double free_beds);

/*
 * The probability that an inpatient elective due now at system site `site` is cancelled
 * for want of a bed, at `occupancy` (occupied over available general and acute beds):
 * 0 when the curve is off or the site is exempt (or out of range), else the curve's value.
 * The caller checks the threshold first (beds_pressure_applies).
 */
double beds_cancel_probability(const beds_pressure *cfg, int site, double occupancy);

#endif
