/* A fixture for scripts/check_includes: ward and beds include each other's headers. */
#include "beds.h"
