"""The shared layer: what layers/build.py puts in it, and how the stack declares it."""

from __future__ import annotations

from pathlib import Path

from layers.build import ARCHITECTURE, PYTHON_VERSION, RUNTIME_PROVIDED
from tests.infra.conftest import Synthesized


def _layer_dir(synth: Synthesized) -> Path:
    (layer,) = synth.resources("AWS::Lambda::LayerVersion").values()
    asset_hash = layer["Properties"]["Content"]["S3Key"].removesuffix(".zip")
    return synth.outdir / f"asset.{asset_hash}"  # the staged copy that will be uploaded


def test_layer_is_declared_for_the_functions_runtime(synthesized: Synthesized) -> None:
    (layer,) = synthesized.resources("AWS::Lambda::LayerVersion").values()
    assert layer["Properties"]["CompatibleRuntimes"] == [f"python{PYTHON_VERSION}"]
    assert layer["Properties"]["CompatibleArchitectures"] == [ARCHITECTURE]
    assert layer["Properties"]["LayerName"] == "kumo-shared"


def test_layer_holds_dependencies_app_code_and_frontend(synthesized: Synthesized) -> None:
    python = _layer_dir(synthesized) / "python"
    for module in ("aws_lambda_powertools", "pynamodb", "jwt", "jinja2", "opensearchpy", "cryptography"):
        assert (python / module).is_dir(), f"{module} missing from the layer"
    assert (python / "chalicelib" / "core" / "resources.py").is_file()
    assert (python / "frontend").is_dir()


def test_layer_leaves_out_what_lambda_ships_and_dead_weight(synthesized: Synthesized) -> None:
    python = _layer_dir(synthesized) / "python"
    for name in RUNTIME_PROVIDED:
        assert not (python / name).exists(), f"{name} is provided by the Lambda runtime"
    assert not (python / "bin").exists()
    assert not list((python / "chalicelib").rglob("*.cpython-311.pyc")), "host bytecode in the layer"


def test_compiled_extensions_match_the_target(synthesized: Synthesized) -> None:
    python = _layer_dir(synthesized) / "python"
    machine = {"arm64": "aarch64", "x86_64": "x86_64"}[ARCHITECTURE]
    extensions = list(python.rglob("*.so"))
    assert extensions, "expected compiled wheels (cryptography, cffi)"
    for ext in extensions:
        if ".cpython-" in ext.name:
            assert f"cpython-{PYTHON_VERSION.replace('.', '')}-{machine}" in ext.name, ext
