"""Paging on a real dask.distributed cluster (worker processes, so not the unit tier): it
computes only the chunks of the page asked for, and the whole stack's limits through the
same client (the rest of paging: tests/unit/test_pages.py)."""

from __future__ import annotations

import numpy as np
import pytest

from digitheat_widget import DigitHeatmapGrid

da = pytest.importorskip("dask.array")


def test_a_distributed_cluster_computes_only_the_pages_asked_for(tmp_path):
    """Worker processes (not threads) make the chunks; each chunk made leaves a file, so
    the chunks touched are counted where they are computed (the scheduler's task names
    are fused and say nothing of chunks)."""
    distributed = pytest.importorskip("distributed")
    marks = str(tmp_path)

    def make(block_info=None):  # a closure: pickled by value to the workers
        import os
        import uuid

        start, stop = block_info[None]["array-location"][0]
        open(os.path.join(marks, f"{start // 100}.{uuid.uuid4().hex}"), "w").close()
        return np.random.default_rng(start).normal(size=(stop - start, 7, 6))

    def chunks_made() -> list[int]:
        made = sorted(int(path.name.split(".")[0]) for path in tmp_path.iterdir())
        for path in tmp_path.iterdir():
            path.unlink()
        return made

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        lazy = da.map_blocks(make, chunks=((100,) * 100, (7,), (6,)), dtype=np.float64,
                             meta=np.array((), np.float64))
        grid = DigitHeatmapGrid(lazy, page_size=50, stack_limits=False)
        assert chunks_made() == [0]
        grid.page = 37  # panels 1850-1899: chunk 18
        assert chunks_made() == [18]
        np.testing.assert_array_equal(
            grid.data, np.random.default_rng(1800).normal(size=(100, 7, 6))[50:])
        # The whole stack's limits through the same client: every chunk, once.
        grid.stack_limits = True
        assert grid.wait_for_limits(120)
        assert grid._summary.engine == "dask.distributed" and grid.limits_scope == "stack"
        assert chunks_made() == list(range(100))
        everything = np.concatenate([np.random.default_rng(s).normal(size=(100, 7, 6))
                                     for s in range(0, 10_000, 100)])
        assert grid.limits == (everything.min(), everything.max())
        grid.close()
