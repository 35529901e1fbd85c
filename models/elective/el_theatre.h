/*
 * models/elective/el_theatre.h: theatre sessions, booking and the day of surgery
 * (el_theatre.c). On top of the list layer (el_list.h).
 */
#ifndef EL_THEATRE_H
#define EL_THEATRE_H

#include "el_list.h"

int thr_init(el_run *r);
void thr_fini(el_run *r);
/* The day's bookings (the daily tick): the sessions `book_days_ahead` days ahead. */
void thr_daily(el_run *r, int64_t day);
/* Book a P1 patient (not on the heaps) into a session within 72 hours; false if none. */
bool thr_book_urgent(el_run *r, uint32_t p);

#endif
