"""Formula parser: e3nn syntax, index types, named tensors, one-line InputErrors (hypothesis-fuzzed)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symcompile.errors import InputError
from symcompile.tensors import CartesianTensor, tensor_dim
from symcompile.tensors.formula import (
    MAX_RANK,
    SHORTCUTS,
    TensorFormula,
    parse_formula,
    parse_index_assignments,
    suggest_names,
)


def test_basic_parse() -> None:
    f = parse_formula("ijk=-jik=-ikj")
    assert f.indices == "ijk" and f.rank == 3
    assert set(f.generators) == {(-1, (1, 0, 2)), (-1, (0, 2, 1))}
    assert f.index_types == ("1o", "1o", "1o") and f.parity == -1


def test_blanks_are_ignored_and_identity_terms_dropped() -> None:
    f = parse_formula(" ij = ji = ij ")
    assert f.text == "ij=ji=ij" and f.generators == ((1, (1, 0)),)
    assert parse_formula("ij").generators == ()


def test_leading_sign_on_first_term_is_relative() -> None:
    assert parse_formula("-ij=ji").generators == ((-1, (1, 0)),)


@pytest.mark.parametrize("bad,needle", [
    ("", "empty"), ("   ", "empty"), ("ij=", "empty term"), ("=ij", "empty term"), ("ij==ji", "empty term"),
    ("ij=jk", "not a permutation"), ("ijk=ji", "not a permutation"), ("iij=iji", "repeated index"),
    ("ij=jj", "not a permutation"), ("ij=j1", "bad character"), ("i*j", "bad character"), ("ij=--ji", "malformed"),
    ("ij=j-i", "malformed"), ("é", "bad character"), ("abcdefghijklm", "larger than the supported maximum"),
])
def test_bad_formulas(bad: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle) as info:
        parse_formula(bad)
    assert "\n" not in str(info.value)


def test_max_rank_is_accepted() -> None:
    f = parse_formula("abcdefghijkl=bacdefghijkl")
    assert f.rank == MAX_RANK == 12
    assert tensor_dim(f) == 6 * 3**10


def test_non_string_input() -> None:
    with pytest.raises(InputError):
        parse_formula(12)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- index types
def test_index_types_keywords_and_mapping() -> None:
    a = parse_formula("ijk=ikj", i="1e")
    b = parse_formula("ijk=ikj", index_types={"i": "pseudovector"})
    assert a.index_types == b.index_types == ("1e", "1o", "1o")
    assert a.parity == 1 and a.types_label == "i=1e"


def test_index_type_propagates_along_permutations() -> None:
    f = parse_formula("ij=ji", i="1e")
    assert f.index_types == ("1e", "1e")
    assert str(CartesianTensor("ij=ji", i="1e").irreps) == "1x0e+1x2e"


@pytest.mark.parametrize("kw,needle", [
    ({"i": "1e", "j": "1o"}, "must have one type"),
    ({"q": "1e"}, "does not appear"),
    ({"i": "2e"}, "1o \\(vector\\) or 1e"),
])
def test_index_type_errors(kw: dict[str, str], needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        parse_formula("ij=ji", index_types=kw)


def test_cli_index_assignments() -> None:
    assert parse_index_assignments(["i=1e", "j=axial,k = 1o"]) == {"i": "1e", "j": "1e", "k": "1o"}
    for bad in (["i"], ["ij=1e"], ["i=2e"], ["1=1e"]):
        with pytest.raises(InputError):
            parse_index_assignments(bad)


def test_axial_flag_flips_parity() -> None:
    assert parse_formula("ij=ji", axial=True).parity == -1
    assert str(CartesianTensor("i", axial=True).irreps) == "1x1e"


# --------------------------------------------------------------------------- named tensors
@pytest.mark.parametrize("name", sorted(SHORTCUTS))
def test_every_shortcut_resolves(name: str) -> None:
    f = parse_formula(name)
    assert f.name == name and f.text == SHORTCUTS[name].formula
    assert f.symbol == SHORTCUTS[name].symbol and f.axial == SHORTCUTS[name].axial
    assert parse_formula(name.upper().replace("_", "-")).text == f.text


@pytest.mark.parametrize("name,irreps", [
    ("elastic", "2x0e+2x2e+1x4e"), ("piezoelectric", "2x1o+1x2o+1x3o"), ("dielectric", "1x0e+1x2e"),
    ("pyroelectric", "1x1o"), ("gyration", "1x0o+1x2o"), ("magnetoelectric", "1x0o+1x1o+1x2o"),
    ("electrooptic", "2x1o+1x2o+1x3o"), ("pseudovector", "1x1e"), ("hall", "1x0o+1x1o+1x2o"),
])
def test_shortcut_irreps(name: str, irreps: str) -> None:
    assert str(CartesianTensor(name).irreps) == irreps


# --------------------------------------------------------------------------- fuzzing
@settings(max_examples=400, deadline=None)
@given(st.text(max_size=30))
def test_garbage_gives_input_error_or_a_formula(text: str) -> None:
    try:
        f = parse_formula(text)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert isinstance(f, TensorFormula) and 1 <= f.rank <= MAX_RANK


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ijk=-+ xX", max_size=20))
def test_near_miss_formulas_never_crash(text: str) -> None:
    try:
        f = parse_formula(text)
    except InputError:
        return
    assert tensor_dim(f) >= 0


@st.composite
def signed_permutation_formulas(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 6))
    letters = draw(st.permutations(string.ascii_lowercase))[:n]
    first = "".join(letters)
    terms = [first]
    for _ in range(draw(st.integers(0, 3))):
        perm = draw(st.permutations(list(first)))
        terms.append(("-" if draw(st.booleans()) else "") + "".join(perm))
    return "=".join(terms)


@settings(max_examples=150, deadline=None)
@given(signed_permutation_formulas())
def test_valid_random_formulas_parse_and_count(formula: str) -> None:
    if "=" not in formula and (formula in SHORTCUTS or suggest_names(formula)):
        return  # a bare word that is, or is close to, a tensor name (tested below)
    f = parse_formula(formula)
    dim = tensor_dim(f)
    assert 0 <= dim <= 3**f.rank


# --------------------------------------------------------------------------- formula or name?
@pytest.mark.parametrize("word,suggested", [
    ("elastc", "elastic"), ("Elastik", "elastic"), ("dielectic", "dielectric"), ("piezo", "piezoelectric"),
    ("thermal", "thermal_expansion"), ("magnetisaton", "magnetisation"), ("hal", "hall"),
    ("piezo_electric", "piezoelectric"), ("anomalous-hal", "anomalous_hall"), ("magneto opitc", "magneto_optic"),
])
def test_a_word_close_to_a_name_is_an_error_with_a_suggestion(word: str, suggested: str) -> None:
    with pytest.raises(InputError, match=f"unknown tensor name .*did you mean.*'{suggested}'") as info:
        parse_formula(word)
    assert "\n" not in str(info.value)


def test_bare_words_far_from_names_are_formulas_and_equals_forces_a_formula() -> None:
    assert parse_formula("ijk").rank == 3 and parse_formula("abcdefghijkl").rank == 12
    assert parse_formula("elastc=elastc").rank == 6  # written as a formula on purpose
    with pytest.raises(InputError, match="unknown tensor name 'foo_bar'"):
        parse_formula("foo_bar")
    with pytest.raises(InputError, match="malformed term"):
        parse_formula("ijk-jik")  # a missing '=' stays a formula error


def test_time_parity_of_named_tensors() -> None:
    odd = {name for name, t in SHORTCUTS.items() if t.time_odd}
    assert odd == {"magnetization", "magnetisation", "ferromagnetism", "magnetoelectric", "piezomagnetic",
                   "anomalous_hall", "antisymmetric_conductivity", "magnetooptic", "magneto_optic"}
    assert parse_formula("magnetoelectric").time_parity == -1 and parse_formula("hall").time_parity == 1
    assert parse_formula("elastic", time_odd=True).time_odd and not parse_formula("piezomagnetic", time_odd=False).time_odd
    assert str(parse_formula("magnetization")) == "i (axial; time-odd)"


def test_sign_inconsistent_formula_is_valid_and_zero() -> None:
    for formula in ("ij=-ij", "ijk=-jik=ikj", "ijklm=-jiklm=ikjlm=ijlkm=ijkml"):
        t = CartesianTensor(formula)
        assert t.dim == 0 and str(t.irreps) == ""
        assert t.change_of_basis.shape == (0,) + (3,) * t.rank
