"""Who may use which LLM server from the app: the access policy for visitors.

`request_settings` applies two rules for a visitor who changes the server's defaults: the
server's API key goes only to the server's own base URL with the server's own model, and a base
URL the visitor types may not point to a loopback, private or link-local address unless the app
is served on this machine only (`served_locally`). The LLM client (`client`) connects to such a
URL through `PinnedBackend`, which checks the address each connection actually goes to.

This module never imports the LLM client at run time, so that the client can ask it."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from llm_ssd.caption.limits import checked_api_key
from llm_ssd.caption.settings import CaptionSettings, host_of, shown_url
from llm_ssd.env import ENV_SERVER_NAME, ENV_SHARE, on_space, stripped
from llm_ssd.errors import LLMSSDError

LOCAL_SERVER_NAMES = ("", "127.0.0.1", "localhost", "::1", "[::1]")
"""GRADIO_SERVER_NAME values that serve the app to this machine only ("": Gradio's default,
127.0.0.1)."""
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
"""IPv6 addresses that stand for the IPv4 address in their last 4 bytes (RFC 6052)."""
IPV4_BYTES = 4


def request_settings(
    server: CaptionSettings,
    model: str | None = None,
    base_url: str | None = None,
    temperature: float | None = None,
    language: str | None = None,
    api_key: str | None = None,
    local: bool = False,
) -> CaptionSettings:
    """The settings for one request of a visitor who may have changed the server's defaults.

    The server's API key is used only with the server's own base URL and the server's own model:
    a visitor who picks another model or another server must bring a key (`api_key`, only looked
    at here: pass it to `stream_caption`). Another server without a key is still tried, for
    keyless servers such as Ollama; another model on the server's own keyed server without a key
    is refused with a note (`refusal`), and the offline caption is given.

    Unless the app is served to this machine only (`local`, see `served_locally`), a base URL
    the visitor typed must resolve to public addresses (`public_only`, checked when the caption
    is asked for); the server's own base URL is always allowed, also as `shown_url` shows it.

    A value out of bounds (`limits`) raises UsageError."""
    checked_api_key(stripped(api_key))
    url = stripped(base_url)
    if server.base_url and url == shown_url(server.base_url):
        url = server.base_url  # the box shows it without its credentials
    chosen_model = stripped(model) or server.model
    changes: dict[str, Any] = {
        "model": chosen_model,
        "temperature": server.temperature if temperature is None else temperature,
        "language": stripped(language) or server.language,
    }
    other_server = url != server.base_url
    if other_server:
        changes.update(base_url=url, public_only=bool(url) and not local)
    if other_server or chosen_model != server.model:
        changes["api_key"] = None
        if server.api_key and not stripped(api_key) and not (other_server and url):
            changes["refusal"] = _key_needed_message(server, other_server)
    return replace(server, **changes)


def served_locally(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the app is served to this machine only, so that its visitor is its operator.

    True when GRADIO_SERVER_NAME is unset (Gradio then listens on 127.0.0.1), 127.0.0.1,
    localhost or ::1, and neither a share link (GRADIO_SHARE=true) nor a Hugging Face Space
    (SPACE_ID) makes it public. An app behind a reverse proxy on this machine looks local.
    `environ` defaults to the process environment."""
    env = os.environ if environ is None else environ
    if on_space(env):
        return False
    if (stripped(env.get(ENV_SHARE)) or "").lower() == "true":
        return False
    return (stripped(env.get(ENV_SERVER_NAME)) or "").lower() in LOCAL_SERVER_NAMES


def is_public_address(address: str) -> bool:
    """Whether an IP address is a public internet address: not loopback, private (10/8,
    172.16/12, 192.168/16, fc00::/7...), shared (100.64/10), link-local (169.254/16, fe80::/10),
    multicast, reserved or unspecified. An IPv4 address inside IPv6 (::ffff:a.b.c.d, NAT64
    64:ff9b::/96, 6to4) is judged as that IPv4 address; a string that is no address is not
    public."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped or ip.sixtofour:
            ip = ip.ipv4_mapped or ip.sixtofour
        elif ip in NAT64_PREFIX:
            ip = ipaddress.IPv4Address(ip.packed[-IPV4_BYTES:])
    return ip.is_global and not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def public_host_problem(url: str) -> str | None:
    """Why a public app may not send a request to `url`, or None when its host resolves only to
    public addresses. Every address the system resolver gives is checked."""
    try:
        parts = urlsplit(url)
        public_addresses(parts.hostname or "", parts.port)
    except ValueError:
        return f"Could not resolve the LLM server address {host_of(url)}. Check the base URL."
    except HostRefused as refused:
        return str(refused)
    return None


class HostRefused(LLMSSDError):
    """A public app may not reach this host: it resolves to no address, or to a local one."""


def public_addresses(hostname: str, port: int | None = None) -> list[str]:
    """The addresses `hostname` resolves to, asked once, when every one is public; raises
    HostRefused (with a message for the person) otherwise."""
    host = f"[{hostname}]" if ":" in hostname else hostname
    host = f"{host}:{port}" if port else host
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM) if hostname else []
    except (OSError, UnicodeError, ValueError):
        infos = []
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise HostRefused(f"Could not resolve the LLM server address {host}. Check the base URL.")
    if not all(is_public_address(a) for a in addresses):
        raise HostRefused(
            f"The LLM server address {host} is on a local or private network, which this "
            "public app may not reach. Use a server on the internet, or run the app on your "
            "own computer to use a local one."
        )
    return addresses


class PinnedBackend:
    """A network backend for the HTTP client's connection pool (httpcore's interface) that
    resolves each connection's host once, checks that every address is public
    (`public_addresses`), and connects to those checked addresses only: a name whose later
    answers point elsewhere (DNS rebinding) cannot move the connection. TLS still names the host
    (SNI and certificate check use the URL's name, the pool passes it to `start_tls`), and so
    does the Host header."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, **options: Any) -> Any:
        """Connect to the first checked address of `host` that answers."""
        failure: Exception | None = None
        for address in public_addresses(host, port):
            try:
                return self._inner.connect_tcp(address, port, **options)
            except Exception as err:  # try the next checked address
                failure = err
        assert failure is not None  # public_addresses gave at least one
        raise failure

    def connect_unix_socket(self, *args: Any, **options: Any) -> Any:
        """Unix sockets are local by nature: refused."""
        raise HostRefused("A public app may not reach an LLM server over a local socket.")

    def sleep(self, seconds: float) -> None:
        """The pool's wait between retries."""
        self._inner.sleep(seconds)


def _key_needed_message(server: CaptionSettings, other_server: bool) -> str:
    if other_server:
        what = f"another server than {server.host}"
    else:
        what = f"another model than {server.model}"
    return (
        f"Using {what} needs your own API key; enter it under Advanced settings "
        "(the offline caption is shown instead)."
    )
