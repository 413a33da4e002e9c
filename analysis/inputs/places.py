"""Gazetteer helpers: distances between places and a coarse spatial grid for radius matching."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_AT_35N = 111.320 * np.cos(np.radians(35.0))  # the shipped gazetteer spans 32-37.4 N
# Grid cells are a little larger than the radius so that the 3 x 3 neighbourhood of a cell always
# covers the radius despite the flat projection's few-percent distortion across those latitudes.
# (Cells shrink in km north of 35 N: a campaign far north of it needs a larger margin.)
CELL_MARGIN = 1.1
# Place types that name an area too large for a point-and-radius test.
COARSE_TYPES = {"governorate", "region"}


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km; vectorised over numpy arrays."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def grid_cells(lat, lon, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Integer (x, y) cell of each point on a grid whose cells are about radius_km wide."""
    size = max(radius_km, 1e-6) * CELL_MARGIN
    x = np.floor(np.asarray(lon, dtype=float) * KM_PER_DEG_LON_AT_35N / size).astype(np.int64)
    y = np.floor(np.asarray(lat, dtype=float) * KM_PER_DEG_LAT / size).astype(np.int64)
    return x, y
