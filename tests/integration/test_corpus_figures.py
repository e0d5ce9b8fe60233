"""The README's figures for the interop corpus (issue 15) are what deploying it gives: every
BPMN file deploys or is refused with each problem located (file, line, element) and naming
the feature; none crashes or is refused in the engine library's own words."""
from __future__ import annotations

import re
from pathlib import Path

from tests.support.corpus import (
    DESCRIPTIVE, FAILED, OUTCOMES, REFUSED, START_VARIABLES, STARTED_WITH_VARIABLES, bpmn_files, counts,
    deploy_corpus, feature_counts,
)

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "### Camunda models (`../shared/corpus`)"


def readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    assert HEADING in text, f"README has no section {HEADING}"
    return text.split(HEADING, 1)[1].split("\n#", 1)[0]


def readme_rows() -> dict[str, int]:
    """Every `| label | number |` row of the README's corpus section."""
    return {label.strip(): int(number)
            for label, number in re.findall(r"^\| ([^|]+) \| (\d+) \|$", readme_section(), re.M)}


def readme_refused_files() -> set[str]:
    """The files of the README's table that says why each refused file stays refused."""
    return set(re.findall(r"^\| (\S+\.bpmn) \| [^|]+ \|$", readme_section(), re.M))


def test_every_corpus_file_deploys_or_is_refused_located_naming_the_feature_as_the_readme_says(ctx):
    assert len(bpmn_files()) == 57, "the corpus has 57 BPMN files"
    outcomes = deploy_corpus(ctx)
    found = counts(outcomes)
    assert found[FAILED] == 0, [(o.path, o.problems) for o in outcomes if o.outcome == FAILED]
    assert found[DESCRIPTIVE] == 29
    for outcome in (o for o in outcomes if o.outcome == REFUSED):
        assert all(re.search(r"[\u4e00-\u9fff]", problem["message"]) for problem in outcome.problems), outcome
        assert not any(feature.startswith("other") for feature in outcome.features), outcome

    assert {o.path for o in outcomes if o.outcome == STARTED_WITH_VARIABLES} == set(START_VARIABLES)
    assert readme_refused_files() == {o.path for o in outcomes if o.outcome == REFUSED}

    shown = readme_rows()
    assert {outcome: shown.get(outcome) for outcome in OUTCOMES} == found
    assert {feature: shown.get(feature) for feature in feature_counts(outcomes)} == dict(feature_counts(outcomes))
