#!/usr/bin/python3
"""A loopback HTTP receiver for the twilio, whatsapp_cloud and webhook channels' tests.

Usage: /usr/bin/python3 http_receiver.py PORT_FILE OUT_DIR
Secrets it checks come from the environment: RECEIVER_TWILIO_SID, RECEIVER_TWILIO_TOKEN,
RECEIVER_WHATSAPP_TOKEN, RECEIVER_WEBHOOK_SECRET.

Binds 127.0.0.1 on a free port and writes the port to PORT_FILE (atomically). The path chooses
the behaviour and the provider: /MODE/... where MODE is
  ok        check the request and answer as the provider does (2xx, with an id)
  e500      500 with a provider error body         e429   429 with Retry-After: 7
  e400      400 with a provider error body ("message" / "error.message")
  sleep     read the body, then wait 5 s before answering (past the client's timeout)
  close     read the body, then close the connection without answering
  ctl       whichever of the above the control file OUT_DIR/../mode holds now ("ok" if none),
            so one client (one connection) can meet several behaviours in turn
and the rest of the path names the provider:
  /2010-04-01/Accounts/<sid>/Messages.json   Twilio: Basic auth sid:token, form To, From, Body,
                                             Idempotency-Key and I-Twilio-Idempotency-Token
  /<phone_number_id>/messages                WhatsApp Cloud: Bearer token, JSON template body
  /hook                                      webhook: JSON body, X-Winback-Key,
                                             X-Winback-Signature sha256=HMAC(secret, body)
A request that breaks a rule gets 422 {"message": "...", "error": ...} naming the rule and is
not recorded. Every checked request, whatever the MODE, is recorded as OUT_DIR/<n>.json:
{"mode", "provider", "path", "headers", "body", "form" or "json"}.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OUT_DIR = sys.argv[2]
LOCK = threading.Lock()
COUNTER = [0]


class Reject(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Reject(what)


def check_twilio(handler, path, body):
    sid = os.environ.get("RECEIVER_TWILIO_SID", "")
    token = os.environ.get("RECEIVER_TWILIO_TOKEN", "")
    need(path == "/2010-04-01/Accounts/%s/Messages.json" % sid, "path %s" % path)
    want = "Basic " + base64.b64encode(("%s:%s" % (sid, token)).encode()).decode()
    need(handler.headers.get("Authorization") == want, "Basic auth")
    need(handler.headers.get("Content-Type") == "application/x-www-form-urlencoded",
         "content type")
    key = handler.headers.get("Idempotency-Key")
    need(key, "Idempotency-Key")
    need(handler.headers.get("I-Twilio-Idempotency-Token") == key, "I-Twilio-Idempotency-Token")
    form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True, strict_parsing=True)
    need(sorted(form) == ["Body", "From", "To"], "form fields %s" % sorted(form))
    need(all(len(v) == 1 for v in form.values()), "repeated form field")
    need(form["To"][0].startswith("+"), "To is not E.164")
    return "twilio", {k: v[0] for k, v in form.items()}


def check_whatsapp(handler, path, body):
    token = os.environ.get("RECEIVER_WHATSAPP_TOKEN", "")
    need(handler.headers.get("Authorization") == "Bearer " + token, "Bearer token")
    need(handler.headers.get("Content-Type") == "application/json", "content type")
    need(handler.headers.get("Idempotency-Key"), "Idempotency-Key")
    j = json.loads(body)
    need(j.get("messaging_product") == "whatsapp", "messaging_product")
    need(j.get("recipient_type") == "individual", "recipient_type")
    need(j.get("type") == "template", "type")
    need(isinstance(j.get("to"), str) and j["to"].isdigit(), "to: digits without +")
    t = j.get("template")
    need(isinstance(t, dict) and isinstance(t.get("name"), str) and t["name"], "template.name")
    need(isinstance(t.get("language"), dict) and t["language"].get("code"), "template.language")
    for c in t.get("components", []):
        need(c.get("type") == "body", "component type")
        for p in c.get("parameters", []):
            need(p.get("type") == "text" and isinstance(p.get("text"), str), "parameter")
    return "whatsapp_cloud", j


def check_webhook(handler, path, body):
    secret = os.environ.get("RECEIVER_WEBHOOK_SECRET", "").encode()
    need(handler.headers.get("Content-Type") == "application/json", "content type")
    key = handler.headers.get("X-Winback-Key")
    need(key and handler.headers.get("Idempotency-Key") == key, "X-Winback-Key / Idempotency-Key")
    want = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    need(hmac.compare_digest(handler.headers.get("X-Winback-Signature", ""), want), "signature")
    j = json.loads(body)
    for field in ["key", "kind", "from", "to", "email_mime", "text", "subject",
                  "whatsapp_template", "whatsapp_language", "whatsapp_parameters"]:
        need(field in j, "field " + field)
    need(j["key"] == key, "key field matches header")
    return "webhook", j


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The answer's headers and body are two writes: without TCP_NODELAY the body waits for the
    # client's delayed ACK of the headers, 40 ms a request.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, obj, extra=None):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if len(body) < length:
            # The client went away mid-body (a killed sender): no request arrived, as for any
            # server; nothing is recorded or answered.
            self.close_connection = True
            return
        parts = self.path.split("/", 2)
        mode = parts[1] if len(parts) > 2 else ""
        path = "/" + parts[2] if len(parts) > 2 else self.path
        if mode == "ctl":
            try:
                with open(os.path.join(os.path.dirname(OUT_DIR), "mode")) as f:
                    mode = f.read().strip()
            except FileNotFoundError:
                mode = "ok"
        try:
            if path.startswith("/2010-04-01/"):
                provider, parsed = check_twilio(self, path, body)
            elif path.endswith("/messages"):
                provider, parsed = check_whatsapp(self, path, body)
            elif path == "/hook":
                provider, parsed = check_webhook(self, path, body)
            else:
                raise Reject("unknown path " + path)
        except (Reject, ValueError) as e:
            self.answer(422, {"message": "receiver: " + str(e), "error": {"message": str(e)}})
            return
        with LOCK:
            COUNTER[0] += 1
            n = COUNTER[0]
        record = {"mode": mode, "provider": provider, "path": path,
                  "headers": {k: v for k, v in self.headers.items()},
                  "body": body.decode("utf-8", "replace"), "parsed": parsed}
        tmp = os.path.join(OUT_DIR, ".%d.tmp" % n)
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(OUT_DIR, "%d.json" % n))
        if mode == "sleep":
            time.sleep(5)
        if mode == "close":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if mode == "e500":
            self.answer(500, {"message": "internal error", "error": {"message": "internal error"}})
        elif mode == "e429":
            self.answer(429, {"message": "too many requests", "error": {"message": "slow down"}},
                        {"Retry-After": "7"})
        elif mode == "e400":
            self.answer(400, {"code": 21211, "message": "The 'To' number is not valid",
                              "error": {"message": "(#131009) Parameter value is not valid"}})
        elif provider == "twilio":
            self.answer(201, {"sid": "SM%032d" % n, "status": "queued"})
        elif provider == "whatsapp_cloud":
            self.answer(200, {"messaging_product": "whatsapp",
                              "contacts": [{"input": parsed["to"], "wa_id": parsed["to"]}],
                              "messages": [{"id": "wamid.%d" % n}]})
        else:
            self.answer(200, {"id": "hook-%d" % n})


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that died (a killed sender) resets the connection: expected, not news.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def main():
    port_file = sys.argv[1]
    os.makedirs(OUT_DIR, exist_ok=True)
    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
