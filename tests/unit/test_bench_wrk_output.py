"""The benchmark harness reads wrk's output as bench/wrk.lua prints it (nothing is timed here)."""

from __future__ import annotations

import pytest

from bench.loadgen import WrkResult, parse_output
from bench.processes import BenchError
from bench.report import Comparison, Measurement

#: What wrk printed in a real run: its own summary, then the lines of wrk.lua's done().
SAMPLE = """\
Running 3s test @ http://127.0.0.1:18900
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   240.02ms   45.10ms 377.69ms   70.12%
    Req/Sec   134.21     30.07   190.00     66.67%
  652 requests in 5.01s, 840.34KB read
  Non-2xx or 3xx responses: 2
Requests/sec:    130.03
Transfer/sec:    167.59KB
WRK_JSON {"requests":652,"duration_us":5014121,"bytes":860507,"connect_errors":0,"read_errors":1,\
"write_errors":0,"status_errors":2,"timeouts":3,"unexpected":2,"mean_us":240020.9,"p50_us":235248,\
"p90_us":300861,"p99_us":354667,"max_us":377691}
WRK_UNEXPECTED 404 {"code":-1,"message":"요청하신 API가 존재하지 않습니다: POST /subscribe/payments/again"}
"""


def test_the_figures_and_the_first_unexpected_answer_are_read_from_the_script_lines() -> None:
    result = parse_output(SAMPLE)

    assert (result.requests, result.p50_us, result.p90_us, result.p99_us, result.max_us) == (
        652,
        235248,
        300861,
        354667,
        377691,
    )
    assert result.rate == pytest.approx(652 / 5.014121)
    assert result.errors == 4  # socket errors and timeouts
    assert result.unexpected == 2
    assert result.first_unexpected is not None
    assert result.first_unexpected.startswith("404 ")


def test_output_without_the_script_figures_is_an_error_not_zeros() -> None:
    with pytest.raises(BenchError, match="wrk printed no figures"):
        parse_output("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_ratios_are_homeport_over_baseline() -> None:
    base = parse_output(SAMPLE)
    faster = WrkResult(**{**base.__dict__, "requests": base.requests * 10, "p50_us": base.p50_us // 10})
    comparison = Comparison(
        "sqlite",
        "GET /payments/{imp_uid}",
        Measurement("baseline", faster, {}),
        Measurement("homeport", base, {}),
    )

    ratios = comparison.ratios()

    assert ratios["throughput"] == pytest.approx(0.1)
    assert ratios["p50"] == pytest.approx(base.p50_us / (base.p50_us // 10))
