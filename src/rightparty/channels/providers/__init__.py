# SPDX-License-Identifier: Apache-2.0
"""One module per provider; each imports `rightparty.channels.base`, never another provider."""
