"""The figures drawn in processes of their own (issue 21): the same pixels as drawn here, in the
page's order, each encoded for the page and the downloads; a pool that breaks costs no figure;
and a drawing process does not run the script that started the app."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from analyses import make_analysis
from app_server import ROOT

from llm_ssd.figures import processes
from llm_ssd.figures.images import DOWNLOAD_FORMAT, PAGE_FORMAT, render
from llm_ssd.figures.panels import SOONEST_FIRST, figure_at

PROCESSES = 2
SCRIPT_WAIT = 120.0
"""Seconds the script that starts drawing processes may take (spawning on a busy machine)."""


@pytest.fixture(scope="module")
def analysis():
    return make_analysis(events={"Birds": 0.9}, paq={"pleasant": 4.5})


def test_each_figure_comes_in_the_page_order_with_the_pixels_drawn_here(analysis):
    drawn = list(processes.drawn(analysis, PROCESSES))
    assert [i for i, _ in drawn] == list(SOONEST_FIRST)
    for i, image in drawn:
        here = render(figure_at(analysis, i))
        np.testing.assert_array_equal(image.rgba, here.rgba)
        assert set(image.files) == {PAGE_FORMAT}  # encoded over there for the page
        assert image.encoded(DOWNLOAD_FORMAT) == here.encoded(DOWNLOAD_FORMAT)


def test_a_broken_pool_costs_no_figure_and_the_next_clip_gets_a_new_one(analysis, caplog):
    processes.send(PROCESSES, os._exit, 1).exception()  # a drawing process dies
    with caplog.at_level(logging.WARNING):
        drawn = list(processes.drawn(analysis, PROCESSES))
    assert sorted(i for i, _ in drawn) == sorted(SOONEST_FIRST)
    assert "The drawing processes failed" in caplog.text
    again = processes.send(PROCESSES, os.getpid).result()
    assert again != os.getpid()  # drawn elsewhere again, by a pool started afresh


def test_a_drawing_process_does_not_run_the_apps_script(tmp_path):
    """`python app.py` would be imported again by each spawned process (the whole app, half a
    gigabyte); the script here counts how often its top level runs."""
    runs = tmp_path / "runs.txt"
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(f"""
        import os
        with open({str(runs)!r}, "a") as f:
            f.write(f"{{os.getpid()}}\\n")
        if __name__ == "__main__":
            from analyses import make_analysis
            from llm_ssd.figures import processes
            processes.warm({PROCESSES})
            print(sum(1 for _ in processes.drawn(make_analysis(), {PROCESSES})))
            print(sorted({{processes.send({PROCESSES}, os.getpid).result() for _ in range(8)}}))
    """)
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=SCRIPT_WAIT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    figures, pids = done.stdout.split("\n")[:2]
    assert figures == "5"
    ran = runs.read_text().split()
    assert len(ran) == 1  # the script's own process only
    assert ran[0] not in pids.strip("[]").split(", ")  # the figures were drawn in others


GONE_WAIT = 30.0
"""Seconds the drawing processes of a killed app may take to notice and end."""


def test_the_drawing_processes_end_when_the_app_is_killed(tmp_path):
    """An app stopped by SIGKILL (or SIGTERM, which runs no clean-up) left its drawing processes
    waiting for work for ever, 380 MB each: a day of restarts would fill the machine."""
    script = tmp_path / "app.py"
    script.write_text(
        textwrap.dedent(f"""
        import os
        from llm_ssd.figures import processes
        pids = {{processes.send({PROCESSES}, os.getpid).result() for _ in range(8)}}
        print(" ".join(map(str, sorted(pids))), flush=True)
        os._exit(9)  # gone without clean-up
    """)
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "pids.txt"
    with out.open("w") as stdout:  # a file: a pipe would stay open in the processes left behind
        code = subprocess.run([sys.executable, str(script)], env=env, stdout=stdout,
                              timeout=SCRIPT_WAIT, check=False).returncode  # fmt: skip
    assert code == 9
    pids = [int(pid) for pid in out.read_text().split()]
    assert pids
    deadline = time.monotonic() + GONE_WAIT
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.2)
    assert not [pid for pid in pids if alive(pid)], "drawing processes outlived their app"


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie, ended but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
