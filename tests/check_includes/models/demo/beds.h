/* A fixture for scripts/check_includes (see ward.h). */
#include "../common/calendar.h"
