"""get_ssl.py: the oracle's Python ssl client (urllib with
ssl.create_default_context(), OpenSSL's default paths). One GET per NAME=URL
argument, one line each: NAME, "ok" or "fail", and the exception as Python
prints it."""
import sys
import urllib.request

for arg in sys.argv[1:]:
    name, url = arg.split("=", 1)
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            r.read()
        print(f"{name}\tok\t-", flush=True)
    except Exception as e:  # noqa: BLE001 - every failure is a verdict
        reason = getattr(e, "reason", e)
        text = f"{type(reason).__name__}: {reason}".replace("\n", " ")
        print(f"{name}\tfail\t{text}", flush=True)
