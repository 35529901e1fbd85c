/* A fixture for scripts/check_includes (see ward.h). */
#include "../shared/calendar.h"
