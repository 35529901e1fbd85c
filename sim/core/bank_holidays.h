/* sim/core/bank_holidays.h: the bank holidays of England and Wales by rule, 1995-2099. */
#ifndef SIM_BANK_HOLIDAYS_H
#define SIM_BANK_HOLIDAYS_H

#include <stddef.h>

#include "date.h"

/*
 * England and Wales bank holidays of `year`, in date order, into out[0..max); returns how
 * many there are (which may exceed max: then only max were written).
 */
size_t sim_bank_holidays_england_wales(int year, sim_date *out, size_t max);

#endif
