"""The client's address behind a reverse proxy (issue 14, item 5).

`X-Forwarded-For` is a header anyone can send: believed blindly, it lets one machine pose as any number
of addresses and walk around the per-address throttles and rate limits. It is believed only when the
request comes from an address in QUYTRINH_TRUSTED_PROXIES (comma-separated addresses or networks,
e.g. `127.0.0.1,10.0.0.0/8`; none by default). Then the client is the right-most address of the header
that is not itself a trusted proxy (the left part of the header is the client's own to forge).
Everything downstream — audit records, throttles, rate limits — reads `request.remote_addr`.
"""
from __future__ import annotations

import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted(text: str | None) -> tuple[Network, ...]:
    """`127.0.0.1, 10.0.0.0/8` → networks; a malformed entry is refused at start-up."""
    networks = []
    for item in (text or "").split(","):
        item = item.strip()
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise RuntimeError(f"QUYTRINH_TRUSTED_PROXIES: {item!r} is not an address or network") from None
    return tuple(networks)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(peer: str | None, forwarded_for: str | None, networks: tuple[Network, ...]) -> str | None:
    """The address to treat as the client's."""
    if not peer or not networks or not forwarded_for or not _trusted(peer, networks):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage in the header: keep the proxy's own address
    return peer


class TrustedProxies:
    """WSGI middleware: REMOTE_ADDR becomes the client's address when a trusted proxy forwarded the request."""

    def __init__(self, wsgi_app, networks: tuple[Network, ...]):
        self.wsgi_app = wsgi_app
        self.networks = networks

    def __call__(self, environ, start_response):
        if self.networks:
            environ["REMOTE_ADDR"] = client_address(environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR"),
                                                    self.networks)
        return self.wsgi_app(environ, start_response)
