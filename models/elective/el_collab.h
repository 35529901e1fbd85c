/*
 * models/elective/el_collab.h: the collaboration policies (el_collab.c): pooling starts at
 * its `from` date, mutual aid every period. On top of the list layer (el_list.h).
 */
#ifndef EL_COLLAB_H
#define EL_COLLAB_H

#include "el_list.h"

/* The day's collaboration work (the daily tick, before removals and bookings). */
void collab_daily(el_run *r, int64_t day);

#endif
