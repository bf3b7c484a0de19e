#!/usr/bin/python3
"""Drives headless Chromium through the dashboard: logs in through the login form, loads pages,
and writes each page's rendered DOM and a screenshot.

Chromium is controlled over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON
messages separated by NUL bytes on file descriptors 3 and 4), so nothing beyond the Python
standard library and Debian's chromium is needed.

usage: dashboard_browser.py CHROMIUM BASE_URL USER PASSWORD OUT_DIR PATH...
For each PATH it writes OUT_DIR/NAME.html (the DOM after scripts ran), OUT_DIR/NAME.png and
prints "PATH -> FINAL_URL" (NAME: the path with '/' as '_', "root" for '/'). The first PATH is
loaded before logging in (it must lead to the login form); exit 1 on any protocol failure.
"""
import base64
import json
import os
import subprocess
import sys
import time


class Browser:
    def __init__(self, chromium, profile):
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()

        def child_fds():
            # Chromium reads commands on fd 3 and writes replies on fd 4.
            r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(r, 3)
            os.dup2(w, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--remote-debugging-pipe", "--user-data-dir=" + profile, "--window-size=1400,1800",
             "about:blank"],
            preexec_fn=child_fds, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=open(profile + ".log", "wb"))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.out = os.fdopen(to_chrome_w, "wb", buffering=0)
        self.inp = os.fdopen(from_chrome_r, "rb", buffering=0)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("no message from chromium")
            chunk = os.read(self.inp.fileno(), 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.out.write(json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, name, timeout=60):
        deadline = time.time() + timeout
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == name:
                    del self.events[: i + 1]
                    return m
            self.events.append(self._read_message(deadline))

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main():
    chromium, base, user, password, out_dir = sys.argv[1:6]
    paths = sys.argv[6:]
    os.makedirs(out_dir, exist_ok=True)
    b = Browser(chromium, os.path.join(out_dir, "chromium-profile"))
    try:
        target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        b.call("Page.enable", session=s)
        b.call("Runtime.enable", session=s)

        def load(url):
            b.events.clear()
            b.call("Page.navigate", {"url": url}, session=s)
            b.wait_event("Page.loadEventFired")

        def evaluate(expr):
            r = b.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                            "awaitPromise": True}, session=s)
            if "exceptionDetails" in r:
                raise RuntimeError(f"{expr}: {r['exceptionDetails']}")
            return r["result"].get("value")

        def save(path):
            name = "root" if path == "/" else path.strip("/").replace("/", "_").replace("?", "_")
            # Let the charts finish (the script marks <body data-charts> when done).
            for _ in range(50):
                if evaluate("document.body && document.body.hasAttribute('data-charts')"):
                    break
                time.sleep(0.1)
            with open(os.path.join(out_dir, name + ".html"), "w") as f:
                f.write(evaluate("document.documentElement.outerHTML"))
            shot = b.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport":
                                                     True}, session=s)
            with open(os.path.join(out_dir, name + ".png"), "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            print(f"{path} -> {evaluate('location.pathname + location.search')}")

        # Before logging in: the first path must show the login form.
        load(base + paths[0])
        save(paths[0])
        if not evaluate("!!document.getElementById('login-form')"):
            print("no login form before logging in", file=sys.stderr)
            return 1
        # Log in as a person would: fill the form and submit it.
        b.events.clear()
        evaluate(
            "(() => { const f = document.getElementById('login-form');"
            f" f.user.value = {json.dumps(user)}; f.password.value = {json.dumps(password)};"
            " f.submit(); return true; })()")
        b.wait_event("Page.loadEventFired")
        print(f"login -> {evaluate('location.pathname')}")
        for path in paths:
            load(base + path)
            save(path)
        return 0
    finally:
        b.close()


if __name__ == "__main__":
    sys.exit(main())
