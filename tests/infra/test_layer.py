"""The shared layer: what layers/build.py puts in it, and how the stack declares it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chalicelib.core.assets import MANIFEST_NAME
from layers.build import ARCHITECTURE, PYTHON_VERSION, RUNTIME_PROVIDED
from tests.infra.conftest import Synthesized


def _shared_layer(synth: Synthesized) -> dict[str, Any]:
    """Kumo's layer (the static files' BucketDeployment brings CDK's AWS CLI layer as well)."""
    return synth.resources("AWS::Lambda::LayerVersion")[synth.logical_id(synth.stack.layer.layer)]


def _layer_dir(synth: Synthesized) -> Path:
    layer = _shared_layer(synth)
    asset_hash = layer["Properties"]["Content"]["S3Key"].removesuffix(".zip")
    return synth.outdir / f"asset.{asset_hash}"  # the staged copy that will be uploaded


def test_layer_is_declared_for_the_functions_runtime(synthesized: Synthesized) -> None:
    layer = _shared_layer(synthesized)
    assert layer["Properties"]["CompatibleRuntimes"] == [f"python{PYTHON_VERSION}"]
    assert layer["Properties"]["CompatibleArchitectures"] == [ARCHITECTURE]
    assert layer["Properties"]["LayerName"] == "kumo-shared"


def test_layer_holds_dependencies_app_code_and_frontend(synthesized: Synthesized) -> None:
    python = _layer_dir(synthesized) / "python"
    for module in ("aws_lambda_powertools", "pynamodb", "jwt", "jinja2", "opensearchpy", "cryptography"):
        assert (python / module).is_dir(), f"{module} missing from the layer"
    assert (python / "chalicelib" / "core" / "resources.py").is_file()
    assert (python / "chalicelib" / "route_table.json").is_file(), "app.py registers its routes from it"
    assert (python / "frontend").is_dir()
    assert (python / "frontend" / MANIFEST_NAME).is_file(), "KUMO_STATIC_MANIFEST points at it"


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
