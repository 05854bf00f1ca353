import fastdiff
import pytest


def test_odeint():
    assert fastdiff.odeint
