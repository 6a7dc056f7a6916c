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

from llm_ssd.caption.access import request_settings
from llm_ssd.caption.settings import (
    ENV_HF_TOKEN,
    TOKEN_OWNERS,
    CaptionSettings,
    Router,
    Source,
    choose_source,
)
from llm_ssd.env import ENV_OAUTH_CLIENT_ID, on_gradio_space, stripped


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


def router_source(model: str, owner: str) -> str:
    """The source line of a caption from the router, e.g. "Hugging Face router, model X, your
    sign-in"."""
    return f"Hugging Face router, model {model}, {owner}"


def sign_in_available(environ: Mapping[str, str]) -> bool:
    """Whether the app can offer "Sign in with Hugging Face": on a Space with `hf_oauth: true`
    only. Elsewhere Gradio would mock the sign-in, asking the hub's `whoami` at start-up with
    the machine's Hugging Face token (HF_TOKEN), which goes to the router alone."""
    return bool(stripped(environ.get(ENV_OAUTH_CLIENT_ID))) and on_gradio_space(environ)


def token_rejected_message(owner: str, host: str) -> str:
    """What to do when the router refuses a Hugging Face token (401)."""
    if owner == TOKEN_OWNERS[Source.VISITOR_SIGN_IN]:
        return (
            f"Your Hugging Face sign-in was refused by {host} (401): it may have expired. "
            "Sign out and in again."
        )
    return f"The server's Hugging Face token was refused by {host} (401). Check {ENV_HF_TOKEN}."
