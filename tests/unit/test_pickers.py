"""A long list's picker holds the first PICKER_LIMIT options and keeps the one chosen beyond them."""

from ksln_ui.pickers import PICKER_LIMIT, capped


def test_a_long_list_is_cut_and_a_choice_beyond_the_cut_stays_in_front():
    options = list(range(PICKER_LIMIT * 3))
    assert capped(options, None) == options[:PICKER_LIMIT]
    assert capped(options, 5) == options[:PICKER_LIMIT]  # already among them: not twice
    assert capped(options, PICKER_LIMIT + 7) == [PICKER_LIMIT + 7, *options[:PICKER_LIMIT]]
    assert capped(options, -1) == options[:PICKER_LIMIT]  # not in the list (no longer matching a search): dropped


def test_a_short_list_is_offered_whole():
    assert capped(["a", "b"], "b") == ["a", "b"]
    assert capped([], None) == []
