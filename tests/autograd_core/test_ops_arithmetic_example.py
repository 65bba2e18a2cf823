from hypothesis import given

from tests.helpers import broadcast_pair, check_op


@given(broadcast_pair())
def test_mul_broadcasting(pair):
    check_op(lambda a, b: a * b, pair, lambda a, b: a * b)
