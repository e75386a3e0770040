"""Cross-check cases as data, one module per op family; CASES and INPLACE gather them all.

Each case is an `opcases.base.Case` (id, lambda, input specs, flags);
tests/test_ops_crosscheck.py parametrizes over these lists.
"""
from opcases import (activations, closeness_diff, elementwise, indexing_products, inplace,
                     math_extra, matmul, movement, nn_functional, nn_ops, order_stats, pieces,
                     reductions, rounding_scans, searching, sorting_selection, special_math)
from opcases import torch_surface  # helper T
from opcases import special_fns  # helper S: torch.special's compiled functions

CASES = (elementwise.CASES + reductions.CASES + matmul.CASES + movement.CASES
         + nn_functional.CASES + nn_ops.CASES + pieces.CASES + rounding_scans.CASES
         + math_extra.CASES + closeness_diff.CASES + sorting_selection.CASES
         + indexing_products.CASES + activations.CASES + special_math.CASES
         + order_stats.CASES + searching.CASES
         + torch_surface.CASES + special_fns.CASES)
# helper L: torch.linalg decompositions and solvers
from opcases import linalg_decomp  # noqa: E402
CASES = CASES + linalg_decomp.CASES
INPLACE = inplace.CASES
INPLACE_LEAF_ERRORS = inplace.LEAF_ERRORS
INPLACE_RAISES = inplace.RAISES

__all__ = ["CASES", "INPLACE", "INPLACE_LEAF_ERRORS", "INPLACE_RAISES"]
