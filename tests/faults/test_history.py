"""The history checker on small hand-made histories: it finds each kind of fault it claims to,
and passes a clean history."""
from history import DeadLetter, History, Record, evaluate


def clean_history(**changes) -> History:
    """Two partitions, five users, one dead-lettered record; everything stored and committed."""
    records = [Record(0, 0, "a", "a"), Record(0, 1, "b", "b"), Record(1, 0, "c", "c"),
               Record(1, 1, "bad", None), Record(1, 2, "d", "d"), Record(0, 2, "e", "e")]
    history = History(served={"a", "b", "c", "d", "e"}, published=[5], records=records,
                      dead_letters=[DeadLetter(1, 1, "not_json")], sink_ids=["a", "b", "c", "d", "e"],
                      committed={0: 3, 1: 3})
    for name, value in changes.items():
        setattr(history, name, value)
    return history


def test_a_clean_history_is_clean():
    verdict = evaluate(clean_history())
    assert verdict.figures() == (0, 0, 0) and verdict.clean, verdict
    assert verdict.topic_duplicates == verdict.unserved == verdict.phantom_rows == 0


def test_a_record_neither_stored_nor_dead_lettered_is_lost():
    verdict = evaluate(clean_history(sink_ids=["a", "b", "c", "e"], committed={0: 3, 1: 2}))
    assert verdict.lost == 1 and verdict.details["not_stored"] == [(1, 2, "d")]
    assert verdict.committed_ahead == 0 and not verdict.clean


def test_an_acknowledged_user_missing_from_the_topic_is_lost():
    verdict = evaluate(clean_history(published=[4, 2]))
    assert verdict.lost == 1 and verdict.details["acknowledged_not_in_topic"]


def test_an_unserved_id_in_the_topic_does_not_count_as_an_acknowledged_one():
    records = clean_history().records + [Record(0, 3, "zz", "zz")]
    verdict = evaluate(clean_history(published=[6], records=records, sink_ids=["a", "b", "c", "d", "e", "zz"],
                                     committed={0: 4, 1: 3}))
    assert verdict.unserved == 1 and verdict.lost == 1


def test_a_dead_letter_for_another_offset_does_not_place_a_record():
    verdict = evaluate(clean_history(dead_letters=[DeadLetter(1, 0, "not_json")]))
    assert verdict.lost == 1 and verdict.committed_ahead == 1
    assert verdict.details["committed_unplaced"] == [(1, 1, None, 3)]


def test_two_rows_for_one_id_are_a_duplicate():
    verdict = evaluate(clean_history(sink_ids=["a", "b", "c", "d", "e", "c"]))
    assert verdict.duplicated == 1 and verdict.details["duplicate_rows"] == [("c", 2)]


def test_a_commit_past_a_record_that_is_not_safe_is_committed_ahead():
    # Not drained: the stream was killed, so unstored records past the commit are fine …
    history = clean_history(sink_ids=["a", "b"], committed={0: 2, 1: 0}, drained=False)
    assert evaluate(history).figures() == (0, 0, 0)
    # … but a commit covering one is not.
    verdict = evaluate(clean_history(sink_ids=["a", "b"], committed={0: 3, 1: 0}, drained=False))
    assert verdict.committed_ahead == 1 and verdict.details["committed_unplaced"] == [(0, 2, "e", 3)]


def test_a_commit_past_the_end_of_the_partition_is_committed_ahead():
    verdict = evaluate(clean_history(committed={0: 5, 1: 3}))
    assert verdict.committed_ahead == 2 and verdict.details["committed_past_end"] == [(0, 5, 3)]


def test_topic_duplicates_and_phantom_rows_are_reported_apart_from_the_three_figures():
    records = clean_history().records + [Record(0, 3, "a", "a")]
    verdict = evaluate(clean_history(records=records, sink_ids=["a", "b", "c", "d", "e", "x"], committed={0: 4, 1: 3}))
    assert verdict.topic_duplicates == 1 and verdict.phantom_rows == 1
    assert verdict.figures() == (0, 0, 0)
