#!/usr/bin/env bash
# tests/install/test_install.sh SOURCE_DIR BUILD_DIR TMPDIR CMAKE: what `cmake --install`
# gives a user, into a fresh prefix:
#   - the program (it runs), its man page and bash completion, LICENSE and CITATION.cff;
#   - the engine: static libraries, headers under include/capsim/<part>/ (no internal ones),
#     a CMake package and a pkg-config file;
#   - examples/external-model, a model outside the tree, configured and built against the
#     prefix with find_package(capsim) and with pkg-config, runs and writes a results file;
#   - the man page and the completion name every option that `capsim CMD --help` lists.
set -euo pipefail
src=$1; build=$2; tmp=$3; cmake=$4
prefix=$tmp/prefix
rm -rf "$tmp"; mkdir -p "$tmp"
fails=0
check() { # WHAT COMMAND...
  local what=$1; shift
  if "$@"; then echo "test_install: ok: $what"; else echo "test_install: FAILED: $what" >&2; fails=1; fi
}

"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log"
for f in bin/capsim share/man/man1/capsim.1 share/bash-completion/completions/capsim \
         share/doc/capsim/LICENSE share/doc/capsim/CITATION.cff \
         include/capsim/core/engine.h include/capsim/batch/batch.h \
         include/capsim/results/results.h include/capsim/scenario/yaml.h \
         lib/libcapsim_core.a lib/libcapsim_batch.a lib/cmake/capsim/capsimConfig.cmake \
         lib/pkgconfig/capsim.pc; do
  found=$(find "$prefix" -path "$prefix/$f" -o -path "$prefix/lib*/${f#lib/}" | head -1)
  check "installed $f" test -n "$found"
done
check "no internal headers installed" test -z "$(find "$prefix/include" -name '*_internal.h')"
check "installed capsim runs" "$prefix/bin/capsim" --version

# The example model, with CMake ...
check "example configures with find_package(capsim)" \
  "$cmake" -S "$src/examples/external-model" -B "$tmp/example" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_FLAGS="-Wall -Wextra -Werror"
check "example builds" "$cmake" --build "$tmp/example"
check "example runs and agrees with the M/M/1 formula" "$tmp/example/mm1" "$tmp/mm1.h5"
check "example wrote a results file with a summary" \
  sh -c "h5dump -A -d /scenarios/mm1/mm1/summary/mean_wait_days '$tmp/mm1.h5' >/dev/null"

# ... and with pkg-config.
pc=$(dirname "$(find "$prefix" -name capsim.pc | head -1)")
check "example builds with pkg-config" \
  sh -c "cc -std=c11 -Wall -Wextra -Werror '$src/examples/external-model/mm1.c' \
         \$(PKG_CONFIG_PATH='$pc' pkg-config --cflags --libs capsim) -o '$tmp/mm1-pc'"
check "pkg-config build runs" "$tmp/mm1-pc" "$tmp/mm1-pc.h5"

# The manual and the completion keep up with the options.
man=$prefix/share/man/man1/capsim.1
comp=$prefix/share/bash-completion/completions/capsim
for cmd in run check merge; do
  for opt in $("$prefix/bin/capsim" "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    check "man page has $cmd $opt" grep -qF -- "${opt//-/\\-}" "$man"
    check "completion has $cmd $opt" grep -qw -- "$opt" "$comp"
  done
done
check "man page renders without warnings" \
  sh -c "! groff -man -ww -z '$man' 2>&1 | grep -q ."

[ "$fails" = 0 ] && echo "test_install: all passed"
exit "$fails"
