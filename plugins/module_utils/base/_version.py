# -*- coding: utf-8 -*-
# Copyright: Contributors to the ingrammicro.marketplace collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collection version, sent in the User-Agent. Private to this collection; kept equal to galaxy.yml by a unit test."""

from __future__ import annotations

COLLECTION_VERSION = "1.0.0"
