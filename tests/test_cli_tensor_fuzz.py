"""Property-based tests of `symcompile tensor` as a user types it: formulas, names and their typos,
point groups (magnetic ones and malformed ones), and every option combination.

Whatever the input: exit 0 or 2 (never 3), no traceback, and on exit 2 exactly one line
``error: ...`` on stderr with nothing on stdout. Budget: a few hundred in-process runs, no
wall-clock assertions (hypothesis deadline off).
"""

from __future__ import annotations

import json
import shutil
import string
import tempfile
from pathlib import Path

from cli_helpers import invoke
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symcompile.o3.magnetic_point_groups import magnetic_point_group_names
from symcompile.o3.point_groups import point_group_names
from symcompile.tensors import SHORTCUTS

NAMES = sorted(SHORTCUTS)
GROUPS = sorted(set(point_group_names()) | set(magnetic_point_group_names()))
ODD_GROUPS = ["4'/mmm'", "-4'm2'", "2mm1'", "D4h(D2d)", "D4h1'", "15.5.57", "4′/m′m′m", "mm2'", "4'/m'm'm'",
              "D4h(C2v)", "inf'", "SO3'", "3'", "5'", "''", "1''", "m'-3'm'1'", "C5v"]


def check_contract(args: list[str], code: int, out: str, err: str) -> None:
    assert code in (0, 2), (args, code, err)
    assert "Traceback" not in err and "internal error" not in err, (args, err)
    if code == 2:
        assert out == "", (args, out)
        assert err.startswith("error: ") and err.count("\n") == 1, (args, err)
    elif "--json" in args:
        lines = out.strip().splitlines()
        if "--all-groups" in args:
            records = [json.loads(line) for line in lines]
            assert records and all(r["status"] == "ok" and r["command"] == "tensor" for r in records)
        else:
            assert json.loads(out)["status"] == "ok"


@st.composite
def typos(draw: st.DrawFn) -> str:
    """A tensor name with one letter dropped, doubled or swapped."""
    name = draw(st.sampled_from(NAMES))
    k = draw(st.integers(0, len(name) - 2))
    kind = draw(st.sampled_from(["drop", "double", "swap"]))
    if kind == "drop":
        return name[:k] + name[k + 1:]
    if kind == "double":
        return name[:k] + name[k] + name[k:]
    return name[:k] + name[k + 1] + name[k] + name[k + 2:]


def formulas(short: bool) -> st.SearchStrategy[str]:
    letters = "ijkl" if short else "ijklmnopqrstab"
    return st.one_of(
        st.sampled_from(NAMES),
        typos(),
        st.text(alphabet=letters + "=-+ _", max_size=14),
        st.text(alphabet=string.printable + "′é∞", max_size=5 if short else 14),
    )


@st.composite
def tensor_args(draw: st.DrawFn) -> list[str]:
    all_groups = draw(st.booleans())
    group = None if all_groups else draw(st.one_of(
        st.none(), st.sampled_from(GROUPS), st.sampled_from(ODD_GROUPS), st.text(alphabet="-12346m/'", max_size=7)))
    args = [draw(formulas(short=group is not None))]
    if group is not None:
        args += ["-g", group]
    if all_groups:
        args.append("--all-groups")
        if draw(st.booleans()):
            args.append("--magnetic")
    elif draw(st.integers(0, 9)) == 0:
        args.append("--magnetic")
    if draw(st.integers(0, 3)) == 0:
        args += ["--index", draw(st.sampled_from(["i=1e", "j=axial", "q=1e", "i=2e", "i", "i=1e,j=1o", "=", ""]))]
    if draw(st.booleans()):
        args.append("--axial")
    time = draw(st.sampled_from([None, "--time-odd", "--time-even"]))
    if time:
        args.append(time)
    if draw(st.integers(0, 4)) == 0:
        args += ["--symbol", draw(st.text(max_size=5))]
    if draw(st.integers(0, 4)) == 0:
        args += ["--save-basis", draw(st.sampled_from(["b.npy", "b", "", "sub/b.npy", ".", "b.NPY", "exists.txt"]))]
    if draw(st.booleans()):
        args.append("--json")
    return args


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tensor_args())
def test_tensor_cli_never_crashes(args: list[str]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="symcompile-fuzz-"))
    try:
        (workdir / "exists.txt").write_text("keep me")
        args = [str(workdir / a) if i and args[i - 1] == "--save-basis" and a else a for i, a in enumerate(args)]
        code, out, err = invoke(["tensor", *args])
        check_contract(args, code, out, err)
        assert (workdir / "exists.txt").read_text() == "keep me"
        if code == 0 and "--save-basis" in args:
            path = args[args.index("--save-basis") + 1]
            assert path.lower().endswith(".npy") and Path(path).is_file()
        assert not [p for p in workdir.iterdir() if p.name.endswith(".tmp")]  # no temporary file left behind
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@settings(max_examples=150, deadline=None)
@given(typos())
def test_a_typo_of_a_name_is_an_error_that_names_it(word: str) -> None:
    code, out, err = invoke(["tensor", word, "--json"])
    if word.lower() in SHORTCUTS:  # some typos are names (piezoelectric_d -> piezoelectric_)...
        assert code == 0
        return
    check_contract([word], code, out, err)
    if code == 2 and "unknown tensor name" in err:
        assert "did you mean" in err or "--help" in err
