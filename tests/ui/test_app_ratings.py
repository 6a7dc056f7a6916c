"""Rating captions through the app's `rate` endpoint with gradio_client, as a class would
(issue 13, acceptance 2 and 4): every caption shown is registered, ratings of it are stored in
the app's SQLite file (LLM_SSD_DB), bad ones are refused with a message, blind mode stores which
caption was which, and a restart keeps everything."""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from app_server import ROOT, AppServer
from fake_openai import FakeOpenAI
from rating_cases import GOOD

from llm_ssd.ratings.rubric import CRITERION_KEYS
from llm_ssd.ratings.store import MAX_RATER_CODE, clip_sha256
from ui.page import Outputs

gradio_client = pytest.importorskip("gradio_client")
CLIP = ROOT / "examples" / "park_birdsong.flac"
SERVER_MODEL = "fake-model"
VISITOR_KEY = "sk-visitor-ratings-9f8e7d6c"
AT_ONCE = 64
"""Ratings sent at once: a class of 64 pressing Submit together (issue 22)."""
OUTPUTS = tuple("source" if f.name == "caption_source" else f.name for f in fields(Outputs))
"""/describe's outputs, in order (the page's `Outputs`)."""


@pytest.fixture(scope="module")
def llm():
    with FakeOpenAI(model=SERVER_MODEL) as server:
        yield server


@pytest.fixture(scope="module")
def app(tmp_path_factory, llm):
    """The app with the operator's (fake) LLM server, so that blind mode has two captions."""
    env = {"OPENAI_BASE_URL": llm.base_url, "LLM_SSD_MODEL": SERVER_MODEL, "LLM_SSD_TIMEOUT": "5"}
    with AppServer(tmp_path_factory.mktemp("rating-app"), env) as server:
        yield server


def client(app: AppServer):
    return gradio_client.Client(app.url, verbose=False)


def describe(app: AppServer, **options: Any) -> dict[str, Any]:
    """/describe's outputs by name."""
    result = client(app).predict(
        audio=gradio_client.handle_file(str(CLIP)), api_name="/describe", **options
    )
    return dict(zip(OUTPUTS, result, strict=True))


def rate(app: AppServer, caption_id: str, rater: str | None = None, **scores: Any) -> dict:
    return client(app).predict(caption_id, **(GOOD | scores), rater_code=rater, api_name="/rate")


def query(db: Path, sql: str, *args: Any) -> list[tuple]:
    with sqlite3.connect(db) as con:
        return con.execute(sql, args).fetchall()


def ratings_count(db: Path) -> int:
    return query(db, "SELECT COUNT(*) FROM ratings")[0][0]


def test_the_rate_endpoint_takes_the_rubrics_criteria(app):
    endpoint = client(app).view_api(return_format="dict", print_info=False)["named_endpoints"]
    names = [p["parameter_name"] for p in endpoint["/rate"]["parameters"]]
    assert names == ["caption_id", *CRITERION_KEYS, "rater_code"]


def test_sixty_four_ratings_at_once_are_all_stored_once(app):
    caption_id = describe(app)["caption_id"]
    before = ratings_count(app.db)
    # A client each, as a class has a browser each: one gradio_client sending them all loses a
    # job now and then on a loaded machine (its event stream closes, the server having finished
    # every job it had, just as the next one joins: CancelledError).
    raters = [client(app) for _ in range(AT_ONCE)]
    jobs = [
        rater.submit(caption_id, *GOOD.values(), f"class-{i:02d}", api_name="/rate")
        for i, rater in enumerate(raters)
    ]
    stored = [job.result(timeout=120) for job in jobs]
    assert sorted(r["rater"] for r in stored) == [f"class-{i:02d}" for i in range(AT_ONCE)]
    assert len({r["rating_id"] for r in stored}) == AT_ONCE
    assert ratings_count(app.db) == before + AT_ONCE
    rows = query(app.db, "SELECT rater, COUNT(*) FROM ratings WHERE caption_id = ? GROUP BY rater",
                 caption_id)  # fmt: skip
    assert len(rows) == AT_ONCE and {n for _, n in rows} == {1}


DESCRIBED_AT_ONCE = 30
"""Describe calls sent at once: a class pressing Describe together (issue 22)."""


@pytest.mark.slow
def test_thirty_describe_calls_at_once_all_succeed(app):
    """They queue behind the app's `CONCURRENCY_LIMIT` analyses (the thread policy's share of
    the cores each) and every one gets its caption, registered for rating."""
    clip = gradio_client.handle_file(str(CLIP))
    visitors = [client(app) for _ in range(DESCRIBED_AT_ONCE)]  # a browser each
    jobs = [visitor.submit(audio=clip, api_name="/describe") for visitor in visitors]
    done = [dict(zip(OUTPUTS, job.result(timeout=900), strict=True)) for job in jobs]
    assert all(out["caption"] and out["record"]["scene"] for out in done)
    ids = {out["caption_id"] for out in done}
    assert len(ids) == DESCRIBED_AT_ONCE and "" not in ids


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"precision": 6}, "Precision must be 1 to 5; 6 is outside the scale"),
        ({"fluency": 1}, "Fluency must be −2 to 0 in steps of 0.1; 1 is outside the scale"),
        ({"recall": None}, "Recall is missing (give 1 to 5)"),
        ({"rater": "x" * (MAX_RATER_CODE + 1)}, f"at most {MAX_RATER_CODE} are allowed"),
        ({"caption_id": "not-a-caption"}, "No caption with the id 'not-a-caption' was shown"),
    ],
)
def test_a_bad_rating_is_refused_with_a_message_and_nothing_is_written(app, change, message):
    caption_id = change.pop("caption_id", None) or describe(app)["caption_id"]
    before = ratings_count(app.db)
    with pytest.raises(gradio_client.exceptions.AppError) as refused:
        rate(app, caption_id, change.pop("rater", None), **change)
    assert message in str(refused.value) and "Nothing was stored." in str(refused.value)
    assert ratings_count(app.db) == before


def test_blind_mode_shows_two_captions_and_stores_which_was_which(app, llm):
    out = describe(app, blind=True)
    assert out["caption_id"] and out["caption_b_id"]
    assert {out["caption"], out["caption_b"]} >= {llm.text} and out["caption"] != out["caption_b"]
    assert out["source"].startswith("**Blind mode**") and SERVER_MODEL not in out["source"]
    assert "caption_source" not in out["record"] and "caption" not in out["record"]
    sql = "SELECT id, position, pair, text, source, model FROM captions WHERE id IN (?, ?)"
    stored = query(app.db, f"{sql} ORDER BY position", out["caption_id"], out["caption_b_id"])
    (a_id, a_pos, a_pair, a_text, *_), (b_id, b_pos, b_pair, b_text, *_) = stored
    assert (a_id, a_pos, a_text) == (out["caption_id"], "A", out["caption"])
    assert (b_id, b_pos, b_text) == (out["caption_b_id"], "B", out["caption_b"])
    assert a_pair == b_pair is not None
    sources = {text: (source, model) for *_, text, source, model in stored}
    assert sources[llm.text] == (f"model {SERVER_MODEL} via 127.0.0.1:{llm.port}", SERVER_MODEL)
    (template,) = set(sources) - {llm.text}
    assert sources[template] == ("offline template", None) and template.startswith("In this")
    rate(app, out["caption_id"], "blind-test", precision=5)
    rate(app, out["caption_b_id"], "blind-test", precision=2)
    assert query(app.db, "SELECT COUNT(*) FROM ratings WHERE rater = 'blind-test'") == [(2,)]


def test_the_clip_is_kept_only_when_asked(app):
    out = describe(app)
    assert query(app.db, "SELECT audio FROM captions WHERE id = ?", out["caption_id"]) == [(None,)]
    kept = describe(app, keep_audio=True)
    ((audio, sha256, duration),) = query(
        app.db, "SELECT audio, clip_sha256, clip_duration FROM captions WHERE id = ?",
        kept["caption_id"],
    )  # fmt: skip
    assert sha256 == clip_sha256(CLIP) and duration == pytest.approx(15.0, abs=0.01)
    assert audio == f"clips/{sha256}.flac"
    assert (app.db.parent / audio).read_bytes() == CLIP.read_bytes()
    assert len(list((app.db.parent / "clips").iterdir())) == 1


def test_no_api_key_and_no_file_name_reach_the_database(app, llm):
    out = describe(app, model="another-model", api_key=VISITOR_KEY)
    assert llm.requests[-1]["headers"]["authorization"] == f"Bearer {VISITOR_KEY}"
    rate(app, out["caption_id"])
    ((model, analysis),) = query(app.db, "SELECT model, analysis FROM captions WHERE id = ?",
                                 out["caption_id"])  # fmt: skip
    assert model == "another-model" and CLIP.name not in analysis
    for path in app.db.parent.glob(app.db.name + "*"):  # the database, its WAL and shared memory
        assert VISITOR_KEY.encode() not in path.read_bytes(), path


def test_restarting_keeps_earlier_ratings(tmp_path):
    db = tmp_path / "class" / "ratings.sqlite3"
    no_ai = "blind mode compares an AI caption with the offline template, but no AI model is"
    for run in ("first", "second"):
        (tmp_path / run).mkdir()
    with AppServer(tmp_path / "first", {"LLM_SSD_DB": str(db)}) as first:
        out = describe(first, blind=True)  # no AI model here: blind mode says why
        assert not out["caption_b_id"] and not out["caption_b"] and no_ai in out["source"]
        rate(first, out["caption_id"], "before")
    with AppServer(tmp_path / "second", {"LLM_SSD_DB": str(db)}) as second:
        assert second.db == db
        rate(second, out["caption_id"], "after")  # the caption registered before is known
    assert query(db, "SELECT rater, caption_id FROM ratings ORDER BY id") == [
        ("before", out["caption_id"]), ("after", out["caption_id"])
    ]  # fmt: skip


def test_results_never_tell_a_blind_rater_which_caption_was_which(tmp_path):
    """Issue 25, case 5: after rating caption A, the Results page's per-source counts grew for
    A's source alone. A blind pair now counts once both its captions are rated."""
    from rating_cases import shown

    from llm_ssd.ratings.store import RatingStore
    from ui.rating import results

    store = RatingStore(tmp_path / "ratings.sqlite3")
    alone = store.register_caption(shown())
    store.rate(alone, GOOD, "7B")
    pair = {"pair": "p1", "clip_sha256": "c" * 64}
    a = store.register_caption(shown("AI", source="model m via h", position="A", **pair))
    b = store.register_caption(shown("Template", position="B", **pair))

    def table() -> list[list[Any]]:
        return results(store, None)[0]

    before = table()
    store.rate(a, GOOD | {"precision": 5}, "7B")
    assert table() == before  # nothing tells which source A was
    store.rate(b, GOOD | {"precision": 1}, "7B")
    counts = {row[0]: row[1:4] for row in table()}  # ratings, clips, blind
    assert counts == {"model m via h": [1, 1, 1], "offline template": [2, 2, 1]}
