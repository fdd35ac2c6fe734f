"""The matcher: distorted spellings that must be found, innocent texts that must not."""

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contraband.matching import Distortion, Matcher, TermIndex

# (text as the seller wrote it, term expected, distortion class, a transform expected)
FOUND = [
    ("vape", "vape", Distortion.NONE, None),
    ("VAPE Kit", "vape", Distortion.NONE, "case_folded"),
    ("vapé", "vape", Distortion.NONE, "accents_removed"),
    ("ｖａｐｅ", "vape", Distortion.DELIBERATE, "styled_letters"),
    ("𝐯𝐚𝐩𝐞", "vape", Distortion.DELIBERATE, "styled_letters"),
    ("ⓥⓐⓟⓔ", "vape", Distortion.DELIBERATE, "styled_letters"),
    ("va\u200bpe", "vape", Distortion.DELIBERATE, "invisible_removed"),
    ("v\u00adape", "vape", Distortion.DELIBERATE, "invisible_removed"),
    ("v\u202eape", "vape", Distortion.DELIBERATE, "invisible_removed"),
    ("vаpе", "vape", Distortion.DELIBERATE, "lookalike_folded"),  # Cyrillic а, е
    ("ѵаре", "vape", Distortion.DELIBERATE, "lookalike_folded"),  # all Cyrillic
    ("v4pe", "vape", Distortion.DELIBERATE, "leetspeak"),
    ("v@p3", "vape", Distortion.DELIBERATE, "leetspeak"),
    ("her0in", "heroin", Distortion.DELIBERATE, "leetspeak"),
    ("h3r01n", "heroin", Distortion.DELIBERATE, "leetspeak"),
    ("a1cohol", "alcohol", Distortion.DELIBERATE, "leetspeak"),  # 1 read as l
    ("c0ca1ne", "cocaine", Distortion.DELIBERATE, "leetspeak"),  # 1 read as i
    ("5ildenafil", "sildenafil", Distortion.DELIBERATE, "leetspeak"),
    ("v.a.p.e", "vape", Distortion.DELIBERATE, "separators_joined"),
    ("v a p e", "vape", Distortion.DELIBERATE, "separators_joined"),
    ("v-a-p-e", "vape", Distortion.DELIBERATE, "separators_joined"),
    ("v_a_p_e", "vape", Distortion.DELIBERATE, "separators_joined"),
    ("v*a*p*e", "vape", Distortion.DELIBERATE, "separators_joined"),
    ("v·a·p·e", "vape", Distortion.DELIBERATE, "separators_joined"),
    ("c b d oil", "cbd", Distortion.DELIBERATE, "separators_joined"),
    ("vaaaape", "vape", Distortion.DELIBERATE, "stretched_letters"),
    ("vappe", "vape", Distortion.DELIBERATE, "stretched_letters"),
    ("sildenafile", "sildenafil", Distortion.TYPO, "misspelling"),
    ("sildelafile", "sildenafil", Distortion.TYPO, "misspelling"),
    ("sildneafil", "sildenafil", Distortion.TYPO, "misspelling"),  # transposition
    ("cocaien", "cocaine", Distortion.TYPO, "misspelling"),
    ("crosbow", "crossbow", Distortion.TYPO, "misspelling"),
    ("e cig arette", "e-cigarette", Distortion.DELIBERATE, "split_word_joined"),
    # a compound written as its two everyday words is an honest spelling; other splits are not
    ("cross bow", "crossbow", Distortion.NONE, "run_together_split"),
    ("cros sbow", "crossbow", Distortion.DELIBERATE, "split_word_joined"),
    ("va pe", "vape", Distortion.DELIBERATE, "split_word_joined"),
    ("ALCOHOI", "alcohol", Distortion.DELIBERATE, "lookalike_folded"),  # capital I for l
    ("vapepen", "vape pen", Distortion.NONE, "run_together_split"),
    ("e-cigarette", "e-cigarette", Distortion.NONE, None),
    ("E Cigarette", "e-cigarette", Distortion.NONE, "case_folded"),
    ("ecigarette", "e-cigarette", Distortion.NONE, "run_together_split"),
    ("laser-pointer", "laser pointer", Distortion.NONE, None),
    ("l4ser p0inter", "laser pointer", Distortion.DELIBERATE, "leetspeak"),
    ("laaaser pointer", "laser pointer", Distortion.DELIBERATE, "stretched_letters"),
    ("\\/4pe", "vape", Distortion.DELIBERATE, "leetspeak"),  # SpamAssassin's \\/ for v
    ("><anax", "xanax", Distortion.DELIBERATE, "leetspeak"),
    ("rnethadone", "methadone", Distortion.DELIBERATE, "leetspeak"),  # rn for m
    ("kn?fe, x@n@x", "xanax", Distortion.DELIBERATE, "leetspeak"),
    ("9la$5 80ng", "glass bong", Distortion.DELIBERATE, "leetspeak"),  # digits read in context
    ("d@b r!9", "dab rig", Distortion.DELIBERATE, "leetspeak"),  # one letter left: r|9
    ("dab r19", "dab rig", Distortion.TYPO, "digits_read_as_letters"),  # a model code? review
    ("d!e", None, None, None),  # a symbol between two letters is a letter, not a separator
    ("dab rjg", "dab rig", Distortion.TYPO, "misspelling"),  # a short word, in context
    ("go ld bars", "gold bars", Distortion.DELIBERATE, "split_word_joined"),
    ("!!!VAPE!!!", "vape", Distortion.NONE, "case_folded"),
    ("@bd", "cbd", Distortion.DELIBERATE, "leetspeak"),  # SpamAssassin: @ for c, as for a
    ("AR15 lower receiver", "ar-15 lower receiver", Distortion.NONE, "run_together_split"),
    ("AR1S lower receiver", "ar-15 lower receiver", Distortion.DELIBERATE, "leetspeak"),
    ("5MeO-DMT", "5-meo-dmt", Distortion.NONE, None),  # an honest way to write it
    # combinations
    ("V\u200b4\u200cР\u200dЕ", "vape", Distortion.DELIBERATE, "invisible_removed"),
    ("ｖ４ｐ３", "vape", Distortion.DELIBERATE, "leetspeak"),
    ("v.4.p.3", "vape", Distortion.DELIBERATE, "separators_joined"),
    ("電子烟", None, None, None),  # different first character: not the term
    ("电子烟套装", "电子烟", Distortion.NONE, None),
    # scrambled words (the Zeroé families): inner letters shuffled, vowels dropped, a word
    # cut into fragments by punctuation or spaces, and these combined with other disguises
    ("caoicne", "cocaine", Distortion.DELIBERATE, "scrambled_letters"),
    ("hreion", "heroin", Distortion.DELIBERATE, "scrambled_letters"),
    ("cociane", "cocaine", Distortion.TYPO, "misspelling"),  # one adjacent swap: a typo
    ("hrn", "heroin", Distortion.DELIBERATE, "vowels_dropped"),
    ("ccn", "cocaine", Distortion.DELIBERATE, "vowels_dropped"),
    ("h-er-oi-n", "heroin", Distortion.DELIBERATE, "split_word_joined"),
    ("c)oc)ai)ne", "cocaine", Distortion.DELIBERATE, "split_word_joined"),
    ("co ca in e", None, None, None),  # 4 spaced pieces: ordinary text looks like this
    ("c0-c@-in-3", "cocaine", Distortion.DELIBERATE, "leetspeak"),  # fragments and leet
    ("cоcaіne", "cocaine", Distortion.DELIBERATE, "lookalike_folded"),
    ("h3r-o1-n", "heroin", Distortion.DELIBERATE, "split_word_joined"),
    ("ｈｒｎ", "heroin", Distortion.DELIBERATE, "vowels_dropped"),
    ("c̲a̲o̲i̲c̲n̲e̲", "cocaine", Distortion.DELIBERATE, "scrambled_letters"),
]


@pytest.mark.parametrize(("written", "term", "distortion", "transform"), FOUND)
def test_distorted_spellings_are_found(
    matcher: Matcher,
    written: str,
    term: str | None,
    distortion: Distortion | None,
    transform: str | None,
) -> None:
    text = f"Brand new {written} for sale"
    hits = matcher.find([("title", text)])
    if term is None:
        assert hits == []
        return
    found = [h for h in hits if h.term == term]
    assert found, f"{term!r} not found in {text!r}: {hits}"
    hit = found[0]
    assert hit.distortion == distortion
    if transform:
        assert transform in hit.transforms
    start, end = hit.span
    assert text[start:end] == hit.text
    assert hit.before + hit.text + hit.after == text[max(0, start - 60) : end + 60]
    assert written.strip() in text[start - 1 : end + 1] or hit.text in written
    assert 0 < hit.score <= 1


PROSE = (
    "Shipped from our warehouse within two days. Sturdy packaging, tracked delivery, and a "
    "friendly support team that answers every message. "
)


@pytest.mark.parametrize(("written", "term", "distortion", "transform"), FOUND)
def test_evidence_in_a_long_description_is_the_same_as_in_a_title(
    index: TermIndex, written: str, term: str | None, distortion: object, transform: object
) -> None:
    """Deep in a long description only a window of text is tracked: the hits say exactly
    what they say in a short title, with spans in the description's own offsets."""
    short = Matcher(index).find([("description", f"Brand new {written} for sale")])
    prefix = PROSE * 3 + "Brand new "
    long_text = f"{prefix}{written} for sale. " + PROSE * 3
    long = Matcher(index).find([("description", long_text)])
    assert [(h.term, h.text, h.transforms, h.distortion) for h in long] == [
        (h.term, h.text, h.transforms, h.distortion) for h in short
    ]
    for hit in long:
        assert long_text[hit.span[0] : hit.span[1]] == hit.text
        assert len(hit.before) == len(hit.after) == 60  # the words around it, cut at 60
        assert long_text[hit.span[0] - 60 : hit.span[1] + 60] == hit.before + hit.text + hit.after
        assert hit.span[0] >= len(prefix) - 10


INNOCENT = [
    "Scunthorpe United scarf",  # term inside a longer word is not the term
    "Classic assessment workbook",  # "ass" inside words
    "Heroine costume for girls",  # a real word one edit from "heroin"
    "Public library tote",
    "Public toilet sign",  # "public" is one edit from the term "pubic": a real word, no typo
    "Ice cream scoop",  # exception
    "Ice cube tray, silicone",  # exception
    "Dried mushrooms 500g",  # exception
    "Россия сувенир матрешка",  # genuine Cyrillic
    "Ελληνικό ελαιόλαδο",  # genuine Greek
    "12V 4 pack 500mg vitamin C",  # numbers next to letters
    "Vapor barrier film",  # near "vape" but a real word
    "Cobra crossbody bag",  # brand-like words near terms
    "Alcoholic beverages sign",  # longer word containing a term
    "Tapes and vases",
    "Paper pen set",
    "USB3 hub",
    "MP3 player, PS4 controller",
    "I'd call it great! 10th edition",
    "ACE cable",
    "GH8 vacuum cleaner",  # digits read as letters need a multi-word term around them
    "Rjg connector, 80ng adapter",
    "A hero in the making",  # a one-word term split into two common words is ordinary text
    "C++ primer, A+ grade, 2+2",
    "Size S|M|L, red/blue",
    "Kurta set |Heroine print| cotton",  # "|" between title parts is no letter
    "Memory card|Micro|SD 32GB|Class10",  # nor between words glued by it
    "for men and women, a set of ten",  # short ordinary words are not fragments
    "Made for her. Oin stock soon",  # a sentence ends between the halves: no split word
    "Tea cup, 3 pc set in red",
    "Hrs: 24, pcs: 12, blk/wht",  # abbreviations are not words without vowels
    "Mail sales@abd-store.com for a quote",  # @ read as c makes no term here
    "Up-to-date, state-of-the-art kit; model sh-83-vc1",  # glued runs that spell no term
    "Made in the u.s.a, see www.shop-online.co.uk",
]


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_texts_do_not_match(matcher: Matcher, text: str) -> None:
    assert matcher.find([("title", text), ("description", text)]) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # a "|" that separates title parts hides nothing
        ("HCL|Cocaine|99% pure", ("cocaine", "Cocaine", Distortion.NONE)),
        ("Best Heroin|Fast Shipping", ("heroin", "Heroin", Distortion.NONE)),
        ("Pure heroin|100% tested", ("heroin", "heroin", Distortion.NONE)),
        # a term written whole beside a fragment is that term, not a split word read back
        ("Vape/E-liquid starter kit", ("vape", "Vape", Distortion.NONE)),
        # a "|" that starts a lower-case word stands for a letter ("|aser" for laser)
        ("|aser pointer, green", ("laser pointer", "|aser pointer", Distortion.DELIBERATE)),
        # a "|" inside a word still hides nothing ("co|caine")
        ("co|caine 5g", ("cocaine", "co|caine", Distortion.DELIBERATE)),
    ],
)
def test_separators_are_no_letters_where_they_separate(
    matcher: Matcher, text: str, found: tuple[str, str, Distortion]
) -> None:
    hits = {(h.term, h.text, h.distortion) for h in matcher.find([("title", text)])}
    assert found in hits, hits


def test_exception_cancels_only_overlapping_hits(matcher: Matcher) -> None:
    hits = matcher.find([("title", "Ice cream maker"), ("description", "pure ice 1g")])
    assert [(h.field, h.term) for h in hits] == [("description", "ice")]


def test_hits_report_field_and_span_in_the_original_text(matcher: Matcher) -> None:
    fields = [
        ("title", "Kit"),
        ("description", "Best v\u200ba\u200bp\u200be ever"),
        ("keywords", "pen; vape"),
    ]
    hits = matcher.find(fields)
    by_field = {h.field: h for h in hits}
    assert set(by_field) == {"description", "keywords"}
    description = by_field["description"]
    assert fields[1][1][slice(*description.span)] == description.text == "v\u200ba\u200bp\u200be"
    assert description.canonical == "vape"
    keywords = by_field["keywords"]
    assert fields[2][1][slice(*keywords.span)] == "vape"


def test_spans_are_right_when_a_field_alone_reads_differently(matcher: Matcher) -> None:
    """Evidence tracks each field alone, unless the field's key depends on another field:
    "сор" (all Cyrillic look-alikes) reads as "cop" in a title alone, but stays Cyrillic
    beside a genuinely Russian description. Both ways, spans point at the written text."""
    for description in ("Россия сувенир", "plain text"):
        fields = [("title", "сор v4pe сор"), ("description", description), ("keywords", "")]
        [hit] = matcher.find(fields)
        assert (hit.field, hit.span, hit.text) == ("title", (4, 8), "v4pe")


def test_longer_term_of_the_same_item_wins(matcher: Matcher) -> None:
    hits = matcher.find([("title", "v4pe pen kit")])
    assert [h.term for h in hits] == ["vape pen"]


def test_index_survives_pickling(index: TermIndex) -> None:
    clone = Matcher(pickle.loads(pickle.dumps(index)))
    assert [h.term for h in clone.find([("title", "v4pe")])] == ["vape"]


def test_field_separator_in_input_is_harmless(matcher: Matcher) -> None:
    """A NUL inside a word splits it (read as a split word); offsets stay exact."""
    text = "va\x00pe vape"
    hits = matcher.find([("title", text)])
    assert [(h.text, h.span) for h in hits] == [("va\x00pe", (0, 5)), ("vape", (6, 10))]
    assert all(text[slice(*h.span)] == h.text for h in hits)


INVISIBLE = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
LOOKALIKE = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "i": "і"}


@given(data=st.data(), term=st.sampled_from(["vape", "cocaine", "heroin", "sildenafil"]))
@settings(max_examples=150, deadline=None)
def test_inserting_invisibles_or_lookalikes_never_loses_the_hit(
    index: TermIndex, data: st.DataObject, term: str
) -> None:
    chars = list(term)
    for i, c in enumerate(chars):
        if c in LOOKALIKE and data.draw(st.booleans()):
            chars[i] = LOOKALIKE[c]
        if data.draw(st.booleans()):
            chars[i] += data.draw(INVISIBLE)
    written = "".join(chars)
    hits = Matcher(index).find([("title", f"new {written} sale")])
    assert term in [h.term for h in hits]


@given(text=st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_random_unicode_never_crashes(index: TermIndex, text: str) -> None:
    for hit in Matcher(index).find([("title", text), ("description", text[::-1])]):
        source = text if hit.field == "title" else text[::-1]
        assert source[slice(*hit.span)] == hit.text


FIELD_TEXT = st.text(alphabet=st.sampled_from([*"abcdeiov4 .-|@!", "а", "е", "о", "я", "\u200b"]))


@given(title=FIELD_TEXT, description=FIELD_TEXT, keywords=FIELD_TEXT)
@settings(max_examples=300, deadline=None)
def test_spans_point_at_the_written_text_in_every_field(
    index: TermIndex, title: str, description: str, keywords: str
) -> None:
    """Evidence tracks a field alone or the whole listing (when Cyrillic in one field changes
    how another reads): either way every span is exact."""
    fields = [
        ("title", f"{title} v4pe {title}"),
        ("description", f"{description} vаpе"),
        ("keywords", keywords),
    ]
    written = dict(fields)
    for hit in Matcher(index).find(fields):
        assert written[hit.field][slice(*hit.span)] == hit.text


@pytest.mark.parametrize(
    ("token", "term"),
    [
        ("qwertyuiopasdfghjklzxcvbnm" * 200, None),  # misspelling search must not explode
        ("rn1" * 2000, None),  # nor readings (each "rn" may be m, each 1 i or l)
        ("vv" * 3000, None),
        ("v" + "a" * 5000 + "pe", "vape"),  # a stretched term is still found
    ],
)
def test_very_long_tokens_are_screened_in_linear_work(
    matcher: Matcher, token: str, term: str | None
) -> None:
    """Fields may hold 200,000 characters: work on a token is bounded by the longest term
    word, never by the token (a 1,000-letter token once took 12 s)."""
    assert [h.term for h in matcher.find([("title", f"x {token} y")])] == ([term] if term else [])


@given(data=st.data(), term=st.sampled_from(["cocaine", "heroin", "sildenafil", "methadone"]))
@settings(max_examples=150, deadline=None)
def test_scrambled_and_cut_apart_words_are_found_as_deliberate(
    index: TermIndex, data: st.DataObject, term: str
) -> None:
    """Inner letters shuffled (more than one adjacent swap), or the word cut into 3+
    fragments of any length by punctuation: found, and classed deliberate, wherever it sits
    in a title."""
    from rapidfuzz.distance import OSA

    inner = data.draw(st.permutations(list(term[1:-1])))
    shuffled = term[0] + "".join(inner) + term[-1]
    cuts = sorted(data.draw(st.sets(st.integers(1, len(term) - 1), min_size=2, max_size=4)))
    glue = data.draw(st.sampled_from(["-", ")", ".", "*", "_", "~"]))
    pieces = [term[a:b] for a, b in zip([0, *cuts], [*cuts, len(term)], strict=True)]
    cut = glue.join(pieces)
    for written in [shuffled, cut]:
        if written == shuffled and OSA.distance(shuffled, term) <= 1:
            continue  # the term itself, or one adjacent swap: a typo, not a shuffle
        if written == cut and "111" in "".join(str(len(p)) for p in pieces):
            continue  # known gap: "h.e.r.o.in" reads "hero in" (separator join, then a word)
        text = f"Fast shipping {written} best price"
        hits = [h for h in Matcher(index).find([("title", text)]) if h.term == term]
        assert hits and hits[0].distortion == Distortion.DELIBERATE, (written, hits)


# (text, term expected or None): symbols read as letters *and* a misspelling are two guesses;
# for a short term they are taken only from a word written with symbols, never from a code
# or a word beside punctuation. Long terms keep the disguise at the word's edge.
TWO_GUESSES = [
    ("Sunscreen SPF 30 PA++ 50 ml", None),  # "patt" would be one edit from "patty"
    ("@puum mode", None),  # punctuation before a short word
    ("0puum", "opium"),  # a digit at the edge of a word of four letters
    ("$ydrocodne", "hydrocodone"),
    ("hydrocodne+", "hydrocodone"),
    # a model number read as letters and then misspelled is no disguise of any term
    ("Fossil Men Black Dial Watch AM4384", None),  # "amaeba", one edit from "amoeba"
    ("am0eba powder", "amoeba"),  # a word in leetspeak still is
]


@pytest.mark.parametrize(("text", "term"), TWO_GUESSES)
def test_two_guesses_on_a_short_term_need_a_word_written_with_symbols(
    text: str, term: str | None
) -> None:
    from contraband.matching import Term

    index = TermIndex.build(
        [Term("opium", "x"), Term("patty", "y"), Term("hydrocodone", "z"), Term("amoeba", "w")]
    )
    found = {h.term for h in Matcher(index).find([("title", text)])}
    assert found == ({term} if term else set())


def test_a_number_as_a_term_has_ordinary_senses() -> None:
    """ "420" is a model number, a size or a price as often as a street name."""
    from contraband.matching import Term

    index = TermIndex.build([Term("420", "x"), Term("4 20", "y"), Term("ak 47", "z")])
    assert index.ambiguous == (True, True, False)


# A short word cut apart *and* misspelled is read only beside its term's other words.
CUT_AND_MISSPELLED = [
    ("t.ih.e.r skin rug", "tiger skin"),
    ("s.ha.ek fin soup", "shark fin"),
    ("ti.h.e.r toy", None),  # alone, five letters cut and misspelled: no evidence
    ("ti.g.e.r toy", "tiger"),  # cut apart only: found alone
    ("m.e.t.h.a.d.o.n", "methadone"),  # long enough to stand alone
]


@pytest.mark.parametrize(("text", "term"), CUT_AND_MISSPELLED)
def test_a_short_word_cut_apart_and_misspelled_needs_its_other_words(
    text: str, term: str | None
) -> None:
    from contraband.matching import Term

    terms = [Term("tiger skin", "x"), Term("shark fin", "y"), Term("methadone", "z")]
    terms.append(Term("tiger", "w"))
    found = {h.term for h in Matcher(TermIndex.build(terms)).find([("title", text)])}
    assert found == ({term} if term else set())


# A word of a multi-word term without its vowels, where that leaves an ordinary word ("pst",
# "btn"): read beside the term's other words only.
@pytest.mark.parametrize(
    ("text", "found"),
    [("coca pst 1kg", True), ("stun btn for sale", True), ("pst, see btn below", False)],
)
def test_vowels_dropped_to_an_ordinary_word_are_read_beside_the_term(
    text: str, found: bool
) -> None:
    from contraband.matching import Distortion, Term

    index = TermIndex.build([Term("coca paste", "x"), Term("stun baton", "y")])
    hits = Matcher(index).find([("title", text)])
    assert bool(hits) == found
    assert all(h.distortion == Distortion.DELIBERATE for h in hits)


# (text, term or None): a word respelled as it sounds is read as a misspelling of the term;
# vowels keep their letter, so a word that only shares consonants is not.
SOUNDS_LIKE = [
    ("kokaine 5g", "cocaine"),
    ("amunishun box", "ammunition"),
    ("efedrin powder", "ephedrine"),
    ("ksanaks 2mg bars", "xanax"),  # a 5-letter term word too
    ("Squad Fleec sweatshirt", None),  # "flek" is not "flakka"'s "flak"
]


@pytest.mark.parametrize(("text", "term"), SOUNDS_LIKE)
def test_a_word_respelled_as_it_sounds_is_a_misspelling(text: str, term: str | None) -> None:
    from contraband.matching import Term

    index = TermIndex.build(
        [
            Term("cocaine", "a"),
            Term("ammunition", "b"),
            Term("ephedrine", "c"),
            Term("flakka", "d"),
            Term("xanax", "e"),
        ]
    )
    hits = Matcher(index).find([("title", text)])
    assert {h.term for h in hits} == ({term} if term else set())
    assert all(h.distortion == Distortion.TYPO for h in hits)


def test_a_four_letter_term_one_edit_off_is_a_misspelling(matcher: Matcher) -> None:
    """Read for the decision to weigh: it keeps one only where the context says so."""
    hits = matcher.find([("title", "vapw starter kit")])
    assert [(h.term, h.distortion) for h in hits] == [("vape", Distortion.TYPO)]


# (text, term or None): a phrase disguised word by word, each word cut apart or without its
# vowels, is read whole; an ordinary word is read as a skeleton only beside the phrase's
# other words, and a phrase of weak readings needs letters enough not to be chance.
EVERY_WORD = [
    ("t.a.b.le.t pu-n-che-s for sale", "tablet punches"),
    ("ca*si*no ch-eat-ing d:ev:ice", "casino cheating device"),
    ("tl.ba.et pne-hc-us", "tablet punches"),  # both words shuffled, then cut apart
    ("tlb*a*e*t pnehcus", "tablet punches"),  # "a*e*t" joined by the separators: 2 pieces
    ("csn chtng dvc", "casino cheating device"),  # "csn" is an ordinary token alone
    ("tblt pnchs", "tablet punches"),
    ("csn night out", None),
    ("psh dggr", "push dagger"),  # "psh", an ordinary token, is "push" without its vowel
    ("psh the dggr", None),
    ("t.a.b.le.t case", None),  # the other word is missing
]


@pytest.mark.parametrize(("text", "term"), EVERY_WORD)
def test_a_phrase_disguised_word_by_word_is_read_whole(text: str, term: str | None) -> None:
    from contraband.matching import Term

    terms = [Term("tablet punches", "x"), Term("casino cheating device", "y")]
    terms.append(Term("push dagger", "z"))
    hits = Matcher(TermIndex.build(terms)).find([("title", text)])
    assert {h.term for h in hits} == ({term} if term else set())
    assert all(h.distortion == Distortion.DELIBERATE for h in hits)


# (text, term or None): an ordinary word one edit from a one-word term of 4 letters ("vase"
# for "vape", "jul" for "juul") is read as its misspelling where the caller asks (the screener
# does where the listing is filed in the term's item's category), for the decision to weigh;
# one two edits off is not.
@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("glass vase, 20 cm", "vape"),
        ("jul pods mango", "juul"),
        ("suns 20 pouches", "snus"),
        ("snus 20 pouches", "snus"),  # the term itself: as written
        ("blue vases", None),  # two edits
        ("vapor rub", None),  # two edits
    ],
)
def test_ordinary_words_one_edit_from_four_letter_terms(text: str, term: str | None) -> None:
    from contraband.matching import Distortion, Term

    index = TermIndex.build([Term("vape", "x"), Term("juul", "x"), Term("snus", "y")])
    hits = Matcher(index).find([("title", text)], short_typos=True)
    assert {h.term for h in hits} == ({term} if term else set())
    if term and term not in text:
        assert all(h.distortion == Distortion.TYPO for h in hits)
        assert Matcher(index).find([("title", text)]) == []  # not unless asked


# (text, term or None, distortion): two disguises at once. Letters stretched and one
# misspelled ("vaaporivzzzer") is deliberate; a long word shuffled and misspelled
# ("ibrfuwpen" for "ibuprofen") is as likely a name as a disguise: a misspelling. A double
# letter of the language ("Perros") stretches nothing, and a short word is read so only
# beside its phrase's other words.
TWO_AT_ONCE = [
    ("vaaaporivzzzer pen", "vaporizer", Distortion.DELIBERATE),
    ("ibrfuwpen tablets", "ibuprofen", Distortion.TYPO),
    ("tablets of ibupfoxrn", "ibuprofen", Distortion.TYPO),
    ("frpwrks for sale", "fireworks", Distortion.TYPO),  # no vowels, one letter slipped
    ("frpwrkz crackers", None, None),  # two slips
    ("Perros women flats", None, None),
    ("Dongre men kurta", None, None),
    # stretched, and misspelled where the word had a double letter ("asault"); the first
    # letter kept ("blzzzkkaaa" is no flakka)
    ("aassssautl riffflllle", "assault rifle", Distortion.DELIBERATE),
    ("flzzzkkaaa 1g", "flakka", Distortion.DELIBERATE),
    ("blzzzkkaaa 1g", None, None),
    # a phrase's word without vowels and misspelled, or shuffled and misspelled, beside its
    # other words; alone, not
    ("plpc badge", "police badge", Distortion.TYPO),
    ("plpc chief", None, None),
    ("gslps bong", "glass bong", Distortion.TYPO),
    ("gslps vase", None, None),
    # without vowels and cut apart: the pieces join to the skeleton ("as slt", "sf r l")
    ("as*s*l*t rifle", "assault rifle", Distortion.DELIBERATE),
    ("g.r.v.ty knife", "gravity knife", Distortion.DELIBERATE),
    ("sf:r:l oil", "safrole oil", Distortion.DELIBERATE),
    ("rplc r*i*f*le", "replica rifle", Distortion.DELIBERATE),
    # stretched and shuffled, stretched without vowels, stretched and leet
    ("ibbbuuporfen 200mg", "ibuprofen", Distortion.DELIBERATE),
    ("frrrwwrks", "fireworks", Distortion.DELIBERATE),
    ("vvvap0r1zzzer pen", "vaporizer", Distortion.DELIBERATE),
    # shuffled, then the last two letters swapped: a misspelling; the last letter moved
    # anywhere else is as often a name ("Henrio")
    ("irbopufne tablets", "ibuprofen", Distortion.TYPO),
    ("Henrio slim fit shirt", None, None),
    # a phrase's 3-letter skeleton, misspelled, beside the phrase's other word
    ("k2 splc blend", "k2 spice", Distortion.TYPO),
    ("splc blend", None, None),
]


@pytest.mark.parametrize(("text", "term", "distortion"), TWO_AT_ONCE)
def test_two_disguises_at_once(text: str, term: str | None, distortion: Distortion | None) -> None:
    from contraband.matching import Term

    index = TermIndex.build(
        [
            Term("vaporizer", "a"),
            Term("ibuprofen", "b"),
            Term("percs", "c"),
            Term("drone", "d"),
            Term("fireworks", "e"),
            Term("assault rifle", "f"),
            Term("flakka", "g"),
            Term("police badge", "h"),
            Term("glass bong", "i"),
            Term("gravity knife", "j"),
            Term("safrole oil", "k"),
            Term("replica rifle", "l"),
            Term("heroin", "m"),
            Term("k2 spice", "n"),
        ]
    )
    hits = Matcher(index).find([("title", text)])
    assert [(h.term, h.distortion) for h in hits] == ([(term, distortion)] if term else [])
