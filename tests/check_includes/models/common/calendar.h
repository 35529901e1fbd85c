/* A fixture for scripts/check_includes: a leaf, in no cycle. */
