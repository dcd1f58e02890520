#!/usr/bin/env python3
"""Compares the figures of a site page's DOM (as headless Chromium rendered it)
with the node's JSON views.

    check_site.py MUTSYNC NODE DOM.html [--lang fr|en]

Every element with data-ref "view:PERIOD:ROW:CODE" must hold in data-value
what `mutsync view --period PERIOD --format json` says for ROW and CODE ("" for
null); "inventory:YEAR:SCOPE:FIELD" likewise against `inventory --year YEAR`.
The text shown must be the value formatted for the page's locale. Prints how
many figures were checked; exits 1 at the first difference."""
import json
import subprocess
import sys
from html.parser import HTMLParser


class Figures(HTMLParser):
    def __init__(self):
        super().__init__()
        self.figures = []  # [ref, value, text]
        self.open = None
        self.lang = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if "data-ref" in a:
            self.open = [a["data-ref"], a.get("data-value"), ""]
            self.figures.append(self.open)

    def handle_endtag(self, tag):
        if tag in ("td", "span"):
            self.open = None

    def handle_data(self, data):
        if self.open is not None:
            self.open[2] += data


def locale_text(value, decimals, lang):
    text = f"{abs(value):,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return ("-" if value < 0 else "") + text


def main():
    mutsync, node, dom = sys.argv[1:4]
    parser = Figures()
    parser.feed(open(dom, encoding="utf-8").read())
    cache = {}

    def run(*args):
        if args not in cache:
            out = subprocess.run([mutsync, "-d", node, *args, "--format", "json"],
                                 check=True, capture_output=True, text=True).stdout
            cache[args] = json.loads(out)
        return cache[args]

    checked = 0
    for ref, value, text in parser.figures:
        kind, period, row, code = ref.split(":")
        if kind == "view":
            rows = {r["org"]: r for r in run("view", "--period", period)}
            want = rows[row]["values"][code]
        else:
            rows = {r["scope"]: r for r in run("inventory", "--year", period)}
            want = rows[row]
            for part in code.split("."):
                want = want[part]
        if want is None:
            ok = value == ""
        elif isinstance(want, int):
            ok = value != "" and int(value) == want
        else:
            ok = value != "" and abs(float(value) - want) <= 1e-9 * max(1.0, abs(want))
        if not ok:
            sys.exit(f"{dom}: {ref} shows data-value={value!r}, the JSON says {want!r}")
        if want is not None:
            decimals = 0 if isinstance(want, int) else len(text.strip().split(
                "," if parser.lang == "fr" else ".")[-1]) if any(c in text for c in ",.") else 0
            if text.strip() != locale_text(float(value), decimals, parser.lang):
                sys.exit(f"{dom}: {ref} shows {text!r} for {value} in {parser.lang}")
        checked += 1
    if checked == 0:
        sys.exit(f"{dom}: no figure found")
    print(f"{dom}: {checked} figures equal the JSON views")


main()
