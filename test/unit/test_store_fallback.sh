#!/bin/sh
# test_store_fallback.sh: the trust store's unit tests again, with paths
# under a root resolved by hand and then opened, as on a kernel without
# openat2 (or under a seccomp filter that refuses it).
exec "$TOP_BUILDDIR/test/unit/test_store" fallback
