#include "ward.h"
