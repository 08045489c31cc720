# SPDX-License-Identifier: Apache-2.0
"""`python -m rightparty` runs the same command as the `rightparty` script."""

from rightparty.cli.app import main

main()
