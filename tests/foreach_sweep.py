"""torch's OpInfo samples for the _foreach_* ops (common_methods_invocations' foreach_*_op_db)
through tapegrad, with the OpInfo sweep's machinery (tests/opinfo_sweep.py): outputs and
gradients against torch for every sample. `python tests/foreach_sweep.py [--ops REGEX]`."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import opinfo_sweep  # noqa: E402


def foreach_db():
    from torch.testing._internal import common_methods_invocations as c
    return (c.foreach_unary_op_db + c.foreach_binary_op_db + c.foreach_pointwise_op_db
            + c.foreach_reduce_op_db + c.foreach_other_op_db)


if __name__ == "__main__":
    opinfo_sweep.main(db=foreach_db, script=__file__)
