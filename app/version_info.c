/*
 * app/version_info.c: `capsim --version`: capsim's version and commit, and the versions of
 * the libraries it was built with (compile time) and runs with (run time, where the
 * library can say), so a results file can be traced to its whole tool chain.
 */
#include "cli.h"

#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <stdio.h>
#include <yaml.h>
#if CAPSIM_HAVE_MPI
#include <mpi.h>
#endif

#include "capsim_version.h"

/* Set by CMakeLists.txt: libyaml's pkg-config version and the Random123 package's. */
#ifndef CAPSIM_YAML_BUILD_VERSION
#define CAPSIM_YAML_BUILD_VERSION "unknown"
#endif
#ifndef CAPSIM_RANDOM123_VERSION
#define CAPSIM_RANDOM123_VERSION "unknown"
#endif

void capsim_print_version(void)
{
    printf("capsim %s (git %s)\n", CAPSIM_VERSION, CAPSIM_GIT_COMMIT);
    printf("GSL %s (built with %s)\n", gsl_version, GSL_VERSION);
    unsigned maj = 0, min = 0, rel = 0;
    H5get_libversion(&maj, &min, &rel);
    printf("HDF5 %u.%u.%u (built with %d.%d.%d)\n", maj, min, rel, H5_VERS_MAJOR, H5_VERS_MINOR,
           H5_VERS_RELEASE);
    printf("libyaml %s (built with %s)\n", yaml_get_version_string(),
           CAPSIM_YAML_BUILD_VERSION);
    /* Random123 is headers only and has no version macro: the build records the package. */
    printf("Random123 %s (headers)\n", CAPSIM_RANDOM123_VERSION);
#if CAPSIM_HAVE_MPI
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    /* Allowed before MPI_Init (MPI 3.0, section 8.1.1). Keep its first line only. */
    if (MPI_Get_library_version(lib, &len) == MPI_SUCCESS) {
        size_t n = 0;
        while (lib[n] && lib[n] != '\n' && lib[n] != ',')
            n++;
        printf("MPI %d.%d: %.*s\n", MPI_VERSION, MPI_SUBVERSION, (int)n, lib);
    } else {
        printf("MPI %d.%d\n", MPI_VERSION, MPI_SUBVERSION);
    }
#else
    printf("MPI: not built with MPI\n");
#endif
}
