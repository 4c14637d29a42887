"""acceldse from Python: networks, accelerator specs, evaluation, exploration, studies
and the result store, computed by the same C++ library and command-line code as the
`acceldse` program (see docs/python.md).

Bad input raises ValueError with the message the CLI prints after "acceldse: error:".
"""
import json
import os
import tempfile

from ._core import (Accelerator, Network, ResultStore, arch_from_yaml, builtin_archs,
                    builtin_models, load_arch, load_network, network_from_yaml, run_cli)

__all__ = [
    "Accelerator", "Network", "ResultStore", "Evaluation", "arch_from_yaml", "builtin_archs",
    "builtin_models", "load_arch", "load_network", "network_from_yaml", "run_cli", "evaluate",
    "explore", "suite", "corun", "results", "LAYER_FIELDS",
]

# Per-layer fields of Evaluation.to_numpy(), with their numpy types.
LAYER_FIELDS = [
    ("name", "U64"), ("op", "U32"), ("cycles", "i8"), ("compute_cycles", "i8"),
    ("stall_cycles", "i8"), ("vector_cycles", "i8"), ("utilization", "f8"), ("macs", "i8"),
    ("dram_bytes", "i8"), ("dram_read_bytes", "i8"), ("dram_write_bytes", "i8"),
    ("energy_pj", "f8"), ("bound", "U16"), ("fused", "?"), ("mapping", "U64"),
]


class _Files:
    """Temporary files for specs given as objects (the CLI code reads files)."""

    def __init__(self):
        self._dir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._dir is not None:
            self._dir.cleanup()

    def write(self, name, text):
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix="acceldse_py_")
        path = os.path.join(self._dir.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path


def _model_arg(model, files):
    if isinstance(model, Network):
        return files.write(f"{model.name or 'model'}.yaml", model.to_yaml())
    if isinstance(model, os.PathLike):
        return os.fspath(model)
    if isinstance(model, str):
        return model
    raise ValueError(f"model: expected a name, a path or an acceldse.Network, got {type(model).__name__}")


def _arch_arg(arch, files):
    if isinstance(arch, dict):
        # JSON is YAML; checked here so the error names the dict, not a temporary file.
        arch = arch_from_yaml(json.dumps(arch))
    if isinstance(arch, Accelerator):
        return files.write(f"{arch.name or 'arch'}.yaml", arch.to_yaml())
    if isinstance(arch, os.PathLike):
        return os.fspath(arch)
    if isinstance(arch, str):
        return arch
    raise ValueError(f"arch: expected a name, a path, a dict or an acceldse.Accelerator, got {type(arch).__name__}")


# Options that take one comma-separated list on the command line.
_COMMA_LISTS = {"models", "weights"}


def _options(options):
    """Keyword arguments as CLI options: area_max=5 -> --area-max 5; True -> a flag;
    a list -> comma-joined for models/weights, else the option repeated (--constraint);
    None and False -> left out."""
    args = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if key in ("format", "out"):
            raise ValueError(f"{key}: the Python functions always read the JSON answer (use the CLI for files)")
        if value is None or value is False:
            continue
        if value is True:
            args.append(flag)
        elif isinstance(value, (list, tuple)) and key in _COMMA_LISTS:
            args += [flag, ",".join(str(item) for item in value)]
        elif isinstance(value, (list, tuple)):
            for item in value:
                args += [flag, str(item)]
        else:
            args += [flag, os.fspath(value) if isinstance(value, os.PathLike) else str(value)]
    return args


def _run_json(args):
    return json.loads(run_cli(args + ["--format", "json"]))


class Evaluation:
    """One design on one network: `doc` is exactly `acceldse evaluate --format json`."""

    def __init__(self, doc):
        self.doc = doc

    @property
    def totals(self):
        return self.doc["totals"]

    @property
    def layers(self):
        """Per-layer records (dicts), in network order."""
        return self.doc["layers"]

    def records(self):
        """Per-layer records with the LAYER_FIELDS only (flat, one dict per layer)."""
        return [{name: layer[name] for name, _ in LAYER_FIELDS} for layer in self.layers]

    def to_numpy(self):
        """Per-layer records as a numpy structured array with LAYER_FIELDS."""
        import numpy as np
        rows = [tuple(layer[name] for name, _ in LAYER_FIELDS) for layer in self.layers]
        return np.array(rows, dtype=LAYER_FIELDS)

    def __getitem__(self, key):
        return self.doc[key]

    def __repr__(self):
        t = self.totals
        return (f"<acceldse.Evaluation {self.doc['model']} on {self.doc['arch']}: "
                f"{t['latency_s'] * 1e3:.3f} ms, {t['area_mm2']:.2f} mm2>")


def evaluate(model, arch="edge_32x32", batch=None):
    """Evaluates one accelerator (name, file, dict or Accelerator) on one network (name,
    file or Network): `acceldse evaluate --format json` as an Evaluation."""
    with _Files() as files:
        args = ["evaluate", "--model", _model_arg(model, files), "--arch", _arch_arg(arch, files)]
        if batch is not None:
            args += ["--batch", str(batch)]
        return Evaluation(_run_json(args))


def explore(model, **options):
    """`acceldse explore --format json` with the CLI's options as keywords, e.g.
    explore("resnet50", space="small", strategy="genetic", budget=300, seed=7, db="runs.db")."""
    with _Files() as files:
        if "arch" in options and options["arch"] is not None:
            options["arch"] = _arch_arg(options["arch"], files)
        return _run_json(["explore", "--model", _model_arg(model, files)] + _options(options))


def suite(**options):
    """`acceldse suite --format json` with the CLI's options as keywords, e.g.
    suite(models="resnet50,bert_base", space="small")."""
    return _run_json(["suite"] + _options(options))


def corun(**options):
    """`acceldse corun --format json` with the CLI's options as keywords."""
    return _run_json(["corun"] + _options(options))


def results(db, **options):
    """`acceldse results --format json`: the stored designs of a --db file, filtered."""
    return _run_json(["results", "--db", os.fspath(db)] + _options(options))
