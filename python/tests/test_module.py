"""The Python module against the CLI: same numbers for the same evaluation, the same
exploration answer, the same error messages (as ValueError), and the loaders."""
import json
import os

import numpy as np
import pytest

import acceldse
from conftest import cli, cli_json

TINY_CSV = ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
            "conv1, 32, 32, 3, 3, 3, 16, 1,\n"
            "conv2, 30, 30, 3, 3, 16, 32, 1,\n")


@pytest.mark.parametrize("model,arch,batch", [
    ("resnet50", "edge_32x32", None),
    ("bert_base", "tpu_v1", 4),
    ("mobilenet_v2", "edge_32x32", 2),
])
def test_evaluate_is_the_cli_answer_to_the_number(model, arch, batch):
    args = ["evaluate", "--model", model, "--arch", arch] + (["--batch", str(batch)] if batch else [])
    expected = cli_json(*args)
    got = acceldse.evaluate(model, arch, batch=batch)
    assert got.doc == expected  # every key and every number, bit for bit (JSON round-trips doubles)
    assert got.totals["latency_s"] == expected["totals"]["latency_s"]
    assert got["batch"] == (batch or 1)


def test_per_layer_records_and_numpy_array_add_up_to_the_totals():
    ev = acceldse.evaluate("resnet50")
    arr = ev.to_numpy()
    assert arr.dtype.names == tuple(name for name, _ in acceldse.LAYER_FIELDS)
    assert len(arr) == len(ev.layers) == len(acceldse.load_network("resnet50"))
    assert int(arr["cycles"].sum()) == ev.totals["cycles"]
    assert int(arr["macs"].sum()) == ev.totals["macs"]
    assert int(arr["dram_bytes"].sum()) == ev.totals["dram_bytes"]
    assert arr["name"][0] == ev.layers[0]["name"]
    records = ev.records()
    assert records[3]["energy_pj"] == ev.layers[3]["energy_pj"]
    assert set(records[0]) == {name for name, _ in acceldse.LAYER_FIELDS}


def test_arch_given_as_a_dict_or_object_equals_the_same_yaml_file_on_the_cli(tmp_path):
    spec = {"name": "dict_chip", "tensor_unit": {"rows": 16, "cols": 64, "dataflow": "os"},
            "buffers": {"weight_kib": 128}, "clock_ghz": 0.8}
    path = tmp_path / "dict_chip.yaml"
    path.write_text(json.dumps(spec))  # JSON is YAML
    expected = cli_json("evaluate", "--model", "alexnet", "--arch", str(path))
    assert acceldse.evaluate("alexnet", spec).doc == expected
    chip = acceldse.arch_from_yaml(json.dumps(spec))
    assert (chip.rows, chip.cols, chip.pes) == (16, 64, 1024)
    assert acceldse.evaluate("alexnet", chip).doc == expected
    assert acceldse.evaluate("alexnet", path).doc == expected
    bigger = chip.with_parameter("rows", "32")
    assert bigger.pes == 2048 and chip.pes == 1024


def test_network_loaders_builtin_yaml_onnx_csv(tmp_path, source_dir):
    net = acceldse.load_network("resnet50")
    assert net.name == "resnet50" and "resnet50" in acceldse.builtin_models()
    totals = net.totals()
    assert totals["macs"] == acceldse.evaluate("resnet50").totals["macs"] > 3_000_000_000
    assert sum(layer["macs"] for layer in net.layers()) == totals["macs"]
    # YAML: text and file give the same network as the built-in
    again = acceldse.network_from_yaml(net.to_yaml())
    assert again.totals() == totals and len(again) == len(net)
    yaml_file = tmp_path / "r.yaml"
    yaml_file.write_text(net.to_yaml())
    assert acceldse.load_network(str(yaml_file)).totals() == totals
    # a Network object evaluates like its file on the CLI
    assert acceldse.evaluate(again).doc == cli_json("evaluate", "--model", str(yaml_file))
    # ONNX
    onnx = os.path.join(source_dir, "tests", "data", "tiny_cnn.onnx")
    tiny = acceldse.load_network(onnx, batch=2)
    assert len(tiny) > 0
    assert acceldse.evaluate(onnx, batch=2).doc == cli_json("evaluate", "--model", onnx, "--batch", "2")
    # SCALE-Sim CSV: two convs, 32x32x3 -> 30x30x16 -> 28x28x32
    csv = tmp_path / "tiny.csv"
    csv.write_text(TINY_CSV)
    layers = acceldse.load_network(str(csv)).layers()
    assert [layer["macs"] for layer in layers if layer["macs"]] == [30 * 30 * 16 * 27, 28 * 28 * 32 * 144]
    # batch
    assert acceldse.load_network("resnet50", batch=2).totals()["macs"] == 2 * totals["macs"]


def test_accelerator_loaders():
    assert "edge_32x32" in acceldse.builtin_archs()
    edge = acceldse.load_arch("edge_32x32")
    assert (edge.name, edge.rows, edge.cols, edge.pes) == ("edge_32x32", 32, 32, 1024)
    assert acceldse.arch_from_yaml(edge.to_yaml()).to_yaml() == edge.to_yaml()


def without_run(doc):
    doc = dict(doc)
    doc.pop("run")  # timing and cache counters: the only part that varies between runs
    return doc


def test_explore_matches_the_cli_and_fills_the_store(tmp_path):
    options = ["--space", "small", "--strategy", "genetic", "--budget", "120", "--seed", "3", "--area-max", "20"]
    expected = cli_json("explore", "--model", "alexnet", *options)
    db = tmp_path / "runs.db"
    got = acceldse.explore("alexnet", space="small", strategy="genetic", budget=120, seed=3, area_max=20, db=db)
    assert without_run(got) == without_run(expected)
    assert got["best"]["params"] == expected["best"]["params"]
    assert got["pareto"] == expected["pareto"]
    store = acceldse.ResultStore(str(db))
    designs = store.designs()
    assert store.count() == len(designs) == got["evaluated"]
    best = [d for d in designs if d["params"] == {k: str(v) for k, v in got["best"]["params"].items()}]
    assert len(best) == 1 and best[0]["metrics"]["latency_s"] == got["best"]["metrics"]["latency_s"]
    # resume reads everything back and gives the same answer
    again = acceldse.explore("alexnet", space="small", strategy="genetic", budget=120, seed=3, area_max=20,
                             db=db, resume=True)
    assert without_run(again) == without_run(got) and again["run"]["computed"] == 0
    top = acceldse.results(db, top=3)
    assert len(top["designs"]) == 3
    assert top["designs"][0]["metrics"]["latency_s"] <= top["designs"][2]["metrics"]["latency_s"]


def test_explore_grid_with_repeated_constraints_matches_the_cli():
    expected = cli_json("explore", "--model", "mobilenet_v1", "--space", "small", "--no-sensitivity",
                        "--constraint", "pes <= 2048", "--constraint", "power_w < 5")
    got = acceldse.explore("mobilenet_v1", space="small", no_sensitivity=True,
                           constraint=["pes <= 2048", "power_w < 5"])
    assert without_run(got) == without_run(expected)
    assert got["constraints"][-2:] == ["pes <= 2048", "power_w < 5"]


def test_suite_matches_the_cli():
    expected = cli_json("suite", "--models", "alexnet,mobilenet_v1", "--space", "small")
    got = acceldse.suite(models=["alexnet", "mobilenet_v1"], space="small")
    for doc in (expected, got):
        doc.pop("run", None)
        doc.pop("elapsed_s", None)
    assert got == expected


def cli_error(*args):
    code, _, err = cli(*args, check=False)
    assert code == 2
    prefix = "acceldse: error: "
    assert err.startswith(prefix)
    return err[len(prefix):].splitlines()[0]


def test_bad_input_is_a_value_error_with_the_cli_message():
    message = cli_error("evaluate", "--model", "no_such_model")
    with pytest.raises(ValueError) as e:
        acceldse.evaluate("no_such_model")
    assert str(e.value) == message
    message = cli_error("explore", "--model", "alexnet", "--strategy", "bogus")
    with pytest.raises(ValueError) as e:
        acceldse.explore("alexnet", strategy="bogus")
    assert str(e.value) == message
    with pytest.raises(ValueError, match="no_such_arch"):
        acceldse.load_arch("no_such_arch")
    with pytest.raises(ValueError, match="rows"):
        acceldse.evaluate("alexnet", {"name": "bad", "tensor_unit": {"rows": -4}})
    with pytest.raises(ValueError):
        acceldse.explore("alexnet", no_such_option=1)  # the CLI's parser refuses it
    with pytest.raises(ValueError, match="format"):
        acceldse.explore("alexnet", format="csv")


def test_corun_and_results_match_the_cli(tmp_path):
    expected = cli_json("corun", "--models", "alexnet:1,mobilenet_v1:1", "--space", "small", "--mode", "time")
    got = acceldse.corun(models=["alexnet:1", "mobilenet_v1:1"], space="small", mode="time")
    for doc in (expected, got):
        doc.pop("run", None)
    assert got == expected and got["design"]["params"]
    db = tmp_path / "r.db"
    acceldse.explore("alexnet", space="small", no_sensitivity=True, db=db)
    expected = cli_json("results", "--db", str(db), "--pareto")
    assert acceldse.results(db, pareto=True) == expected


def test_run_cli_returns_what_the_program_prints():
    _, out, _ = cli("evaluate", "--model", "alexnet", "--format", "csv")
    assert acceldse.run_cli(["evaluate", "--model", "alexnet", "--format", "csv"]) == out


def test_the_documented_example_runs(tmp_path, source_dir, monkeypatch):
    page = open(os.path.join(source_dir, "docs", "python.md"), encoding="utf-8").read()
    section = page.split("\n## Python\n", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert 8 <= len(code.strip().splitlines()) <= 12
    monkeypatch.chdir(tmp_path)  # it writes runs.db
    exec(compile(code, "docs/python.md", "exec"), {})
    assert (tmp_path / "runs.db").exists()
