"""What the browser runs besides Gradio's own: the page's CSS, and a few lines of JavaScript
that mend what Gradio 6 leaves to be mended (read-only captions, radio groups, the cue under a
table wider than the screen, a plain message for a file that is not sound)."""

from __future__ import annotations

import json

from ui.page import PAGE_WORDS_FILLED

WIDE_TABLE = "wide-table"
"""The class of a table that may be wider than a phone: it gets the cue when it is."""
CSS = """
#clip { min-height: 270px; }
.nav-holder a, nav a { color: var(--body-text-color) !important; }
.toast-body { background: var(--background-fill-primary) !important; opacity: 1 !important; }
.panel-line p { margin: 0 !important; font-size: 0.95em; }
button.primary { background: #b33c00 !important; border-color: #b33c00 !important;
                 color: #ffffff !important; }
button.primary:disabled { background: #e4e4e7 !important; border-color: #71717a !important;
                          color: #18181b !important; opacity: 1 !important; }
:focus-visible { outline: 3px solid #1a56db !important; outline-offset: 2px !important; }
.wide-table .table-wrap { position: relative; }
.wide-table .virtual-table-viewport { scrollbar-width: thin; scrollbar-color: #71717a #e4e4e7; }
.wide-table[data-scrolls="more"] .table-wrap::after {
  content: ""; position: absolute; top: 0; right: 0; bottom: 0; width: 36px;
  pointer-events: none; background: linear-gradient(to right, rgba(0, 0, 0, 0), rgba(0, 0, 0, 0.2));
}
.wide-table[data-scrolls="more"]::after, .wide-table[data-scrolls="end"]::after {
  content: attr(data-cue); display: block; padding: 4px 8px; font-size: var(--text-sm);
  color: var(--body-text-color);
}
"""
"""The audio box as tall empty as with a clip, so that nothing under it moves when one
loads; the navbar's other page in the body's colour (Gradio's grey reads as disabled); error
toasts drawn opaque, so the page text does not show through them; panel lines tight; the primary
button's white text at 5.9:1 contrast (Gradio's orange gives 2.8:1), and once done ("Rated")
dark on light grey at 15:1 (Gradio's gives white on pale brown); a visible focus ring for
keyboard users; a table wider than its box shaded at its right edge, with a line saying there is
more to the right, until it is scrolled to its end."""

PAGE_JS = """() => {
  const words = ({words})[(navigator.language || "").slice(0, 2)] || ({words}).en;
  const captions = () => document.querySelectorAll("#caption textarea, #caption-b textarea")
    .forEach((box) => {
      if (box.disabled) { box.disabled = false; box.readOnly = true; }
      box.setAttribute("aria-live", "polite");
    });
  const radios = () => document.querySelectorAll("fieldset").forEach((set) => {
    const inputs = set.querySelectorAll('input[type="radio"]');
    if (!inputs.length) return;
    set.dataset.group = set.dataset.group || inputs[0].name;
    inputs.forEach((input) => {
      if (input.name !== set.dataset.group) input.name = set.dataset.group;
    });
    set.setAttribute("role", "radiogroup");
  });
  const tables = () => document.querySelectorAll(".{wide}").forEach((block) => {
    const box = block.querySelector(".virtual-table-viewport");
    if (!box) return;
    const more = box.scrollWidth - box.clientWidth > 1;
    const end = box.scrollLeft + box.clientWidth >= box.scrollWidth - 1;
    const state = more ? (end ? "end" : "more") : "no";
    if (block.dataset.scrolls !== state) block.dataset.scrolls = state;
    if (block.dataset.cue !== words.scroll_cue) block.dataset.cue = words.scroll_cue;
  });
  const wrongType = () => document.querySelectorAll('[data-testid="toast-text"]')
    .forEach((text) => {
      const found = /^Invalid file types?: (.*)\\. Only .* allowed\\.$/s.exec(text.textContent);
      if (found) text.textContent = words.not_audio.replace("{name}", found[1]);
    });
  const media = navigator.mediaDevices;
  if (media && !media.rawSound) {
    const ask = media.getUserMedia.bind(media);
    media.getUserMedia = (asked) => ask(asked && asked.audio ? {...asked, audio: {
      ...(typeof asked.audio === "object" ? asked.audio : {}),
      echoCancellation: false, noiseSuppression: false, autoGainControl: false}} : asked);
    media.rawSound = true;
  }
  const mend = () => { captions(); radios(); tables(); wrongType(); };
  mend();
  new MutationObserver(mend).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ["disabled", "name"],
  });
  window.addEventListener("resize", tables);
  document.addEventListener("scroll", tables, true);
}"""
PAGE_JS = PAGE_JS.replace("{wide}", WIDE_TABLE).replace(
    "{words}",
    json.dumps(
        {
            locale: {key: words[key] for key in ("scroll_cue", "not_audio")}
            for locale, words in PAGE_WORDS_FILLED.items()
        },
        ensure_ascii=False,
    ),
)
"""Run once when the page loads, and again whenever it changes: Gradio disables a
non-interactive textbox, which keyboards and screen readers skip, so the captions become
read-only instead, focusable, and announced as they change; Gradio gives each radio button a
name of its own, so each was a tab stop of its own and the arrow keys did nothing: the buttons of
one question share a name again (the browser then makes them one tab stop, moved through with the
arrow keys), every time Gradio renames them; a wide table gets its cue (CSS above) while it is
wider than its box; Gradio's warning for a file that is not sound, which lists a dozen MIME
types, is replaced by a plain message in the browser's language. And the microphone is asked
for the sound as it is: a browser's noise suppression, echo cancellation and automatic gain
take out the steady background (traffic's rumble) that makes a soundscape, and the Listen live
test heard its street as a public square through them."""
