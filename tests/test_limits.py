"""One definition of each bound: the app's ranges and caps are bigram.limits' (ui/ imports them)."""

from bigram import limits


def test_the_app_and_the_command_line_have_the_same_ranges():
    from ui import state, training, wordlists

    assert state.SMOOTHING_MAX == limits.SMOOTHING_MAX
    assert state.SAMPLE_MAX == limits.SAMPLE_MAX
    assert state.MAX_LEN_MAX == limits.MAX_LEN_MAX
    assert (state.LR_MIN, state.LR_MAX) == (limits.LR_MIN, limits.LR_MAX)
    assert state.STEPS_MAX == limits.STEPS_MAX
    assert state.REG_MAX == limits.REG_MAX
    for key, lo, hi in (("seed", 0, limits.SEED_MAX), ("temperature", limits.TEMPERATURE_MIN, limits.TEMPERATURE_MAX)):
        parse = state.SETTINGS[key].parse
        assert parse(str(lo)) == lo and parse(str(hi)) == hi
    assert training.DENSE_MAX_ELEMENTS == limits.DENSE_MAX_ELEMENTS
    assert (wordlists.UPLOAD_MAX_WORDS, wordlists.UPLOAD_MAX_VOCAB, wordlists.UPLOAD_MAX_WORD_LEN) == (
        limits.UPLOAD_MAX_WORDS,
        limits.UPLOAD_MAX_VOCAB,
        limits.UPLOAD_MAX_WORD_LEN,
    )


def test_model_files_are_capped_like_uploaded_lists():
    from bigram import modelfile, ngram

    assert limits.MODEL_MAX_SYMBOLS == limits.UPLOAD_MAX_VOCAB
    assert ngram.MAX_CELLS == limits.NGRAM_MAX_CELLS == limits.MODEL_MAX_CELLS
    assert modelfile.MAX_FILE_BYTES == limits.MODEL_FILE_MAX_BYTES
