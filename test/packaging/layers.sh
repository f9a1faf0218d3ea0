#!/bin/bash
# layers.sh: what the build cannot see about the layers. The build already
# fails an include from a higher folder (each library's include path holds
# only its own folder and those below). This checks the rest: the result
# model (probes/model.h), the pure diagnosis and the renderers reach no
# OpenSSL or libevent header, directly or through the project's headers.
set -eu
. "$TOP_SRCDIR/test/cli/lib.sh"
cd "$TOP_SRCDIR"

out=$(python3 - <<'PY'
import os, re
dirs = ["lib", "config", "probes", "render"]
def find(name, here):
    for d in [here] + dirs:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    return None
def walk(path, seen, chain):
    if path in seen:
        return []
    seen.add(path)
    bad = []
    text = open(path).read()
    for m in re.finditer(r'#include <((openssl|event2)/[^>]+)>', text):
        bad.append(" -> ".join(chain + [path]) + ": <" + m.group(1) + ">")
    for m in re.finditer(r'#include "([^"]+)"', text):
        p = find(m.group(1), os.path.dirname(path))
        if p is not None:
            bad += walk(p, seen, chain + [path])
    return bad
files = ["probes/model.h", "probes/diag.c", "probes/reason.c"] + \
    sorted("render/" + f for f in os.listdir("render") if f.endswith((".c", ".h")))
for f in files:
    bad = walk(f, set(), [])
    print(("bad " + bad[0]) if bad else ("ok " + f))
PY
)
while read -r verdict what; do
	if [ "$verdict" = ok ]; then
		ok "$what sees no OpenSSL or libevent header"
	else
		not_ok "reaches a library header: $what"
	fi
done <<<"$out"
tap_done
