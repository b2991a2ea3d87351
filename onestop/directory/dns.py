"""The one DNS question OneStop asks: the TXT records at a name (for mail domain proofs).

dnspython does the asking; the resolvers are ``ONESTOP_DNS_NAMESERVERS`` (``address`` or
``address:port``), or the system's own when that is empty.  A name that does not exist, has no
TXT records or cannot be answered in time gives an empty list or ``DnsLookupError``, never a crash.
"""

from __future__ import annotations

import dns.exception
import dns.name
import dns.nameserver
import dns.resolver
from django.conf import settings


class DnsLookupError(Exception):
    """The resolvers could not be asked or did not answer."""


def _nameserver(entry: str) -> dns.nameserver.Nameserver:
    """``192.0.2.53``, ``192.0.2.53:5353``, ``2001:db8::53`` or ``[2001:db8::53]:5353``."""
    host, port = entry, 53
    if entry.startswith("[") and "]:" in entry:
        host, _bracket, rest = entry[1:].partition("]:")
        port = int(rest)
    elif entry.count(":") == 1:
        host, _colon, rest = entry.partition(":")
        port = int(rest)
    return dns.nameserver.Do53Nameserver(host.strip("[]"), port)


def _resolver() -> dns.resolver.Resolver:
    configured: list[str] = list(settings.ONESTOP_DNS_NAMESERVERS)
    resolver = dns.resolver.Resolver(configure=not configured)
    if configured:
        resolver.nameservers = [_nameserver(entry) for entry in configured]
    timeout = float(settings.ONESTOP_DNS_TIMEOUT_SECONDS)
    resolver.timeout = timeout
    resolver.lifetime = timeout
    return resolver


def txt_records(name: str) -> list[str]:
    """The TXT strings at ``name`` (each record's strings joined, decoded as UTF-8)."""
    try:
        answer = _resolver().resolve(dns.name.from_text(name), "TXT", raise_on_no_answer=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.YXDOMAIN):
        return []
    except dns.exception.DNSException as error:  # timeouts, no server answering, bad answers
        raise DnsLookupError(str(error)) from error
    records = []
    for rdata in answer:
        strings = getattr(rdata, "strings", ())
        records.append(b"".join(strings).decode("utf-8", "replace"))
    return records
