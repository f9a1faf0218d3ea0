"""get_requests.py: the oracle's python-requests client (requests.get with
its default verify). One GET per NAME=URL argument, one line each: NAME,
"ok" or "fail", and the exception as Python prints it."""
import sys

import requests

for arg in sys.argv[1:]:
    name, url = arg.split("=", 1)
    try:
        requests.get(url, timeout=10).content
        print(f"{name}\tok\t-", flush=True)
    except Exception as e:  # noqa: BLE001 - every failure is a verdict
        text = f"{type(e).__name__}: {e}".replace("\n", " ")
        print(f"{name}\tfail\t{text}", flush=True)
