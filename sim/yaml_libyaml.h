/*
 * sim/yaml_libyaml.h: libyaml's own <yaml.h>.
 *
 * sim/ is on the include path and holds our yaml.h, which hides libyaml's header of the
 * same name from `#include <yaml.h>`. Included as <yaml_libyaml.h>, this file is found in
 * sim/ through the include path, so #include_next carries on with the directories after
 * sim/ and reaches libyaml's header. Include it only from .c files of the reader.
 */
#ifndef SIM_YAML_LIBYAML_H
#define SIM_YAML_LIBYAML_H

#include_next <yaml.h>

#endif
