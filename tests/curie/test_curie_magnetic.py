"""Magnetic properties of magnetic crystals: group theory two ways, the network with time parity, one group
in every command.

Independent routes to each count: (a) the operations spglib finds on the structure with its moments
(characters with the time-reversal signs, ``curie``), (b) the magnetic point group read off the
BNS symbol of the ISO-MAG table by our parser of primed symbols (``tensor -g``). The network is an
independent third opinion: it sees positions, species and moments (``1e'``) and can only reach
the symmetry average of a random target.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import invoke

from symcompile.curie.check import CurieOptions, property_record
from symcompile.structures import read_structure
from symcompile.structures.magnetic import magnetic_symmetry
from symcompile.structures.structure import Structure
from symcompile.tensors import tensor_report

MAGNETIC = Path(__file__).resolve().parents[2] / "examples" / "magnetic"
FILES = sorted(p.name for p in MAGNETIC.glob("*.mcif"))
TIME_ODD = ("magnetization", "anomalous_hall", "magnetoelectric", "piezomagnetic", "magnetooptic")
GROUP_THEORY = CurieOptions(train=False)


def _ruo2(direction: list[float]) -> Structure:
    """RuO2 with its two Ru moments antiparallel along ``direction`` (MAGNDATA 0.607: along c)."""
    s = read_structure(MAGNETIC / "RuO2_MAGNDATA_0.607.mcif")
    sign = np.sign(s.magmoms[:, 2])
    return s.replace(magmoms=np.outer(sign, 0.05 * np.asarray(direction) / np.linalg.norm(direction)))


@pytest.mark.parametrize("name", FILES)
def test_counts_from_operations_equal_counts_from_the_bns_symbol(name: str) -> None:
    s = read_structure(MAGNETIC / name)
    symbol = magnetic_symmetry(s).group.point_group_symbol
    for prop in TIME_ODD:
        record = property_record(s, prop, GROUP_THEORY)
        expected = tensor_report(prop, point_group=symbol)["independent_components"]
        assert record["independent_components"] == expected, (name, prop, symbol)
        assert record["feasible"] == (expected > 0)


def test_altermagnet_ruo2_anomalous_hall_depends_on_the_neel_vector() -> None:
    """Smejkal et al.'s crystal Hall effect: forbidden for the Neel vector along c, allowed along [110] and [100]."""
    along_c = property_record(_ruo2([0, 0, 1]), "anomalous_hall", GROUP_THEORY)
    assert not along_c["feasible"] and along_c["independent_components"] == 0
    forbidding = along_c["forbidding_operations"]
    assert forbidding and all("4-fold" in op or "-4" in op for op in forbidding)
    assert all(op.endswith("followed by time reversal") for op in forbidding)
    assert along_c["unblocking_irreps"] == "1e'"  # a magnetic field unblocks it
    for direction in ([1, 1, 0], [1, 0, 0]):
        record = property_record(_ruo2(direction), "anomalous_hall", GROUP_THEORY)
        assert record["feasible"] and record["independent_components"] == 1, direction


def test_no_moments_and_no_magnetic_leave_the_old_answers() -> None:
    s = read_structure(MAGNETIC / "RuO2_MAGNDATA_0.607.mcif")
    plain = property_record(s.replace(magmoms=None), "magnetization", GROUP_THEORY)
    ignored = property_record(s, "magnetization", CurieOptions(train=False, magnetic=False))
    even = property_record(s.replace(magmoms=None), "1e", GROUP_THEORY)
    assert plain["independent_components"] == ignored["independent_components"] == even["independent_components"]
    assert "magnetic" not in plain and any("time reversal is not considered" in n for n in plain["notes"])
    assert plain["space_group"] == ignored["space_group"]


def test_network_without_moments_predicts_exactly_zero_magnetisation() -> None:
    """Curie's principle for time reversal: time-even inputs (positions, species) give no magnetisation at all."""
    from symcompile.curie.training import TrainConfig, train_pair
    from symcompile.o3 import Irreps

    s = _ferromagnet()
    net = train_pair(s.cart_coords, s.species, np.array([0.3, -0.2, 0.9]), Irreps("1x1e'"), lattice=s.lattice,
                     pooled=True, config=TrainConfig(steps=5))
    assert np.all(net["prediction"] == 0.0) and net["final_loss"] == net["initial_loss"]


def _ferromagnet() -> Structure:
    """A tetragonal two-site crystal, moments along z on both sites (a ferromagnet: 4/mm'm')."""
    return Structure(np.diag([3.0, 3.0, 4.2]), [[0, 0, 0], [0.5, 0.5, 0.35]], ("Fe", "Ge"), magmoms=[[0, 0, 2.0], [0, 0, 0]])


def test_network_fits_magnetisation_from_moments_or_a_learnable_time_odd_input() -> None:
    from symcompile.curie.training import TrainConfig, train_pair
    from symcompile.o3 import Irreps

    s = _ferromagnet()
    target = np.array([0.0, 0.0, 0.8])
    moments = (s.magmoms / 2.0, Irreps("1x1e'"))
    fed = train_pair(s.cart_coords, s.species, target, Irreps("1x1e'"), lattice=s.lattice, pooled=True,
                     node_features=moments, config=TrainConfig(steps=100))
    assert fed["final_loss"] < 1e-8 * fed["initial_loss"]
    learned = train_pair(s.cart_coords, s.species, target, Irreps("1x1e'"), lattice=s.lattice, pooled=True,
                         learnable_input=Irreps("1e'"), config=TrainConfig(steps=100))
    assert learned["final_loss"] < 1e-8 * learned["initial_loss"]
    v = learned["learned_input"]
    assert abs(v[2]) > 0 and np.allclose(v[:2], 0.0, atol=1e-10)  # along z: it keeps what the target keeps


@pytest.mark.parametrize("direction, allowed", [([0, 0, 1], False), ([1, 1, 0], True)])
def test_network_and_group_theory_agree_on_the_altermagnet(direction: list[float], allowed: bool) -> None:
    record = property_record(_ruo2(direction), "anomalous_hall", CurieOptions(steps=60, confirm_unblocking=False))
    assert record["feasible"] is allowed
    assert record["network"]["feasible"] is allowed and record["verdicts_agree"]
    assert "1x1e'" in record["network"]["irreps_in"]


def test_one_magnetic_point_group_in_every_command() -> None:
    """The same mCIF through symmetry, tensor --structure and curie --no-train (JSON records)."""
    for name in FILES:
        path = str(MAGNETIC / name)
        _, out, _ = invoke(["symmetry", path, "--json"])
        sym = json.loads(out)["magnetic"]
        _, out, _ = invoke(["tensor", "magnetization", "--structure", path, "--json"])
        ten = json.loads(out)
        code, out, _ = invoke(["curie", path, "--property", "magnetization", "--no-train", "--json"])
        cur = json.loads(out)["magnetic"]
        assert sym["point_group"] == cur["point_group"] == ten["structure"]["magnetic"]["point_group"]
        assert ten["magnetic_point_group"]["number"] == sym["point_group"]["number"]
        assert ten["magnetic_point_group"]["name"] == sym["point_group"]["hm_bns_setting"]
        assert sym["bns"] == cur["bns"]


def test_curie_no_train_on_a_magnetic_crystal_does_not_import_torch() -> None:
    code = ("import sys\nfrom symcompile.cli import main\n"
            "try:\n    main(['curie', sys.argv[1], '--property', 'anomalous_hall', '--no-train', '--json'])\n"
            "except SystemExit:\n    pass\n"
            "assert 'torch' not in sys.modules, 'torch imported'\n")
    done = subprocess.run([sys.executable, "-c", code, str(MAGNETIC / "RuO2_MAGNDATA_0.607.mcif")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_plot_of_a_time_odd_property(tmp_path: Path) -> None:
    """--plot draws the magnetic verdict (time-odd irreps in the chart, the magnetic group named)."""
    path = tmp_path / "ruo2.svg"
    code, out, err = invoke(["curie", str(MAGNETIC / "RuO2_MAGNDATA_0.607.mcif"), "--property", "anomalous_hall",
                             "--no-train", "--plot", str(path), "--json"])
    assert code == 1 and json.loads(out)["plot"] == str(path)
    text = path.read_text()
    assert "1e'" in text and "4'/mm'm" in text
