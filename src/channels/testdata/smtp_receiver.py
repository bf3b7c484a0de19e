#!/usr/bin/python3
"""A loopback SMTP receiver for the smtp channel's tests (Debian's python3-aiosmtpd).

Usage: /usr/bin/python3 smtp_receiver.py PORT_FILE OUT_DIR [--auth USER:PASSWORD]

Binds 127.0.0.1 on a free port, writes the port to PORT_FILE (atomically, once listening) and
stores every accepted message as OUT_DIR/<n>.json: {"mail_from", "rcpt_tos", "data" (the bytes
as latin-1 text), "auth_user"}. The recipient's local part chooses the behaviour:
  retry@...     RCPT answered 451 4.3.0          dead@...      RCPT answered 550 5.1.1
  datafail4@... end of data answered 452 4.3.1   datafail5@... end of data answered 554 5.7.1
  drop@...      the connection is closed after the whole message arrived, with no reply
  sleep@...     the end-of-data reply comes after 5 seconds
  slowrcpt@...  the RCPT reply comes after 5 seconds (before any of the message is sent)
anything else is accepted with "250 2.0.0 Ok: queued as Q<n>". No TLS is offered.
OUT_DIR/connections.txt holds the number of SMTP connections accepted so far.
"""
import asyncio
import json
import os
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def main():
    port_file, out_dir = sys.argv[1], sys.argv[2]
    auth = None
    if len(sys.argv) > 4 and sys.argv[3] == "--auth":
        user, _, password = sys.argv[4].partition(":")
        auth = (user.encode(), password.encode())
    os.makedirs(out_dir, exist_ok=True)
    counter = [0]

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            local = address.split("@")[0]
            if local == "retry":
                return "451 4.3.0 try again later"
            if local == "dead":
                return "550 5.1.1 no such user"
            if local == "slowrcpt":
                await asyncio.sleep(5)
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            local = envelope.rcpt_tos[0].split("@")[0]
            if local == "datafail4":
                return "452 4.3.1 insufficient storage"
            if local == "datafail5":
                return "554 5.7.1 message refused"
            if local == "drop":
                server.transport.abort()
                return "250 never sent"
            if local == "sleep":
                await asyncio.sleep(5)
            counter[0] += 1
            n = counter[0]
            record = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "data": envelope.original_content.decode("latin-1"),
                "auth_user": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            }
            tmp = os.path.join(out_dir, ".%d.tmp" % n)
            with open(tmp, "w") as f:
                json.dump(record, f)
            os.rename(tmp, os.path.join(out_dir, "%d.json" % n))
            return "250 2.0.0 Ok: queued as Q%d" % n

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == auth
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    connections = [0]

    def factory():
        connections[0] += 1
        with open(os.path.join(out_dir, "connections.tmp"), "w") as f:
            f.write("%d\n" % connections[0])
        os.rename(os.path.join(out_dir, "connections.tmp"), os.path.join(out_dir, "connections.txt"))
        if auth is None:
            return SMTP(Handler(), hostname="receiver.test")
        return SMTP(Handler(), hostname="receiver.test", authenticator=authenticator,
                    auth_required=True, auth_require_tls=False)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", 0))
    port = server.sockets[0].getsockname()[1]
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(port_file + ".tmp", port_file)
    loop.run_forever()


if __name__ == "__main__":
    main()
