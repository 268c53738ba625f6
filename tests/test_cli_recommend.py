"""`framework-advisor recommend`: a table or JSON, from flags, a file or stdin, local or remote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import EXIT_INVALID_INPUT, cli
from app.engine.result import Recommendation

FLAGS = ["--type", "saas", "--must", "admin_panel", "--team-size", "6", "--knows", "flask"]


@pytest.fixture(params=["local", "url"])
def where(request: pytest.FixtureRequest, database_url: str, live_server: str) -> list[str]:
    """Options that point the command at the session database, or at a live service on it."""
    return [] if request.param == "local" else ["--url", live_server]


def _run(args: list[str], database_url: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, ["recommend", *args], env={"DATABASE_URL": database_url}, input=stdin
    )
    return result.exit_code, result.stdout, result.stderr


def test_json_output_is_a_valid_recommendation(where: list[str], database_url: str) -> None:
    code, out, err = _run([*FLAGS, *where, "--json"], database_url)
    assert code == 0, err
    answer = Recommendation.model_validate_json(out)
    assert answer.recommendations[0].rank == 1
    assert answer.recommendations  # scored against the loaded knowledge base


def test_the_table_lists_the_first_pick_first(where: list[str], database_url: str) -> None:
    code, out, err = _run([*FLAGS, *where, "--json"], database_url)
    assert code == 0, err
    answer = Recommendation.model_validate_json(out)
    code, table, err = _run([*FLAGS, *where], database_url)
    assert code == 0, err
    rows = [line for line in table.splitlines() if line.startswith("│")]
    first = rows[0].split("│")
    assert first[1].strip() == "1"
    assert first[2].strip() == answer.recommendations[0].name
    assert first[3].strip() == f"{answer.recommendations[0].score:.1f}"
    decision = next(line for line in table.splitlines() if line.startswith("Decision:"))
    assert decision.startswith(f"Decision: {answer.recommendations[0].name}, confidence")


def test_a_profile_from_a_file_or_stdin_gives_the_same_answer(
    tmp_path: Path, database_url: str
) -> None:
    profile = {
        "project_type": "saas",
        "features": {"admin_panel": "must"},
        "team": {"size": 6, "known_frameworks": ["flask"]},
    }
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile), encoding="utf-8")
    from_flags = Recommendation.model_validate_json(_run([*FLAGS, "--json"], database_url)[1])
    from_file = Recommendation.model_validate_json(_run([str(path), "--json"], database_url)[1])
    from_stdin = Recommendation.model_validate_json(
        _run(["-", "--json"], database_url, stdin=json.dumps(profile))[1]
    )
    assert from_file == from_flags
    assert from_stdin == from_flags


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "spaceship"], "project_type: Input should be"),
        (["--type", "api", "--must", "nope"], "features.nope: unknown feature 'nope'"),
        (["--type", "api", "--team-size", "0"], "team.size: Input should be greater than"),
    ],
    ids=["bad-enum", "unknown-feature", "out-of-range"],
)
def test_invalid_input_exits_2_with_the_problem(
    where: list[str], database_url: str, args: list[str], message: str
) -> None:
    code, out, err = _run([*args, *where], database_url)
    assert code == EXIT_INVALID_INPUT
    assert out == ""
    assert err.startswith("error: ")
    assert message in err


def test_no_profile_at_all_exits_2(database_url: str) -> None:
    code, _, err = _run([], database_url)
    assert code == EXIT_INVALID_INPUT
    assert "give a profile" in err


def test_a_file_that_is_not_json_exits_2(tmp_path: Path, database_url: str) -> None:
    path = tmp_path / "profile.json"
    path.write_text("{nope", encoding="utf-8")
    code, _, err = _run([str(path)], database_url)
    assert code == EXIT_INVALID_INPUT
    assert "not valid JSON" in err
