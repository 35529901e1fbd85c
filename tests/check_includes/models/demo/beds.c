#include "beds.h"
#include "ward.h"
