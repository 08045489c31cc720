# SPDX-License-Identifier: Apache-2.0
"""An import-linter contract that lists what a package MAY import, rather than what it may not.

`forbidden` contracts only catch the packages someone thought of; a pure core must also refuse the
ones nobody thought of. Every direct import from a source package must land in the standard library,
in the source package itself, or in one of `allowed_modules`.
"""

from __future__ import annotations

import sys

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


class AllowListContract(Contract):
    """Options: `source_modules` (list) and `allowed_modules` (list, internal or external)."""

    source_modules = fields.ListField(subfield=fields.StringField())
    allowed_modules = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        sources: list[str] = list(self.source_modules)  # type: ignore[call-overload]
        allowed: list[str] = list(self.allowed_modules or [])  # type: ignore[call-overload]
        violations: list[dict[str, object]] = []
        for source in sources:
            if source not in graph.modules:
                violations.append(
                    {"importer": source, "imported": "(package missing)", "lines": []}
                )
                continue
            for importer in sorted(graph.find_descendants(source) | {source}):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    top = imported.split(".")[0]
                    if top in sys.stdlib_module_names or _is_within(imported, source):
                        continue
                    if any(_is_within(imported, allow) for allow in allowed):
                        continue
                    details = graph.get_import_details(importer=importer, imported=imported)
                    lines = [detail["line_number"] for detail in details]
                    violations.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            lines = ", ".join(f"l.{line}" for line in violation["lines"])  # type: ignore[attr-defined]
            output.print_error(
                f"{violation['importer']} may not import {violation['imported']} ({lines})",
                bold=False,
            )
        output.new_line()
