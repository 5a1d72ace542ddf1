"""Sizes are checked up front (issue 14): irreps written by people and tensor sizes have documented
limits and one-line errors (exit 2), never a MemoryError or an endless run."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import invoke

from symcompile.o3.irreps import MAX_SPEC_DIM, MAX_SPEC_L, Irreps, IrrepsError, check_irreps_size, parse_irreps_spec

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("spec,needle", [
    ("20000x0e", "dimension 20000"), ("1000e", "degree l = 1000"), ("40e", "degree l = 40"),
    ("9x9o", "degree l = 9"), ("99999999999999999999x0e", "dimension"), ("730x0e", "dimension 730"),
])
def test_irreps_specs_beyond_the_limits(spec: str, needle: str) -> None:
    with pytest.raises(IrrepsError, match=needle) as info:
        parse_irreps_spec(spec)
    assert "\n" not in str(info.value)


def test_irreps_specs_within_the_limits() -> None:
    assert str(parse_irreps_spec("1o + 1o + 2e")) == "2x1o+1x2e"
    assert parse_irreps_spec(f"{MAX_SPEC_DIM}x0e").dim == MAX_SPEC_DIM
    assert parse_irreps_spec(f"{MAX_SPEC_L}e").lmax == MAX_SPEC_L
    assert check_irreps_size(Irreps("")).dim == 0


@pytest.mark.parametrize("prop", ["20000x0e", "1000e", "40e", "abcdefghijkl", "abcdefg"])
def test_curie_property_sizes_are_refused_in_one_line(prop: str) -> None:
    """Formerly a MemoryError (20000x0e: 9.4 GB; abcdefghijkl: 2 TiB) or a run past 100 s (1000e, 40e)."""
    code, out, err = invoke(["curie", str(EXAMPLES / "curie" / "co2.xyz"), "--property", prop, "--no-train"])
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and "above the limit" in err


def test_large_tensor_counts_stay_available_and_the_basis_is_refused_up_front(tmp_path: Path) -> None:
    code, out, err = invoke(["tensor", "abcdefghijkl", "-g", "m-3m", "--json"])
    assert code == 0 and '"independent_components"' in out
    target = tmp_path / "q.npy"
    code, out, err = invoke(["tensor", "abcdefghijkl", "--save-basis", str(target)])
    assert code == 2 and "GiB" in err and err.count("\n") == 1 and not target.exists()
    code, _, err = invoke(["tensor", "abcdefghijklm"])
    assert code == 2 and "larger than the supported maximum 12" in err
