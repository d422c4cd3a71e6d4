"""utils.benchmark: the timing plumbing (the shipped models' latencies are measured, not tested)."""

from __future__ import annotations

import json
import threading
import time

import pytest

from utils import benchmark


def test_time_call_reports_order_statistics():
    calls = []
    result = benchmark.time_call(lambda: calls.append(1), repeats=20, warmup=3)
    assert len(calls) == 23
    assert result["repeats"] == 20
    assert 0 <= result["median_ms"] <= result["p90_ms"]
    assert result["mean_ms"] >= 0


def test_time_call_separates_cpu_time_from_waiting():
    result = benchmark.time_call(lambda: time.sleep(0.01), repeats=5, warmup=1)
    assert result["median_ms"] >= 10 > result["median_cpu_ms"] + 5  # sleeping costs no CPU
    assert len(result["load_average"]) == 2 and min(result["load_average"]) >= 0


def test_a_registered_benchmark_prints_one_json_line(monkeypatch, capsys):
    monkeypatch.setattr(benchmark, "single_thread", lambda: None)
    monkeypatch.setitem(benchmark.BENCHMARKS, "toy", lambda: ("a no-op", lambda: None))
    results = benchmark.main(["toy", "--repeats", "5"])
    printed = json.loads(capsys.readouterr().out.strip())
    assert printed == results[0]
    assert printed["benchmark"] == "toy" and printed["threads"] == 1 and printed["repeats"] == 5


def test_unknown_benchmark_is_rejected():
    with pytest.raises(SystemExit):
        benchmark.main(["no-such-model"])


def test_work_left_to_a_thread_counts_in_cpu_per_call_not_in_the_wait():

    def busy(seconds: float = 0.02) -> None:
        end = time.process_time() + seconds  # CPU, so a loaded machine cannot shorten it
        while time.process_time() < end:
            pass

    def answer_then_work() -> None:
        threading.Thread(target=busy).start()

    result = benchmark.time_call(answer_then_work, repeats=5, warmup=1, interval=0.1)
    assert result["interval_s"] == 0.1 and result["cpu_per_call_ms"] >= 15
    assert result["median_cpu_ms"] < result["cpu_per_call_ms"] - 10
