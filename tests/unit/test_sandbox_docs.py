"""docs/sandbox.md stays true to the code it describes."""

from __future__ import annotations

from pathlib import Path

from homeport.sandbox import codes, scenarios

DOC = Path(__file__).resolve().parents[2] / "docs" / "sandbox.md"


def test_the_scenario_table_in_the_docs_is_the_one_in_scenarios_py() -> None:
    """scenarios.py's docstring is the source; docs/sandbox.md carries a verbatim copy."""
    source = scenarios.__doc__ or ""
    start = source.index("| trigger")
    table = source[start : source.index("\n\n", start)]

    assert table in DOC.read_text(encoding="utf-8")


def test_every_result_code_is_documented_as_known_or_a_sandbox_pick() -> None:
    """Each code in codes.py has its row, saying whether KCP uses it or the sandbox chose it."""
    text = DOC.read_text(encoding="utf-8")
    for code in (c for c in vars(codes).values() if isinstance(c, codes.Code)):
        kind = "known (seen in KCP material)" if code.known else "sandbox pick"
        row = f"| `{code.res_cd}` | {code.res_msg} | {code.res_en_msg} | {kind} |"
        assert row in text, f"docs/sandbox.md lacks: {row}"
