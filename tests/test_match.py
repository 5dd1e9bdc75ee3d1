"""Title matching: exact on the folded key, then similarity without all-pairs comparison."""

from sitegen.match import TitleIndex, title_key


def test_exact_match_ignores_spelling_and_punctuation() -> None:
    index: TitleIndex[str] = TitleIndex()
    index.add("هل بايدن حي؟.. إيلون ماسك يثير ضجة بسبب الرئيس الأمريكي", "biden")
    assert index.lookup("هل بايدن حي.. ايلون ماسك يثير ضجه بسبب الرئيس الامريكي") == "biden"


def test_fuzzy_match_tolerates_a_changed_word_but_not_a_different_title() -> None:
    index: TitleIndex[str] = TitleIndex()
    index.add("نواب ديموقراطيون يتهمون الجمهوريين بحماية استثمارات إيلون ماسك في الصين", "a")
    index.add("إيلون ماسك ينشر صورة لحساب المهاجم الألماني على X", "b")
    assert index.lookup("نواب ديمقراطيون يتهمون الجمهوريين بحماية استثمارات إيلون ماسك في الصين") == "a"
    assert index.lookup("إيلون ماسك يهاجم المستشار الألماني ويصفه بـ أحمق وغير كفء") is None


def test_first_added_wins_for_equal_keys() -> None:
    index: TitleIndex[str] = TitleIndex()
    index.add("عنوان واحد", "first")
    index.add("عنوانٌ واحد", "second")
    assert index.lookup("عنوان واحد") == "first"
    assert len(index) == 1


def test_title_key_drops_punctuation() -> None:
    assert title_key("«صداقة» بطعم العداوة..") == "صداقه بطعم العداوه"


def test_fuzzy_lookup_among_100000_similar_titles() -> None:
    """Titles sharing all their common words: the rare word must still find the right one
    (common words are skipped as candidate sources, so this is not an all-pairs scan)."""
    index: TitleIndex[int] = TitleIndex()
    for i in range(100_000):
        index.add(f"ترامب يعلن خطة جديدة رقم{i} في الصين", i)
    for i in range(0, 100_000, 5000):
        assert index.lookup(f"ترامب يعلن خطة جديده رقم{i} فى الصين") == i
        assert index.lookup(f"ترامب يعلن خطة رقم{i} في الصين") == i  # one word dropped


def test_exact_lookup_skips_the_similarity_search() -> None:
    index: TitleIndex[str] = TitleIndex()
    index.add("نواب ديموقراطيون يتهمون الجمهوريين بحماية استثمارات إيلون ماسك في الصين", "a")
    assert index.exact("نواب ديموقراطيون يتهمون الجمهوريين بحماية استثمارات ايلون ماسك في الصين") == "a"
    assert index.exact("نواب ديمقراطيون يتهمون الجمهوريين بحماية استثمارات إيلون ماسك في الصين") is None
