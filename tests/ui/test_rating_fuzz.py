"""Whatever a client sends to the `rate` endpoint (issue 22): any strings, numbers or nothing
for the five scores, the rater code and the caption id are stored as one rating on the rubric's
scales, or refused with a message and nothing written. Fuzzed with Hypothesis (budget:
tests/fuzz.py), through the endpoint's own function."""

from __future__ import annotations

import gradio as gr
import pytest
from fuzz import fuzz
from hypothesis import given
from hypothesis import strategies as st
from rating_cases import GOOD, shown

from llm_ssd.ratings.rubric import CRITERIA
from llm_ssd.ratings.store import MAX_RATER_CODE, RatingStore
from ui.rating import rate_endpoint

ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10), st.floats(allow_nan=True),
    st.floats(-3, 6), st.text(max_size=20), st.sampled_from(["3", "-0.1", "nan", "1e309", ""]),
)  # fmt: skip
SCORES = st.fixed_dictionaries(
    {c.key: st.one_of(ANY_VALUE, st.just(GOOD[c.key])) for c in CRITERIA}
)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    store = RatingStore(tmp_path_factory.mktemp("fuzz") / "ratings.sqlite3")
    return store, store.register_caption(shown()), rate_endpoint(store)


@fuzz()
@given(scores=SCORES, rater=st.one_of(st.none(), st.text(max_size=40)),
       other_id=st.one_of(st.none(), st.text(max_size=80)), right_id=st.booleans())  # fmt: skip
def test_any_rating_is_stored_on_the_scales_or_refused(endpoint, scores, rater, other_id,
                                                       right_id):  # fmt: skip
    store, caption_id, rate = endpoint
    before = len(store.rows())
    try:
        row = rate(caption_id if right_id else other_id, **scores, rater_code=rater)
    except gr.Error as refused:
        assert refused.message and "Nothing was stored." in refused.message
        assert len(store.rows()) == before
        return
    assert len(store.rows()) == before + 1 and row["caption_id"] == caption_id
    for c in CRITERIA:
        assert c.low <= row[c.key] <= c.high
    assert row["rater"] is None or len(row["rater"]) <= MAX_RATER_CODE
