#!/usr/bin/env python3
"""Screenshots of a running demo (`cargo run -- demo`) for the docs, in both languages.

    scripts/demo-screenshots.py [BASE_URL] [OUT_DIR]   # defaults http://127.0.0.1:8080, docs/screenshots

Signs in as `admin` (the demo's password), opens each page at 1366x768 (the common
office laptop), at 1920x1080 and at phone size (390x844), in zh-CN and en (`ONLY=a,b`
takes pages a and b alone), and writes PNGs named
<page>-<width>x<height>-<lang>.png. Needs chromium and chromedriver (Debian packages
chromium, chromium-driver) and fonts-noto-cjk for the Chinese text. Standard library
only: it speaks WebDriver to chromedriver over HTTP.
"""
import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
OUT = sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots"
PASSWORD = "consign-demo-2026"
PAGES = [
    ("analysis", "/analysis"),
    ("service-quality", "/analysis/service-quality"),
    ("customers", "/customers"),
    ("shipments", "/shipments"),
    ("tickets", "/tickets"),
    ("audit", "/admin/audit"),
    ("imports", "/imports"),
    ("users", "/admin/users"),
    ("customer-shipments", "/customers/1#shipments"),
    ("customer-service-quality", "/customers/88#service-quality"),
    ("surveys", "/analysis/surveys"),
    ("survey-list", "/surveys"),
    ("customer-surveys", "/customers/88#surveys"),
    ("improvements", "/improvements"),
    ("improvement", "/improvements/3"),
    ("improvement-new", "/improvements/new?metric=damage_rate&scope=value_class:a&source=kpi"),
    # The respondent's page of an open survey (its link read from the survey list).
    ("survey-answer", "@open-survey"),
    ("credit", "/credit"),
    ("credit-holds", "/credit/holds"),
    ("credit-policy", "/credit/policy"),
    ("credit-aging", "/credit/aging"),
    # The credit page of the customer with the largest exposure (assessed, with statements).
    ("credit-customer", "@credit-customer"),
    ("webhooks", "/admin/webhooks"),
    ("webhook-new", "/admin/webhooks/new"),
    # The log of an endpoint the script registers (its receiver is not reachable here).
    ("webhook-log", "@webhook-log"),
    # The customer portal, signed in as PORTAL_USER (printed by `consign demo`).
    ("portal-home", "/portal"),
    ("portal-shipments", "/portal/shipments"),
    ("portal-shipment", "@portal-shipment"),
    ("portal-tickets", "/portal/tickets"),
    ("portal-ticket-new", "/portal/tickets/new"),
    ("portal-invoices", "/portal/invoices"),
    # Public tracking: the form, and a shipment found (TRACK, the path `consign demo`
    # prints: /track?waybill_no=…&phone_last4=…).
    ("track", "/track"),
    ("track-result", "@track"),
]
SIZES = [(1366, 768), (1920, 1080), (390, 844)]
# SIZES=1366x3000 takes other sizes (a tall one shows a whole page).
if os.environ.get("SIZES"):
    SIZES = [tuple(int(x) for x in s.split("x")) for s in os.environ["SIZES"].split(",")]
# ONLY=name1,name2 takes those pages alone.
if os.environ.get("ONLY"):
    PAGES = [p for p in PAGES if p[0] in os.environ["ONLY"].split(",")]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read() or b"null")


def main():
    os.makedirs(OUT, exist_ok=True)
    port = free_port()
    driver = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                call(port, "GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]}}}}
        sid = call(port, "POST", "/session", caps)["value"]["sessionId"]
        s = f"/session/{sid}"

        def go(path):
            call(port, "POST", f"{s}/url", {"url": BASE + path})

        def js(code):
            return call(port, "POST", f"{s}/execute/sync", {"script": code, "args": []})["value"]

        go("/login")
        js("document.querySelector('input[name=username]').value='admin';"
           f"document.querySelector('input[name=password]').value='{PASSWORD}';"
           "document.querySelector('form').submit();")
        time.sleep(1.5)
        survey = None
        if any(p[1] == "@open-survey" for p in PAGES):
            go("/surveys?status=open")
            link = js("var i = document.querySelector('.copy-link input'); return i ? i.value : null")
            survey = link and "/s/" + link.split("/s/", 1)[1]
        credit = None
        if any(p[1] == "@credit-customer" for p in PAGES):
            go("/credit?sort=exposure")
            credit = js("var a = document.querySelector('table.list a.strong'); "
                        "return a ? a.getAttribute('href') : null")
        portal_shipment = None
        if os.environ.get("PORTAL_USER") and any(p[0].startswith("portal") for p in PAGES):
            go("/portal/login")
            js(f"document.querySelector('input[name=username]').value='{os.environ['PORTAL_USER']}';"
               f"document.querySelector('input[name=password]').value='{PASSWORD}';"
               "document.querySelector('form').submit();")
            time.sleep(1.5)
            go("/portal/shipments")
            portal_shipment = js("var a = document.querySelector('table.data a'); "
                                 "return a ? a.getAttribute('href') : null")
        hook = None
        if any(p[1] == "@webhook-log" for p in PAGES):
            go("/admin/webhooks/new")
            js("var f = document.querySelector('form.form-grid');"
               "f.name.value = '运输管理系统（TMS）';"
               "f.url.value = 'https://tms.yuanda-logistics.cn/hooks/consign';"
               "f.secret.value = 'whsec_9f8e7d6c5b4a3210';"
               "f.querySelectorAll('input[name=events]').forEach(function (c, i) { c.checked = i < 5; });"
               "f.submit();")
            time.sleep(1.5)
            hook = js("return location.pathname")
        for lang in ["zh", "en"]:
            go(f"/lang/{lang}?next=/")
            for w, h in SIZES:
                call(port, "POST", f"{s}/window/rect", {"width": w, "height": h})
                # The window's outer size holds the browser's frame: size the viewport.
                dw, dh = js("return [window.outerWidth - window.innerWidth,"
                            " window.outerHeight - window.innerHeight]")
                call(port, "POST", f"{s}/window/rect", {"width": w + dw, "height": h + dh})
                for name, path in PAGES:
                    if path == "@open-survey":
                        if not survey:
                            continue
                        path = f"{survey}?lang={lang}"
                    if path == "@portal-shipment":
                        if not portal_shipment:
                            continue
                        path = portal_shipment
                    if path == "@webhook-log":
                        if not hook:
                            continue
                        path = hook
                    if path == "@track":
                        if not os.environ.get("TRACK"):
                            continue
                        path = os.environ["TRACK"]
                    if path == "@credit-customer":
                        if not credit:
                            continue
                        path = credit
                    go(path)
                    time.sleep(0.5)
                    png = call(port, "GET", f"{s}/screenshot")["value"]
                    out = os.path.join(OUT, f"{name}-{w}x{h}-{lang}.png")
                    with open(out, "wb") as f:
                        f.write(base64.b64decode(png))
                    print(out)
        call(port, "DELETE", s)
    finally:
        driver.terminate()


if __name__ == "__main__":
    main()
