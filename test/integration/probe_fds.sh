#!/bin/bash
# probe_fds.sh: run probe_fds against the fixture (see probe_fds.c).
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
. "$TOP_SRCDIR/test/integration/fixture.sh"
fixture_start
set +e
"$TOP_BUILDDIR/test/integration/probe_fds" "$FX"
rc=$?
fixture_stop
exit $rc
