"""The HTTP client every request to an LLM endpoint goes through, and the check that keeps a public
server from being pointed at its own network.

Every request is bounded (``spotting.llm.bounded_http``: one deadline, capped reply bytes). For an
endpoint a visitor named (``LLMSettings.public_only``), the host must resolve to public addresses
only, checked twice: by name before anything is sent (a clear message), and on the socket itself
once it is connected (a name that resolves to a public address for the check and to 127.0.0.1 for
the connection, DNS rebinding, is cut before a byte is sent).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlparse

import httpx

from index.errors import HighlightsError
from spotting.llm.bounded_http import RequestLimits, bounded_client

from .settings import LLMSettings

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}


class PrivateAddress(httpx.ConnectError):
    """The connection reached an address a public server must not call (loopback, private, link-local…)."""


def is_public_address(address: str) -> bool:
    """Whether ``address`` (an IP) is on the public internet: not loopback, private, link-local,
    shared, multicast or reserved (an IPv4 address inside IPv6 is judged as itself)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> None:
    """An http(s) URL with a host and no user name or password in it; a ``HighlightsError`` otherwise."""
    parsed = urlparse(url)
    try:
        parsed.port  # noqa: B018 (a port that is not a number from 0 to 65535 raises)
    except ValueError:
        parsed = parsed._replace(scheme="")
    if parsed.scheme not in SCHEMES or not parsed.hostname:
        raise HighlightsError(f"the endpoint URL must look like http://host:port/v1, not {url!r}", "settings")
    if parsed.username or parsed.password:
        raise HighlightsError("the endpoint URL must not hold a user name or password; use the key field", "settings")


def check_public_host(url: str) -> None:
    """Refuse a URL whose host is, or resolves to, an address that is not public."""
    check_url(url)
    parsed = urlparse(url)
    try:
        port = parsed.port or DEFAULT_PORTS[parsed.scheme]
        found = socket.getaddrinfo(parsed.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError):
        raise HighlightsError(f"cannot find the host {parsed.hostname!r}", "settings") from None
    private = sorted({info[4][0] for info in found if not is_public_address(info[4][0])})
    if private:
        raise HighlightsError(
            f"{parsed.hostname} is a local or private address ({', '.join(private)}); "
            "this server connects to public endpoints only",
            "settings",
        )


def _refuse_private_peers(request: httpx.Request) -> None:
    """httpx request hook: check the peer of every connection the request opens (httpcore's trace)."""
    chained = request.extensions.get("trace")

    def trace(event: str, info: dict) -> None:
        if event == "connection.connect_tcp.complete" and info.get("return_value") is not None:
            sock = info["return_value"].get_extra_info("socket")
            peer = sock.getpeername()[0] if sock is not None else ""
            if not peer or not is_public_address(peer):
                raise PrivateAddress(f"refused to talk to {peer or 'an unknown address'}: not a public address")
        if chained is not None:
            chained(event, info)

    request.extensions["trace"] = trace


def endpoint_client(settings: LLMSettings) -> httpx.Client:
    """The ``httpx.Client`` for requests to ``settings``' endpoint: bounded, and held to public peers
    when a visitor named the endpoint."""
    hooks = {"request": [_refuse_private_peers]} if settings.public_only else {}
    limits = RequestLimits(total_s=settings.timeout_s)
    # no proxy from the environment for a visitor's endpoint: the peer checked must be the endpoint itself
    return bounded_client(limits, event_hooks=hooks, trust_env=not settings.public_only)
