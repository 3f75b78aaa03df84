"""Field scores of the announcement parser on tiny hand-computed fixtures."""

from __future__ import annotations

import math

import pytest

from recommender.bizinfo.metrics import field_scores, items, same_number


def test_items_treat_blank_and_the_wildcard_as_no_restriction():
    assert items("a;b") == {"a", "b"}
    assert items("*") == items("") == items(None) == items(float("nan")) == frozenset()


def test_numbers_agree_within_one_percent_of_the_label_and_blanks_agree_with_blanks():
    assert same_number(20.1, 20) and not same_number(20.5, 20)
    assert same_number(None, "") and not same_number(5, "")
    assert same_number("0", 0) and not same_number(0.1, 0)


def test_set_scores_compare_whole_sets_and_count_items_for_precision_and_recall():
    truth = ["seoul", "*", "busan;ulsan", "*"]
    guess = ["seoul", "daegu", "busan", "*"]
    s = field_scores(truth, guess, kind="set")
    assert s["n"] == 4
    assert s["accuracy"] == pytest.approx(2 / 4)  # rows 1 and 4
    assert s["precision"] == pytest.approx(2 / 3)  # seoul, busan right; daegu wrong
    assert s["recall"] == pytest.approx(2 / 3)  # ulsan missed
    assert s["coverage"] == pytest.approx(3 / 4) and s["labelled"] == pytest.approx(2 / 4)


def test_number_scores_report_the_share_right_where_a_value_was_read():
    truth = ["50", "", "200", "3"]
    guess = [50.2, None, None, 30]
    s = field_scores(truth, guess, kind="number")
    assert s["accuracy"] == pytest.approx(2 / 4)  # 50.2 ~ 50, blank = blank
    assert s["coverage"] == pytest.approx(2 / 4)
    assert s["correct_where_read"] == pytest.approx(1 / 2)  # 30 is not 3


def test_label_scores_count_blank_false_and_other_as_nothing_read():
    s = field_scores(["grant", "", "loan"], ["grant", None, "grant"], kind="label")
    assert s["accuracy"] == pytest.approx(2 / 3) and s["coverage"] == pytest.approx(2 / 3)
    flags = field_scores(["true", "false"], ["false", "false"], kind="label")
    assert flags["accuracy"] == 0.5 and flags["coverage"] == 0 and flags["labelled"] == 0.5


def test_nothing_to_score_gives_nan_not_a_made_up_figure():
    s = field_scores(["*"], ["*"], kind="set")
    assert math.isnan(s["precision"]) and math.isnan(s["recall"]) and s["accuracy"] == 1
    assert math.isnan(field_scores([""], [None], kind="number")["correct_where_read"])


def test_misaligned_inputs_and_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="2 labels but 1"):
        field_scores(["a", "b"], ["a"], kind="set")
    with pytest.raises(ValueError, match="kind"):
        field_scores(["a"], ["a"], kind="fuzzy")
