#!/usr/bin/env python3
"""differential.py: trustprobe's verdicts against test suites we did not write.

    differential.py openssl SRCDIR WORKDIR     OpenSSL's 25-test_verify.t
    differential.py go GOROOT WORKDIR [RECORD] Go's crypto/x509 verifyTests

Every case that a file:// target can express (trusted roots, untrusted
intermediates, a leaf, a host name, the TLS server purpose, a verification
time, a security level) becomes a target of `trustprobe check -c CONFIG
--json`: the leaf and the intermediates in one chain file, the roots as the
target's ca_file (ca_mode: replace). trustprobe's verdict (ok or warning:
accepted; critical: rejected) is compared with the suite's expected one.

A case whose options trustprobe cannot express is either skipped, grouped by
cause, or run anyway when the difference can only make trustprobe stricter
(it always applies the TLS server purpose, never accepts a partial chain):
then "trustprobe accepts, the suite rejects" is still a false ok, while
"trustprobe rejects, the suite accepts" is not comparable and counts as
skipped. Options that would make trustprobe laxer (-x509_strict, a policy, a
depth limit) work the other way round.

Output is TAP: one line per case, "not ok" for every false ok (trustprobe
accepts what the suite rejects) and every false critical that is not
explained; a summary of how many ran, agreed and were skipped by cause.

For Go, the real `openssl verify` is asked too (same inputs, time, name and
purpose), and the cases where Go and OpenSSL disagree are written to RECORD
(test/differential/go-vs-openssl.txt): the go runtime's verdicts are to
reproduce that list. A trustprobe acceptance of a chain that Go rejects is a
false ok only when OpenSSL rejects it too; otherwise it is a Go/OpenSSL
difference, and the record must list it.
"""
import json
import os
import re
import subprocess
import sys

TRUSTPROBE = os.environ.get("TRUSTPROBE", "trustprobe")

# A case: what to verify, how, and what the suite expects.
#   name, leaf (PEM text), untrusted [PEM], trusted [PEM], server_name,
#   level, attime, expect (1 accept / 0 reject), skip (cause or None),
#   stricter / laxer: why trustprobe checks more / less than the case
#   (None when it checks exactly that)


def pem_of(path):
    with open(path, encoding="latin-1") as f:
        return f.read()


# ---- OpenSSL ---------------------------------------------------------------

# Options that only add ways to accept: without them trustprobe is stricter.
OSSL_RELAX = {"-partial_chain", "-allow_proxy_certs"}
# Options that only add ways to reject: without them trustprobe is laxer.
OSSL_RESTRICT = {"-x509_strict", "-check_ss_sig", "-policy_check",
                 "-explicit_policy"}
OSSL_RESTRICT_ARG = {"-policy", "-verify_depth"}


def ossl_cases(src, work):
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run(["perl", os.path.join(here, "ossl_collect.pl"), src],
                         cwd=work, check=True, capture_output=True,
                         text=True).stdout
    cases, blocks = [], []
    for line in out.splitlines():
        rec = json.loads(line)
        if "skipped_block" in rec:
            blocks.append(rec)
            continue
        if "others" in rec:
            continue
        cases.append(ossl_case(rec, work))
    return cases, blocks


def ossl_case(rec, work):
    c = {"name": "%d %s" % (rec["n"], rec["name"]), "expect": rec["expect"],
         "trusted": [], "untrusted": [], "server_name": None, "level": 0,
         "attime": None, "skip": None}
    relax, restrict, purpose, cert = [], [], None, None
    a = rec["args"]
    i = 0

    def path(p):
        return p if os.path.isabs(p) else os.path.join(work, p)
    while i < len(a):
        o = a[i]
        if o == "-auth_level":
            c["level"] = int(a[i + 1])
            i += 1
        elif o == "-purpose":
            purpose = a[i + 1]
            i += 1
        elif o in ("-trusted", "-CAfile"):
            c["trusted"].append(pem_of(path(a[i + 1])))
            i += 1
        elif o == "-untrusted":
            c["untrusted"].append(pem_of(path(a[i + 1])))
            i += 1
        elif o == "-attime":
            c["attime"] = int(a[i + 1])
            i += 1
        elif o in OSSL_RELAX:
            relax.append(o)
        elif o in OSSL_RESTRICT:
            restrict.append(o)
        elif o in OSSL_RESTRICT_ARG:
            restrict.append(o)
            i += 1
        elif o == "-CAstore":
            c["skip"] = "-CAstore: an OpenSSL store URI, no trust store " \
                        "setting of trustprobe"
            i += 1
        elif o in ("-crl_check", "-use_deltas", "-CRLfile"):
            c["skip"] = "CRL checking: trustprobe checks stapled OCSP"
            i += 1 if o == "-CRLfile" else 0
        elif o in ("-vfyopt", "-provider-path"):
            c["skip"] = "%s: signature and provider options" % o
            i += 1
        elif o.startswith("-"):
            c["skip"] = "option %s" % o
        else:
            cert = o
        i += 1
    if c["skip"] is None:
        if purpose not in (None, "", "sslserver"):
            c["skip"] = "purpose %s: trustprobe verifies TLS servers" % \
                purpose
        elif cert is None:
            c["skip"] = "no certificate to verify"
    if c["skip"] is None:
        c["leaf"] = pem_of(path(cert))
    # No purpose: trustprobe applies the TLS server purpose anyway.
    if purpose in (None, ""):
        relax.append("no -purpose")
    c["stricter"] = ", ".join(relax) or None
    c["laxer"] = ", ".join(restrict) or None
    return c


# ---- Go --------------------------------------------------------------------

def go_strings(text):
    return {m.group(1): m.group(2) for m in re.finditer(
        r"^(?:const|var) (\w+) = `([^`]*)`", text, re.M | re.S)}


def go_entries(body):
    """The top-level { ... } items of a composite literal body."""
    items, depth, start, instr = [], 0, None, False
    for i, ch in enumerate(body):
        if instr:
            if ch == '\\':
                continue
            if ch == '"' and body[i - 1] != '\\':
                instr = False
            continue
        if ch == '"':
            instr = True
        elif ch == '{':
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == '}':
            depth -= 1
            if depth == 0:
                items.append(body[start:i])
    return items


def go_cases(goroot):
    path = os.path.join(goroot, "src/crypto/x509/verify_test.go")
    with open(path) as f:
        text = f.read()
    consts = go_strings(text)
    m = re.search(r"^var verifyTests = \[\]verifyTest\{\n(.*?)^\}\n", text,
                  re.M | re.S)
    if m is None:
        sys.exit("%s: no verifyTests table: the file changed" % path)
    body = re.sub(r"(^|\s)//[^\n]*", r"\1", m.group(1))
    cases = []
    for n, e in enumerate(go_entries(body), 1):
        def field(k, pat=r"([^,\n]+)"):
            f = re.search(r"\b%s:\s*%s" % (k, pat), e)
            return f.group(1).strip() if f else None

        def idents(k):
            f = field(k, r"\[\]string\{([^}]*)\}")
            return [x.strip() for x in f.split(",") if x.strip()] if f \
                else []
        name = field("name", r'"([^"]*)"') or "case %d" % n
        c = {"name": "%d %s" % (n, name), "trusted": [], "untrusted": [],
             "server_name": field("dnsName", r'"([^"]*)"'), "level": 2,
             "skip": None, "stricter": None, "laxer": None}
        c["leaf"] = consts[field("leaf")]
        c["untrusted"] = [consts[x] for x in idents("intermediates")]
        c["trusted"] = [consts[x] for x in idents("roots")]
        t = field("currentTime")
        c["attime"] = int(t) if t else None
        c["expect"] = 0 if field("errorCallback") else 1
        c["go_error"] = field("errorCallback")
        ku = field("keyUsages", r"\[\]ExtKeyUsage\{([^}]*)\}")
        if ku and ku.strip() != "ExtKeyUsageServerAuth":
            # Go checks these usages; trustprobe serverAuth always.
            c["stricter"] = "keyUsages " + ku.strip()
        if c["attime"] is None:
            c["skip"] = "no currentTime: Go verifies at the time of the run"
        cases.append(c)
    return cases


def openssl_verdict(c, d):
    """What the real `openssl verify` says, with the same inputs."""
    args = ["openssl", "verify", "-purpose", "sslserver", "-auth_level",
            str(c["level"]), "-trusted", d + "/trust.pem"]
    if c["untrusted"]:
        args += ["-untrusted", d + "/untrusted.pem"]
    if c["attime"]:
        args += ["-attime", str(c["attime"])]
    if c["server_name"]:
        ip = re.fullmatch(r"[0-9.]+|.*:.*", c["server_name"])
        args += ["-verify_ip" if ip else "-verify_hostname",
                 c["server_name"]]
    args.append(d + "/leaf.pem")
    p = subprocess.run(args, capture_output=True, text=True,
                       env=clean_env())
    err = re.findall(r"error (\d+) at \d+ depth lookup: ([^\n]*)",
                     p.stdout + p.stderr)
    return (1 if p.returncode == 0 else 0,
            "%s (%s)" % (err[0][1], err[0][0]) if err else
            ("ok" if p.returncode == 0 else "rc %d" % p.returncode))


# ---- running trustprobe ----------------------------------------------------

def clean_env():
    env = dict(os.environ)
    for k in ("SSL_CERT_FILE", "SSL_CERT_DIR", "TRUSTPROBE_CONFIG",
              "TRUSTPROBE_VERIFY_TIME", "OPENSSL_CONF"):
        env.pop(k, None)
    return env


def yaml_str(s):
    return json.dumps(s)	# a JSON string is a YAML flow scalar


def run_trustprobe(cases, work):
    """Fill c["tp"] (1 accepted / 0 rejected), c["tp_reason"], c["tp_msg"]."""
    # A store that holds nothing the suites' chains lead to.
    unrelated = os.path.join(work, "unrelated.pem")
    if not os.path.exists(unrelated):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", os.path.join(work, "unrelated.key"),
                        "-out", unrelated, "-subj", "/CN=unrelated root",
                        "-days", "36500"], check=True, capture_output=True)
    groups = {}
    for i, c in enumerate(cases):
        if c["skip"]:
            continue
        d = os.path.join(work, "case%d" % i)
        os.makedirs(d, exist_ok=True)
        with open(d + "/chain.pem", "w", encoding="latin-1") as f:
            f.write("\n".join([c["leaf"]] + c["untrusted"]) + "\n")
        with open(d + "/leaf.pem", "w", encoding="latin-1") as f:
            f.write(c["leaf"] + "\n")
        with open(d + "/untrusted.pem", "w", encoding="latin-1") as f:
            f.write("\n".join(c["untrusted"]) + "\n")
        with open(d + "/trust.pem", "w", encoding="latin-1") as f:
            f.write("\n".join(c["trusted"] or [pem_of(unrelated)]) + "\n")
        c["dir"] = d
        groups.setdefault((c["level"], c["attime"]), []).append(i)
    for (level, attime), idx in sorted(groups.items(),
                                       key=lambda g: (g[0][0], g[0][1] or 0)):
        cfg = os.path.join(work, "level%d-at%s.yaml" % (level, attime))
        with open(cfg, "w") as f:
            # The go runtime's verdict too: Go's own suite is its test.
            f.write("security_level: %d\naia_fetch: false\nruntimes: [go]\n"
                    "targets:\n" % level)
            for i in idx:
                c = cases[i]
                f.write("  - name: %s\n    url: %s\n    ca_file: %s\n"
                        "    ca_mode: replace\n" % (
                            yaml_str("case%d" % i),
                            yaml_str("file://" + c["dir"] + "/chain.pem"),
                            yaml_str(c["dir"] + "/trust.pem")))
                if c["server_name"]:
                    f.write("    server_name: %s\n" % yaml_str(
                        c["server_name"]))
        env = clean_env()
        if attime:
            env["TRUSTPROBE_VERIFY_TIME"] = str(attime)
        # Go's TestGoVerify runs its table with SHA-1 allowed: the go
        # runtime honours the application's GODEBUG (here trustprobe's own).
        env["GODEBUG"] = "x509sha1=1"
        p = subprocess.run([TRUSTPROBE, "check", "--json", "-c", cfg,
                            "--ca-file", unrelated], capture_output=True,
                           text=True, env=env)
        if p.returncode not in (0, 1):
            sys.exit("trustprobe check -c %s: exit %d\n%s" % (
                cfg, p.returncode, p.stderr))
        res = {r["name"]: r for r in json.loads(p.stdout)}
        for i in idx:
            r = res["case%d" % i]
            cases[i]["tp"] = 0 if r["status"] == "critical" else 1
            cases[i]["tp_reason"] = r["reason"]
            cases[i]["tp_msg"] = r["message"]
            go = [x for x in r.get("runtimes", []) if x["runtime"] == "go"]
            cases[i]["tp_go"] = (1 if go[0]["ok"] else 0, go[0]["error"]) \
                if go else None


# ---- comparing -------------------------------------------------------------

def verdict(v):
    return "accepts" if v else "rejects"


def stricter_why(s):
    if s == "-partial_chain":
        return "trustprobe accepts no partial chain (-partial_chain)"
    if s.startswith("keyUsages") or s == "no -purpose":
        return "trustprobe always applies the TLS server purpose (%s)" % s
    return "trustprobe does not relax as %s does" % s


def compare(suite, cases, blocks, work, record=None):
    agreed, false_ok, false_crit, differ, skipped = 0, 0, 0, 0, {}
    lines = []

    def skip(c, why, what=""):
        skipped.setdefault(why, []).append(c["name"])
        lines.append(("ok", "%s # SKIP %s%s" % (c["name"], why,
                                                ": " + what if what else "")))
    for c in cases:
        if c["skip"]:
            skip(c, c["skip"])
            continue
        tp, ex = c["tp"], c["expect"]
        what = "suite %s, trustprobe %s (%s)" % (verdict(ex), verdict(tp),
                                                 c["tp_reason"])
        ossl = c.get("openssl")
        if tp == ex:
            agreed += 1
            lines.append(("ok", "%s: %s" % (c["name"], what)))
        elif tp and c["laxer"]:
            skip(c, "trustprobe cannot apply " + c["laxer"], what)
        elif not tp and c["stricter"]:
            skip(c, stricter_why(c["stricter"]), what)
        elif ossl is not None and ossl[0] == tp:
            differ += 1
            lines.append(("ok", "%s: Go/OpenSSL difference: %s; openssl "
                          "verify %s: %s" % (c["name"], what,
                                             verdict(ossl[0]), ossl[1])))
        elif tp:
            false_ok += 1
            lines.append(("not ok", "%s: FALSE OK: %s: %s" % (
                c["name"], what, c["tp_msg"])))
        else:
            false_crit += 1
            lines.append(("not ok", "%s: FALSE CRITICAL: %s: %s" % (
                c["name"], what, c["tp_msg"])))
    if suite == "go":
        lines.append(go_record(cases, work, record))
        lines.extend(go_runtime(cases))
    print("1..%d" % len(lines))
    for k, (st, text) in enumerate(lines, 1):
        print("%s %d - %s" % (st, k, text))
    pre = sum(1 for c in cases if c["skip"])
    post = sum(len(v) for v in skipped.values()) - pre
    print("# %s: %d cases, %d ran through trustprobe, %d compared: %d "
          "agreed, %s%d false ok, %d false critical; %d skipped (%d not "
          "expressible, %d not comparable)" % (
              suite, len(cases), len(cases) - pre, len(cases) - pre - post,
              agreed, "%d Go/OpenSSL differences, " % differ if suite == "go"
              else "", false_ok, false_crit, pre + post, pre, post))
    for why, names in sorted(skipped.items(), key=lambda x: (-len(x[1]),
                                                             x[0])):
        print("#   skipped %d: %s" % (len(names), why))
    for b in blocks:
        print("#   the suite itself skips %d here: %s" % (
            b["count"], b["skipped_block"]))
    return 1 if any(st == "not ok" for st, _ in lines) else 0


def go_runtime(cases):
    """The go runtime's verdict against Go's: no excuse but keyUsages."""
    out, agree, n = [], 0, 0
    for c in cases:
        if c["skip"] or c.get("tp_go") is None:
            continue
        if c["stricter"] and c["stricter"].startswith("keyUsages"):
            out.append(("ok", "%s # SKIP go runtime: the TLS server purpose "
                        "always (%s)" % (c["name"], c["stricter"])))
            continue
        n += 1
        ok, err = c["tp_go"]
        what = "Go %s%s, the go runtime %s%s" % (
            verdict(c["expect"]), " (" + c["go_error"] + ")"
            if c["go_error"] else "", verdict(ok), ": " + err if err else "")
        if ok == c["expect"]:
            agree += 1
            out.append(("ok", "%s: go runtime: %s" % (c["name"], what)))
        else:
            out.append(("not ok", "%s: go runtime: %s" % (c["name"], what)))
    out.append(("ok" if agree == n else "not ok",
                "the go runtime agrees with Go's own suite in %d of %d cases"
                % (agree, n)))
    return out


def go_record(cases, work, record):
    """The Go/OpenSSL differences, compared with the committed record."""
    rows = []
    for c in cases:
        if c["skip"] or c["openssl"][0] == c["expect"]:
            continue
        rows.append("%s\tgo %s%s\topenssl %s: %s" % (
            c["name"], verdict(c["expect"]),
            " (" + c["go_error"] + ")" if c["go_error"] else "",
            verdict(c["openssl"][0]), c["openssl"][1]))
    now = "\n".join(rows) + "\n"
    try:
        with open(record) as f:
            was = "".join(l for l in f if not l.startswith("#"))
    except OSError:
        was = None
    with open(os.path.join(work, "go-vs-openssl.txt"), "w") as f:
        f.write(now)
    if was == now:
        return ("ok", "the %d Go/OpenSSL differences are those recorded in "
                "%s" % (len(rows), os.path.basename(record)))
    print("# Go/OpenSSL differences now:\n# " + now.replace("\n", "\n# "))
    return ("not ok", "the Go/OpenSSL differences differ from %s (the run's "
            "list is in the work directory)" % record)


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("openssl", "go"):
        sys.exit(__doc__)
    suite, src, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    blocks = []
    if suite == "openssl":
        cases, blocks = ossl_cases(src, work)
    else:
        cases = go_cases(src)
    run_trustprobe(cases, work)
    if suite == "go":
        for c in cases:
            if not c["skip"]:
                c["openssl"] = openssl_verdict(c, c["dir"])
    sys.exit(compare(suite, cases, blocks, work,
                     sys.argv[4] if len(sys.argv) > 4 else None))


if __name__ == "__main__":
    main()
