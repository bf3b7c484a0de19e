"""Verifies the DKIM signature of messages with dkimpy (Debian python3-dkim), independently of
the libopendkim that signed them. Run with Debian's /usr/bin/python3.

    dkim_verify.py TXT_RECORD SELECTOR DOMAIN MESSAGE...

TXT_RECORD is a file holding the public key record ("v=DKIM1; k=rsa; p=..."); the DNS query
for SELECTOR._domainkey.DOMAIN is answered from it and every other name has no record, so
nothing goes to the network. For each MESSAGE prints one line, "MESSAGE: pass" when its first
signature verifies with rsa-sha256, relaxed/relaxed, d=DOMAIN, s=SELECTOR, no l= tag and an h=
that covers the fields RFC 8058 section 4 and winback require, else "MESSAGE: fail: WHY".
Exits 0 when every message passed, 1 when one failed, 2 on bad usage.
"""
import logging
import sys

import dkim

# The fields winback signs whenever the message has them (messages/dkim_signer.h).
REQUIRED = [b'from', b'to', b'subject', b'date', b'message-id', b'mime-version',
            b'content-type', b'list-unsubscribe', b'list-unsubscribe-post', b'x-winback-key']


def check(message, dnsfunc, selector, domain):
    """Returns None when `message` carries a good signature, else why not."""
    verifier = dkim.DKIM(message, logger=logging.getLogger('dkim_verify'))
    try:
        if not verifier.verify(dnsfunc=dnsfunc):
            return 'signature does not verify'
    except dkim.DKIMException as e:
        return str(e)
    fields = verifier.signature_fields
    expected = {b'a': b'rsa-sha256', b'c': b'relaxed/relaxed', b'd': domain.encode(),
                b's': selector.encode()}
    for tag, value in expected.items():
        if fields.get(tag) != value:
            return '%s=%r, expected %r' % (tag.decode(), fields.get(tag), value)
    if b'l' in fields:
        return 'l= tag (a partial body signature)'
    missing = [h.decode() for h in REQUIRED if h not in verifier.include_headers]
    if missing:
        return 'h= lacks ' + ', '.join(missing)
    return None


def main():
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    record_path, selector, domain = sys.argv[1:4]
    with open(record_path, 'rb') as f:
        record = f.read().strip()
    key_name = (selector + '._domainkey.' + domain + '.').lower().encode()

    def dnsfunc(name, timeout=5):
        return record if name.lower() == key_name else None

    logging.basicConfig(level=logging.CRITICAL)
    failed = False
    for path in sys.argv[4:]:
        with open(path, 'rb') as f:
            why = check(f.read(), dnsfunc, selector, domain)
        print('%s: %s' % (path, 'pass' if why is None else 'fail: ' + why))
        failed = failed or why is not None
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
