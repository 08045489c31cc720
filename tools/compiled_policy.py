# SPDX-License-Identifier: Apache-2.0
"""Hatchling build hook: a wheel whose `rightparty.policy` modules are compiled by mypyc.

Off by default (`enable-by-default = false` in pyproject.toml), so `pip install -e .` and every
plain build stay pure Python and ask for nothing more. `make compiled` turns it on with
`HATCH_BUILD_HOOK_ENABLE_CUSTOM=true` for a non-editable wheel (docs/adr/0007):

- the policy package, with the modules it imports for its types, is copied to a temporary
  directory and compiled there; nothing is ever written under `src/`, where an extension beside an
  edited `.py` would be imported instead of it and silently run old rules;
- the extensions go into the wheel beside the sources (Python imports an extension first), with
  the shared library mypyc makes at the top level, where its modules look for it.

Run as a script, the file compiles a staged copy: `python tools/compiled_policy.py STAGE`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from setuptools import setup

COMPILED = "rightparty/policy"
TYPES_ONLY = ("rightparty/__init__.py", "rightparty/domain")
"""What the policy package imports: type-checked with it, not compiled."""
GROUP = "rightparty_policy"
"""Names mypyc's shared library, `rightparty_policy__mypyc`: one top-level module per build."""


class CompiledPolicyHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        if version == "editable":
            raise RuntimeError(
                "the compiled policy build is a wheel only: an editable install would need the "
                "extensions beside the sources, where they go stale (docs/adr/0007)"
            )
        self._stage = Path(tempfile.mkdtemp(prefix="rightparty-mypyc-"))
        try:
            built = compile_policy(Path(self.root) / "src", self._stage)
        except BaseException:
            shutil.rmtree(self._stage, ignore_errors=True)  # `finalize` is not called then
            raise
        for path, inside in built:
            build_data["force_include"][str(path)] = inside
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        stage = getattr(self, "_stage", None)
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)


def compile_policy(src: Path, stage: Path) -> list[tuple[Path, str]]:
    """Compiles a copy of the policy package in `stage`; each extension and its wheel path."""
    stale = [path for path in (src / COMPILED).rglob("*") if path.name.endswith(_SUFFIXES)]
    if stale:
        raise RuntimeError(f"compiled extensions in the source tree, delete them first: {stale}")
    for name in (COMPILED, *TYPES_ONLY):
        _copy_sources(src / name, stage / "src" / name)
    subprocess.run(  # noqa: S603 - this interpreter and this file
        [sys.executable, str(Path(__file__).resolve()), str(stage)],
        cwd=stage / "src",
        check=True,
    )
    lib = stage / "lib"
    return [(path, path.relative_to(lib).as_posix()) for path in sorted(lib.rglob("*.so"))]


_SUFFIXES = tuple(EXTENSION_SUFFIXES)


def _copy_sources(source: Path, target: Path) -> None:
    if source.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        return
    for path in source.rglob("*.py"):
        _copy_sources(path, target / path.relative_to(source))


def main(stage: Path) -> None:
    """In the staged `src` directory: mypyc, then the C compiler, into `stage/lib`."""
    # mypyc works with setuptools when it was imported first (at the top of this file).
    from mypyc.build import mypycify  # noqa: PLC0415 - only the compiling process needs it

    paths = sorted(path.as_posix() for path in Path(COMPILED).rglob("*.py"))
    setup(
        name="rightparty-policy-compiled",
        ext_modules=mypycify(paths, group_name=GROUP, target_dir=str(stage / "c")),
        script_args=[
            "--quiet",
            "build_ext",
            f"--build-lib={stage / 'lib'}",
            f"--build-temp={stage / 'tmp'}",
        ],
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
