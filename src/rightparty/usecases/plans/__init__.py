# SPDX-License-Identifier: Apache-2.0
"""Contact plans as data: one YAML file, one plan per purpose."""
