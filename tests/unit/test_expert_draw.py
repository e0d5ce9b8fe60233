"""The random draw of an expert panel: R15's conflicts of interest, at their boundaries, and a
draw that its seed reproduces."""
from __future__ import annotations

from datetime import date

import pytest

from app.tic.expert_draw import Applicant, DrawImpossible, PoolExpert, choose, conflict, draw

TODAY = date(2026, 12, 6)
APPLICANT = Applicant.of({
    "applicantOrg": "cotton",
    "leadUnit": {"name": "新疆天棉纺织集团有限公司", "creditCode": "91650100MA77X1234K"},
    "coBuilders": [{"name": "新疆大学"}, {"name": "石河子大学", "creditCode": "12650000458600001X"}],
})


def expert(user_id: str, organization: str = "新疆农业科学院", *, organization_id: str = "xjaas",
           credit_code: str = "", in_region: bool = True, open_reviews: int = 0, fields=("cotton_textile",),
           drawable: bool = True, affiliations=()) -> PoolExpert:
    return PoolExpert(user_id, user_id, organization_id, organization, credit_code, tuple(fields), in_region,
                      drawable, tuple(affiliations), open_reviews)


def test_r15_an_expert_of_the_lead_unit_steps_aside():
    assert "牵头单位" in conflict(expert("e1", "新疆天棉纺织集团有限公司", organization_id="tm"), APPLICANT, TODAY)
    assert "申报单位" in conflict(expert("e2", "别名", organization_id="cotton"), APPLICANT, TODAY)


def test_r15_an_expert_of_a_co_builder_steps_aside_by_name_or_credit_code():
    assert "共建单位" in conflict(expert("e1", "新疆大学", organization_id="xju"), APPLICANT, TODAY)
    assert "共建单位" in conflict(expert("e2", "石大", credit_code="12650000458600001X"), APPLICANT, TODAY)


def test_r15_an_affiliation_left_less_than_three_years_ago_steps_aside():
    left = [{"organization": "新疆大学", "from": "2015-09-01", "to": "2023-12-07"}]

    assert "3 年内曾任职于“新疆大学”" in conflict(expert("e1", affiliations=left), APPLICANT, TODAY)


def test_r15_an_affiliation_left_three_years_ago_to_the_day_may_be_drawn():
    left = [{"organization": "新疆大学", "from": "2015-09-01", "to": "2023-12-06"}]

    assert conflict(expert("e1", affiliations=left), APPLICANT, TODAY) is None


def test_r15_a_current_second_affiliation_steps_aside():
    current = [{"organization": "石河子大学", "from": "2020-01-01", "to": ""}]

    assert conflict(expert("e1", affiliations=current), APPLICANT, TODAY) is not None


def test_an_expert_of_another_unit_may_be_drawn():
    assert conflict(expert("e1", "塔里木大学", organization_id="tarim_u"), APPLICANT, TODAY) is None


POOL = [expert(f"in{n}", open_reviews=n % 3) for n in range(8)] + [
    expert(f"out{n}", "北京纺织科学研究院", organization_id="bj", in_region=False, open_reviews=n % 2)
    for n in range(4)]


def test_the_same_seed_draws_the_same_panel_and_its_candidates_recheck_it():
    first = draw(POOL, APPLICANT, "cotton_textile", 5, 2, "a1b2", TODAY)
    again = draw(POOL, APPLICANT, "cotton_textile", 5, 2, "a1b2", TODAY)

    assert first.chosen == again.chosen
    assert choose(list(first.candidates), 5, 2, first.seed) == first.chosen


def test_the_draw_takes_the_share_from_outside_the_region_and_the_least_busy_first():
    result = draw(POOL, APPLICANT, "cotton_textile", 5, 2, "c3d4", TODAY)

    assert sum(1 for user in result.chosen if user.startswith("out")) == 2
    busy = {e.user_id: e.open_reviews for e in POOL}
    assert max(busy[u] for u in result.chosen if u.startswith("in")) <= 1


def test_seeds_decide_among_equally_busy_experts():
    equal = [expert(f"in{n}") for n in range(10)]

    panels = {draw(equal, APPLICANT, "cotton_textile", 3, 0, seed, TODAY).chosen for seed in ("1", "2", "3", "4")}

    assert len(panels) > 1


def test_conflicted_off_field_and_unavailable_experts_are_left_out_with_why():
    pool = [expert("e1", "新疆大学", organization_id="xju"), expert("e2", fields=("coal",)),
            expert("e3", drawable=False), expert("e4")]

    result = draw(pool, APPLICANT, "cotton_textile", 1, 0, "s", TODAY)

    assert result.chosen == ("e4",)
    assert set(result.excluded) == {"e1", "e2", "e3"} and "共建单位" in result.excluded["e1"]


def test_too_few_experts_is_refused_naming_the_shortfall():
    with pytest.raises(DrawImpossible, match="需要区外 5 人.*符合条件的区外 4 人"):
        draw(POOL, APPLICANT, "cotton_textile", 5, 5, "s", TODAY)


def test_r15_draw_excludes_past_affiliation_within_3_years():
    left = {"exactly": "2023-12-06", "a_day_less": "2023-12-07"}
    pool = [expert(name, affiliations=[{"organization": "石河子大学", "from": "2010-01-01", "to": to}])
            for name, to in left.items()] + [expert(f"x{n}") for n in range(3)]

    result = draw(pool, APPLICANT, "cotton_textile", 4, 0, "seed", TODAY)

    assert "a_day_less" not in result.chosen and "3 年内曾任职于“石河子大学”" in result.excluded["a_day_less"]
    assert "exactly" in result.chosen


def test_r15_draw_excludes_who_declined_or_reviewed_for_this_applicant_in_this_round():
    earlier = {"in1": "本轮已为该申报单位评审", "in2": "本轮已就该申报声明回避或不能参加"}
    applicant = Applicant(APPLICANT.organization_id, APPLICANT.units, tuple(sorted(earlier.items())))

    result = draw(POOL, applicant, "cotton_textile", 4, 1, "seed", TODAY)

    assert {"in1", "in2"}.isdisjoint(result.chosen)
    assert result.excluded["in1"] == earlier["in1"] and result.excluded["in2"] == earlier["in2"]
    assert conflict(expert("in1"), APPLICANT, TODAY) is None
