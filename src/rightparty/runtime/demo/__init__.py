# SPDX-License-Identifier: Apache-2.0
"""`rightparty demo`: a synthetic bank run through the real use cases, storage and sandbox."""
