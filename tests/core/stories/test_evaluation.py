"""The story evaluation (python -m monitor.evaluate --stories) polls the labelled dev feeds and scores them."""

from __future__ import annotations

from pathlib import Path

from monitor.evaluate import main
from monitor.evaluate_stories import bcubed, evaluate_stories


def test_bcubed_scores_a_merge_and_a_split() -> None:
    gold = {"a": 1, "b": 1, "c": 2}
    assert bcubed({"a": "x", "b": "x", "c": "y"}, gold).f1 == 1.0
    merged = bcubed({"a": "x", "b": "x", "c": "x"}, gold)
    assert merged.recall == 1.0 and abs(merged.precision - (2 / 3 * 2 + 1 / 3) / 3) < 1e-9
    split = bcubed({"a": "x", "b": "y"}, gold)  # c is missing: alone
    assert split.precision == 1.0 and abs(split.recall - (0.5 + 0.5 + 1) / 3) < 1e-9


def test_the_dev_set_groups_into_its_stories(shared_dir: Path, capsys, database: str | None) -> None:  # type: ignore[no-untyped-def]
    """On both engines: a local profile, and the session's PostgreSQL (--database)."""
    dev = shared_dir / "eval" / "stories-dev"
    result = evaluate_stories(dev, database)
    assert not result.missing
    assert result.stories.f1 >= 0.95, (result.merges, result.splits)
    if database is None:
        assert main(["--stories", "--dev", str(dev)]) == 0
        assert "stories  B-cubed precision" in capsys.readouterr().out
    else:  # the run left its articles there: a second one is refused in words
        assert main(["--stories", "--dev", str(dev), "--database", database]) == 2
        assert "needs an empty one" in capsys.readouterr().err
