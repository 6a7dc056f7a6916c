"""Who writes a caption: the order of sources, and the Hugging Face router.

The first source that applies writes the caption (`choose_source`):

1. the visitor's own API key (or own server, typed in the app);
2. the visitor's Hugging Face sign-in, through the router;
3. the server's OPENAI_API_KEY / OPENAI_BASE_URL;
4. the server's HF_TOKEN, through the router;
5. the offline template.

The command line has no visitor: it starts at 3. A Hugging Face token goes only to the router's
URL (LLM_SSD_HF_BASE_URL). Pure values and functions: no network, no LLM client."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple

from .access import request_settings, stripped

if TYPE_CHECKING:
    from .caption import CaptionSettings

ENV_HF_TOKEN = "HF_TOKEN"
ENV_HF_BASE_URL = "LLM_SSD_HF_BASE_URL"
ENV_HF_MODEL = "LLM_SSD_HF_MODEL"
ENV_OAUTH_CLIENT_ID = "OAUTH_CLIENT_ID"
"""Set by Hugging Face on a Space whose README says `hf_oauth: true`."""
HF_ROUTER_URL = "https://router.huggingface.co/v1"
"""Hugging Face Inference Providers' OpenAI-compatible endpoint."""
DEFAULT_HF_MODEL = "Qwen/Qwen2.5-7B-Instruct"
"""An open instruction-tuned model (Apache 2.0, not gated, so any signed-in visitor may use
it), small enough to be cheap on the free monthly credits, and trained for over 29 languages,
the offline template's eight among them. `LLM_SSD_HF_MODEL` picks another; a ":provider" suffix
("...:together") pins the provider."""


class Source(Enum):
    """Where a caption comes from, in the order they are tried; the value is how a person
    reads it."""

    VISITOR = "your own API key or server"
    VISITOR_SIGN_IN = "your Hugging Face sign-in"
    SERVER_LLM = "this server's LLM (OPENAI_API_KEY / OPENAI_BASE_URL)"
    SERVER_HF = "this server's Hugging Face token (HF_TOKEN)"
    OFFLINE = "the offline template"


TOKEN_OWNERS: dict[Source, str] = {
    Source.VISITOR_SIGN_IN: "your sign-in",
    Source.SERVER_HF: "the server's token",
}
"""Whose Hugging Face token pays for a request through the router, as the source line says."""


class Router(NamedTuple):
    """Where the Hugging Face router is and which model it is asked for."""

    base_url: str
    model: str


def choose_source(
    *,
    visitor_key: bool = False,
    visitor_server: bool = False,
    signed_in: bool = False,
    server_llm: bool = False,
    server_hf: bool = False,
) -> Source:
    """The first source that applies, in the order of `Source`."""
    if visitor_key or visitor_server:
        return Source.VISITOR
    if signed_in:
        return Source.VISITOR_SIGN_IN
    if server_llm:
        return Source.SERVER_LLM
    if server_hf:
        return Source.SERVER_HF
    return Source.OFFLINE


def source_order() -> str:
    """The order of sources in one line, for the page."""
    return " › ".join(source.value for source in Source)


def visitor_settings(
    server: CaptionSettings,
    router: Router,
    *,
    model: str | None = None,
    base_url: str | None = None,
    temperature: float | None = None,
    language: str | None = None,
    api_key: str | None = None,
    hf_token: str | None = None,
    local: bool = False,
) -> tuple[CaptionSettings, str | None]:
    """The settings of one visitor's request, and the key to send with it for this call only.

    A visitor's own key or server comes first, then their sign-in (`hf_token`, sent to the
    router only), then the server's own settings; `access.request_settings` applies its rules
    to all of them (the server's key only for its own URL and model, private addresses)."""
    key, token = stripped(api_key), stripped(hf_token)
    source = choose_source(
        visitor_key=bool(key),
        visitor_server=stripped(base_url) != server.base_url,
        signed_in=bool(token),
        server_llm=server.online and not server.token_owner,
        server_hf=bool(server.token_owner),
    )
    if source is not Source.VISITOR_SIGN_IN:
        settings = request_settings(
            server, model, base_url, temperature, language, api_key=key, local=local
        )
        if source is Source.VISITOR:  # not the server's token, whoever pays
            settings = replace(settings, token_owner=None)
        return settings, key
    own = request_settings(server, None, server.base_url, temperature, language, local=local)
    chosen = stripped(model)
    return replace(
        own,
        api_key=None,
        base_url=router.base_url,
        model=chosen if chosen and chosen != server.model else router.model,
        public_only=False,
        token_owner=TOKEN_OWNERS[source],
    ), token


def server_router_settings(environ: Mapping[str, str], server_llm: bool) -> dict[str, Any]:
    """The settings of the server's HF_TOKEN path through the router when that is the server's
    source (no OpenAI settings, `server_llm` false); else nothing."""
    token = stripped(environ.get(ENV_HF_TOKEN))
    source = choose_source(server_llm=server_llm, server_hf=bool(token))
    if source is not Source.SERVER_HF:
        return {}
    url, model = router_from_env(environ)
    return dict(api_key=token, base_url=url, model=model, token_owner=TOKEN_OWNERS[source])


def router_from_env(environ: Mapping[str, str]) -> Router:
    """The router's URL and model: LLM_SSD_HF_BASE_URL and LLM_SSD_HF_MODEL, or the defaults."""
    return Router(
        stripped(environ.get(ENV_HF_BASE_URL)) or HF_ROUTER_URL,
        stripped(environ.get(ENV_HF_MODEL)) or DEFAULT_HF_MODEL,
    )


def router_source(model: str, owner: str) -> str:
    """The source line of a caption from the router, e.g. "Hugging Face router, model X, your
    sign-in"."""
    return f"Hugging Face router, model {model}, {owner}"


def sign_in_available(environ: Mapping[str, str]) -> bool:
    """Whether the app can offer "Sign in with Hugging Face": on a Space with `hf_oauth: true`,
    or where OAUTH_CLIENT_ID is set by hand to try Gradio's mocked sign-in locally."""
    return bool(stripped(environ.get(ENV_OAUTH_CLIENT_ID)))


def token_rejected_message(owner: str, host: str) -> str:
    """What to do when the router refuses a Hugging Face token (401)."""
    if owner == TOKEN_OWNERS[Source.VISITOR_SIGN_IN]:
        return (
            f"Your Hugging Face sign-in was refused by {host} (401): it may have expired. "
            "Sign out and in again."
        )
    return f"The server's Hugging Face token was refused by {host} (401). Check {ENV_HF_TOKEN}."
