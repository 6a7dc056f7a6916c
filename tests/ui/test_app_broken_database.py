"""The app with a ratings database it cannot use (issue 22, acceptance 1 and 2): it starts and
describes clips, says once in its log (one line, no traceback) and on the rating form and the
Results page why ratings are off, never with the server's path, and a rating given meanwhile is
refused saying it was not stored."""

from __future__ import annotations

import urllib.request

import gradio as gr
import pytest
from app_server import ROOT, AppServer
from broken_databases import BROKEN, snapshot
from rating_cases import GOOD, shown

from llm_ssd.ratings.store import RatingStore
from ui.rating import rate_endpoint, results

gradio_client = pytest.importorskip("gradio_client")
CLIP = ROOT / "examples" / "park_birdsong.flac"


@pytest.mark.slow
@pytest.mark.parametrize("case", ["corrupt", "newer"])
def test_a_broken_database_turns_ratings_off_and_nothing_else(tmp_path, case):
    db = BROKEN[case](tmp_path / "not-a-database")
    before = snapshot(db)
    with AppServer(tmp_path, {"LLM_SSD_DB": str(db)}) as app:
        client = gradio_client.Client(app.url, verbose=False)
        out = client.predict(audio=gradio_client.handle_file(str(CLIP)), api_name="/describe")
        *_, caption_id, caption_b_id, _downloads, record, caption, _source = out
        assert record["scene"] and caption and caption_id == caption_b_id == ""
        with pytest.raises(gradio_client.exceptions.AppError) as refused:
            client.predict("0123456789abcdef", *GOOD.values(), "7B", api_name="/rate")
        said = str(refused.value)
        assert "Your rating was not stored" in said and "Ratings are off" in said
        config = urllib.request.urlopen(app.url + "config", timeout=30).read().decode()
        assert config.count("Ratings are off") >= 2  # the rating form and the Results page
        log = app.log()
    for text in (said, config):
        assert str(db) not in text and str(tmp_path) not in text
    off = [line for line in log.splitlines() if "ratings are off" in line]
    assert len(off) == 1 and str(db) in off[0] and "Traceback" not in log
    assert snapshot(db) == before


@pytest.mark.parametrize("case", list(BROKEN))
@pytest.mark.parametrize("when", ["at start", "while in use"])
def test_the_rate_message_and_results_never_show_the_servers_path(tmp_path, case, when):
    """Issue 25, case 14: every file-level fault, found when the app starts or appearing while
    it runs, reaches the rate message and the Results page in words without the path."""
    db = tmp_path / "ratings.sqlite3"
    if when == "at start":
        store = RatingStore(BROKEN[case](db), tolerate=True)
        caption_id = "0123456789abcdef"
    else:
        store = RatingStore(db)
        caption_id = store.register_caption(shown())
        for path in tmp_path.glob("ratings.sqlite3*"):  # broken behind the store's back
            path.unlink()
        BROKEN[case](db)
    _table, _plot, _codes, notice = results(store, None)
    with pytest.raises(gr.Error) as refused:
        rate_endpoint(store)(caption_id, *GOOD.values(), "7B")
    said = refused.value.message
    assert "Your rating was not stored" in said and "Ratings are off" in notice
    assert str(tmp_path) not in said + notice and "Traceback" not in said + notice
